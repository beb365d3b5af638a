/**
 * Every action refuses a field its input does not name, saying which field it probably meant,
 * instead of dropping it (`create-contact` with `emial` used to create a contact without an email).
 * Each case runs over real HTTP against a loopback server that must see nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { inOrder, json } from "@taskjuice/intercom-testkit"
import { contact } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type AnyActionDefinition, actions, CreateContact, CreateConversation } from "../../src/index.ts"
import { failureOf, runAction } from "../support/ActionHarness.ts"

/** The action's first input example, as the manifest publishes it (list-tags takes none). */
const exampleOf = (action: AnyActionDefinition): Record<string, unknown> => {
  const examples = Schema.toJsonSchemaDocument(action.input).schema.examples
  const [first] = Array.isArray(examples) ? examples : []
  return typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {}
}

/** `email` → `eamil`: two neighbouring letters swapped, the commonest slip. */
const misspelt = (field: string) => `${field[0]}${field[2]}${field[1]}${field.slice(3)}`

const refusal = (action: AnyActionDefinition, input: unknown) =>
  Effect.gen(function* () {
    const { exit, server } = yield* runAction(action, input, inOrder(json(200, contact())))
    assert.strictEqual(server.requests.length, 0, `${action.key}: nothing may be sent`)
    const error = failureOf(exit)
    if (error._tag !== "ActionInputInvalid") return assert.fail(`${action.key}: expected ActionInputInvalid`)
    return error
  })

describe("action inputs are strict", () => {
  it.effect(
    'create-contact with "emial" fails naming the field: "emial: unknown field; did you mean email?"',
    () =>
      Effect.gen(function* () {
        const error = yield* refusal(CreateContact, { emial: "a@b.example" })
        assert.deepStrictEqual(error.issues, [
          { path: "emial", message: "unknown field; did you mean email?" }
        ])
        assert.include(error.message, "emial: unknown field; did you mean email?")
      })
  )

  for (const action of actions) {
    const example = exampleOf(action)
    const [field] = Object.keys(example)
    it.effect(`${action.key}: a misspelt field is refused with the field it meant`, () =>
      Effect.gen(function* () {
        if (field === undefined) {
          // No fields at all: anything given is unknown.
          const error = yield* refusal(action, { per_page: 10 })
          assert.deepStrictEqual(error.issues, [
            { path: "per_page", message: "unknown field; no fields are expected here" }
          ])
          return
        }
        const { [field]: value, ...rest } = example
        const error = yield* refusal(action, { ...rest, [misspelt(field)]: value })
        assert.deepInclude(error.issues, {
          path: misspelt(field),
          message: `unknown field; did you mean ${field}?`
        })
      })
    )

    it.effect(`${action.key}: a field like no other is refused with the fields there are`, () =>
      Effect.gen(function* () {
        const error = yield* refusal(action, { ...example, zzzzzz: 1 })
        const issue = error.issues.find((each) => each.path === "zzzzzz")
        assert.isDefined(issue, JSON.stringify(error.issues))
        assert.match(issue?.message ?? "", /^unknown field; (the fields are |no fields are expected here)/)
        for (const name of Object.keys(example)) assert.include(issue?.message, name)
      })
    )
  }

  it.effect("a nested object is strict too, and the path says where", () =>
    Effect.gen(function* () {
      const error = yield* refusal(CreateConversation, {
        from: { type: "user", id: "63a07ddf05a32042dffac965", emial: "a@b.example" },
        body: "Hello"
      })
      assert.deepStrictEqual(error.issues, [
        { path: "from.emial", message: "unknown field; the fields are type, id" }
      ])
    })
  )

  it.effect("custom attributes stay free-form: any name is accepted there", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        CreateContact,
        { email: "ada@example.com", custom_attributes: { emial_opt_in: true } },
        inOrder(json(200, contact()))
      )
      assert.strictEqual(exit._tag, "Success")
      assert.deepStrictEqual(server.requests[0]?.json, {
        email: "ada@example.com",
        custom_attributes: { emial_opt_in: true }
      })
    })
  )
})
