import { assert, describe, it } from "@effect/vitest"
import {
  type Answer,
  hangUp,
  inOrder,
  json,
  recordingServer,
  refusedUrl,
  silence
} from "@taskjuice/intercom-testkit"
import { contact, contactId, errorList } from "@taskjuice/intercom-testkit/intercom"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import { executeAction } from "../../src/actions/Action.ts"
import { GetContact } from "../../src/actions/GetContact.ts"
import { buildApiVersion } from "../../src/api/ApiVersion.ts"
import type { IntercomError } from "../../src/api/IntercomError.ts"
import { advancingClock, apiLayer, canaryToken, withMiddleRandom } from "../support/TestRuntime.ts"

const getContact = executeAction(GetContact, { contact_id: contactId })

/** The server sees an abort a moment after the client makes it: wait for it (bounded), on real time. */
const abortsSeen = (server: { readonly aborted: () => number }, count: () => number) =>
  Effect.gen(function* () {
    for (let poll = 0; poll < 500 && server.aborted() < count(); poll++) yield* Effect.sleep(10)
    assert.strictEqual(server.aborted(), count())
  })

/** Runs get-contact against a server answering `replies`, collecting every log line. */
const failWith = (
  replies: ReadonlyArray<Answer>,
  options: { readonly requestTimeout?: Duration.Input } = {}
) =>
  Effect.gen(function* () {
    const server = yield* recordingServer({ answer: inOrder(...replies) })
    const logs: Array<string> = []
    const capture = Logger.make(({ message }) => {
      logs.push(typeof message === "string" ? message : JSON.stringify(message))
    })
    const error = yield* advancingClock(getContact).pipe(
      withMiddleRandom,
      Effect.flip,
      Effect.provide(Layer.mergeAll(apiLayer(server.url, options), Logger.layer([capture]))),
      Effect.provideService(References.MinimumLogLevel, "All")
    )
    return { error, server, logs }
  })

const assertNoCanary = (error: IntercomError | { readonly message: string }, logs: ReadonlyArray<string>) => {
  assert.notInclude(error.message, canaryToken)
  assert.notInclude(String(error), canaryToken)
  assert.notInclude(JSON.stringify(error), canaryToken)
  for (const line of logs) assert.notInclude(line, canaryToken)
}

describe("IntercomApi against a loopback server", () => {
  it.effect("sends the token, the pinned Intercom-Version and JSON headers", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: inOrder(json(200, contact())) })
      const result = yield* getContact.pipe(Effect.provide(apiLayer(server.url)))
      assert.strictEqual(result.id, contactId)
      const [request] = server.requests
      assert.strictEqual(request?.method, "GET")
      assert.strictEqual(request?.path, `/contacts/${contactId}`)
      assert.strictEqual(request?.headers.authorization, `Bearer ${canaryToken}`)
      assert.strictEqual(request?.headers["intercom-version"], buildApiVersion)
      assert.strictEqual(request?.headers.accept, "application/json")
    })
  )

  const nonRetryable: ReadonlyArray<readonly [string, Answer, string]> = [
    ["Unauthorized", json(401, errorList("unauthorized", "Access Token Invalid")), "reconnect"],
    [
      "Forbidden",
      json(403, errorList("api_plan_restricted", "Active subscription needed.")),
      "Active subscription"
    ],
    ["NotFound", json(404, errorList("not_found", "User Not Found")), "User Not Found"],
    ["Conflict", json(409, errorList("conflict", "already exists")), "already exists"],
    [
      "Invalid",
      json(400, errorList("parameter_invalid", "bad id", "contact_id")),
      "parameter_invalid at contact_id"
    ],
    [
      "VersionUnsupported",
      json(
        400,
        errorList("intercom_version_invalid", "Requested resource is not available in current API version.")
      ),
      "API version"
    ],
    ["Decode", json(200, { id: 42 }), "unexpected response"],
    ["Decode", { status: 200, raw: "{not json" }, "not valid JSON"]
  ]
  for (const [tag, reply, fragment] of nonRetryable) {
    it.effect(`${tag} is not retried and names the cause (${fragment})`, () =>
      Effect.gen(function* () {
        const { error, server, logs } = yield* failWith([reply, json(200, contact())])
        assert.strictEqual(error._tag, "IntercomError")
        if (error._tag !== "IntercomError") return
        assert.strictEqual(error.reason._tag, tag)
        assert.isFalse(error.retryable)
        assert.include(error.message, fragment)
        assert.include(error.message, "ShowContact")
        assert.strictEqual(server.requests.length, 1)
        assertNoCanary(error, logs)
      })
    )
  }

  it.effect("keeps the status and Intercom's request id on the error", () =>
    Effect.gen(function* () {
      const { error } = yield* failWith([json(404, errorList("not_found", "User Not Found"))])
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.strictEqual(error.status, 404)
      assert.strictEqual(error.requestId, "b3f8f9e6-1c4e-4c8e-9a55-6a1a9a9c2a11")
    })
  )

  it.effect("Server: 5xx is retried with backoff, then the last error is returned, retryable", () =>
    Effect.gen(function* () {
      const { error, server, logs } = yield* failWith([json(503, { type: "error.list", errors: [] })])
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.strictEqual(error.reason._tag, "Server")
      assert.isTrue(error.retryable)
      assert.strictEqual(server.requests.length, 6)
      assertNoCanary(error, logs)
    })
  )

  it.effect("Server: a retry that succeeds returns the contact", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({
        answer: inOrder(json(500, {}), json(502, {}), json(200, contact()))
      })
      const result = yield* advancingClock(getContact).pipe(Effect.provide(apiLayer(server.url)))
      assert.strictEqual(result.id, contactId)
      assert.strictEqual(server.requests.length, 3)
    })
  )

  it.effect("RateLimited within the bound: waits for X-RateLimit-Reset and retries", () =>
    Effect.gen(function* () {
      // The TestClock starts at 0, so a reset of 3 (Unix seconds) is 3 s away.
      const limited = json(429, errorList("rate_limit_exceeded", "Exceeded rate limit"), {
        "x-ratelimit-limit": "100",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "3"
      })
      const server = yield* recordingServer({ answer: inOrder(limited, json(200, contact())) })
      const fiber = yield* Effect.forkChild(getContact.pipe(Effect.provide(apiLayer(server.url))))
      yield* TestClock.withLive(Effect.sleep(50))
      yield* TestClock.adjust(2900)
      yield* TestClock.withLive(Effect.sleep(50))
      assert.strictEqual(server.requests.length, 1, "still waiting for the reset")
      const result = yield* advancingClock(Fiber.join(fiber))
      assert.strictEqual(result.id, contactId)
      assert.strictEqual(server.requests.length, 2)
    })
  )

  it.effect("RateLimited past the bound: fails at once, retryable, with retryAfter", () =>
    Effect.gen(function* () {
      const { error, server, logs } = yield* failWith([
        json(429, errorList("rate_limit_exceeded", "Exceeded rate limit"), {
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": "60"
        })
      ])
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.strictEqual(error.reason._tag, "RateLimited")
      assert.isTrue(error.retryable)
      // 60 s from the TestClock's start, less the few steps the clock moved before the request.
      const retryAfter = Duration.toMillis(error.retryAfter ?? Duration.zero)
      assert.isTrue(retryAfter > 59_000 && retryAfter <= 60_000, `${retryAfter}`)
      assert.strictEqual(server.requests.length, 1)
      assertNoCanary(error, logs)
    })
  )

  it.effect("Transport network: a dropped connection is retried", () =>
    Effect.gen(function* () {
      const { error, server } = yield* failWith([hangUp])
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.deepInclude(error.reason, { _tag: "Transport", kind: "network" })
      assert.isTrue(error.retryable)
      assert.strictEqual(server.requests.length, 6)
    })
  )

  it.live("Transport timeout: the per-request timeout abandons the request and aborts it", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: inOrder(silence) })
      const started = Date.now()
      // One attempt (`run`, without the retry policy): the timeout is under test, not the backoff.
      const error = yield* GetContact.run({ contact_id: contactId }, { attempt: 0 }).pipe(
        Effect.provide(apiLayer(server.url, { requestTimeout: Duration.millis(100) })),
        Effect.flip
      )
      if (error._tag !== "IntercomError") return assert.fail(`expected IntercomError, got ${error._tag}`)
      assert.deepInclude(error.reason, { _tag: "Transport", kind: "timeout" })
      assert.isTrue(error.retryable)
      assert.isAtLeast(Date.now() - started, 95)
      yield* abortsSeen(server, () => server.requests.length)
    })
  )

  it.live("Transport timeout: each request gets its whole timeout, however many share the timer", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: silence })
      const api = apiLayer(server.url, { requestTimeout: Duration.millis(300) })
      const once = GetContact.run({ contact_id: contactId }, { attempt: 0 }).pipe(Effect.flip)
      const timedOutAfter = (started: number) =>
        Effect.map(once, (error) => ({ error, elapsed: Date.now() - started }))
      const results = yield* Effect.gen(function* () {
        const first = yield* Effect.forkChild(timedOutAfter(Date.now()))
        // The second starts while the first's deadline is armed: it must not time out with the first.
        yield* Effect.sleep(150)
        const second = yield* Effect.forkChild(timedOutAfter(Date.now()))
        return [yield* Fiber.join(first), yield* Fiber.join(second)]
      }).pipe(Effect.provide(api))
      for (const { error, elapsed } of results) {
        if (error._tag !== "IntercomError") return assert.fail(`expected IntercomError, got ${error._tag}`)
        assert.deepInclude(error.reason, { _tag: "Transport", kind: "timeout" })
        assert.isAtLeast(elapsed, 295)
      }
      yield* abortsSeen(server, () => 2)
    })
  )

  it.live("a request answered in time is never aborted by the timeout", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: json(200, contact()) })
      const result = yield* GetContact.run({ contact_id: contactId }, { attempt: 0 }).pipe(
        Effect.provide(apiLayer(server.url, { requestTimeout: Duration.millis(100) }))
      )
      assert.strictEqual(result.id, contactId)
      // Past the deadline it would have had: the shared timer fires and must find nothing to abort.
      yield* Effect.sleep(200)
      assert.strictEqual(server.aborted(), 0)
    })
  )

  it.live("an infinite request timeout never times out", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: { ...json(200, contact()), delayMillis: 100 } })
      const result = yield* GetContact.run({ contact_id: contactId }, { attempt: 0 }).pipe(
        Effect.provide(apiLayer(server.url, { requestTimeout: Duration.infinity }))
      )
      assert.strictEqual(result.id, contactId)
    })
  )

  it.effect("Transport refused: nothing listens, retried, then fails retryable", () =>
    Effect.gen(function* () {
      const url = yield* Effect.promise(refusedUrl)
      const error = yield* advancingClock(getContact).pipe(Effect.provide(apiLayer(url)), Effect.flip)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.deepInclude(error.reason, { _tag: "Transport", kind: "refused" })
      assert.isTrue(error.retryable)
    })
  )

  it.live("interrupting the action cancels the HTTP request", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: inOrder(silence) })
      const fiber = yield* Effect.forkChild(getContact.pipe(Effect.provide(apiLayer(server.url))))
      while (server.requests.length === 0) yield* Effect.sleep(5)
      yield* Fiber.interrupt(fiber)
      yield* abortsSeen(server, () => 1)
    })
  )
})
