/**
 * The core decides that an input is refused; the bundle's VALIDATION_FAILED step error carries what
 * it said: the field first, then every issue. Run through `execute` against a loopback Intercom that
 * must see nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { RateLimiter } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { execute } from "../src/ActionExecution.ts"
import { Connections } from "../src/Connections.ts"
import { testConnection } from "./support/Connections.ts"
import { type FakeIntercom, startFakeIntercom } from "./support/FakeIntercom.ts"

describe("strict inputs, as step errors", () => {
  let intercom: FakeIntercom
  beforeAll(async () => {
    intercom = await startFakeIntercom()
  })
  afterAll(() => intercom.close())

  const layer = () =>
    Layer.mergeAll(
      Layer.sync(Connections, () =>
        Connections.make([
          testConnection({ id: "conn_1", apiBaseUrl: intercom.url, accessToken: Redacted.make("tok-strict") })
        ])
      ),
      RateLimiter.layer
    )

  const cases = [
    {
      what: 'create-contact with "emial"',
      key: "intercom/create-contact",
      input: { emial: "a@b.example" },
      field: "emial",
      message: "unknown field; did you mean email?"
    },
    {
      what: 'a reply with type "bot"',
      key: "intercom/reply-conversation",
      input: { conversation_id: "363", type: "bot", body: "Hi" },
      field: "type",
      message: 'expected one of "admin", "user"; got "bot"'
    },
    {
      what: "update-contact with the id ..",
      key: "intercom/update-contact",
      input: { contact_id: "..", name: "Ada" },
      field: "contact_id",
      message: "Expected an Intercom contact id"
    }
  ]

  for (const { what, key, input, field, message } of cases) {
    it.live(`${what} is VALIDATION_FAILED at ${field}, and nothing is sent`, () =>
      Effect.gen(function* () {
        const before = intercom.requests.length
        const error = yield* Effect.flip(execute(key, input, "conn_1"))
        assert.strictEqual(error.code, "VALIDATION_FAILED")
        assert.strictEqual(error.detail.field, field)
        const issues = error.detail.issues
        assert.isArray(issues)
        assert.isTrue(
          Array.isArray(issues) &&
            issues.some(
              (issue) =>
                typeof issue === "object" &&
                issue !== null &&
                !Array.isArray(issue) &&
                issue.field === field &&
                String(issue.message).includes(message)
            ),
          JSON.stringify(issues)
        )
        assert.include(error.message, message)
        assert.strictEqual(intercom.requests.length, before)
      }).pipe(Effect.provide(layer()))
    )
  }
})
