import { assert, describe, it } from "@effect/vitest"
import { apiVersion } from "@taskjuice/intercom-client"
import {
  ActionInputInvalid,
  Conflict,
  Decode,
  Forbidden,
  IntercomError,
  type IntercomErrorReason,
  Invalid,
  NotFound,
  RateLimited,
  RateLimiter,
  Server,
  Transport,
  Unauthorized,
  UnexpectedStatus,
  VersionUnsupported
} from "@taskjuice/intercom-core"
import { ConnectionStore } from "@taskjuice/intercom-state"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { execute } from "../src/ActionExecution.ts"
import { runtimeAuthorization, startBundleHost } from "../src/BundleHost.ts"
import {
  fromActionFailure,
  type StepError,
  stepErrorCatalogue,
  stepErrorCodes,
  toStepError
} from "../src/StepError.ts"
import { memoryStateWith, testConnection } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"

const fail = (reason: IntercomErrorReason, options: { idempotent?: boolean; status?: number } = {}) =>
  new IntercomError({
    reason,
    operation: "CreateContact",
    idempotent: options.idempotent ?? true,
    ...(options.status === undefined ? {} : { status: options.status }),
    requestId: "req-1"
  })

const map = (failure: ActionInputInvalid | IntercomError) => toStepError(fromActionFailure(failure))

const shapeOf = (error: StepError) => Object.keys(error).sort()

describe("toStepError: each failure the core reports maps to one documented code", () => {
  const cases: ReadonlyArray<
    readonly [
      string,
      ActionInputInvalid | IntercomError,
      Pick<StepError, "code" | "providerStatus" | "retryable">
    ]
  > = [
    [
      "input invalid",
      new ActionInputInvalid({
        action: "intercom/get-contact",
        issues: [{ path: "contact_id", message: "Missing key" }]
      }),
      { code: "VALIDATION_FAILED", providerStatus: null, retryable: false }
    ],
    [
      "429",
      fail(new RateLimited({ retryAfter: Duration.seconds(42) }), { status: 429 }),
      { code: "RATE_LIMITED", providerStatus: 429, retryable: true }
    ],
    [
      "401",
      fail(new Unauthorized({ code: "token_revoked" }), { status: 401 }),
      { code: "AUTH_REVOKED", providerStatus: 401, retryable: false }
    ],
    [
      "403",
      fail(new Forbidden({ code: "api_plan_restricted" }), { status: 403 }),
      { code: "FORBIDDEN", providerStatus: 403, retryable: false }
    ],
    [
      "404",
      fail(new NotFound({}), { status: 404 }),
      { code: "NOT_FOUND", providerStatus: 404, retryable: false }
    ],
    [
      "409",
      fail(new Conflict({}), { status: 409 }),
      { code: "CONFLICT", providerStatus: 409, retryable: false }
    ],
    [
      "400 with a field",
      fail(new Invalid({ code: "parameter_invalid", field: "email", message: "Email is invalid" }), {
        status: 400
      }),
      { code: "VALIDATION_FAILED", providerStatus: 400, retryable: false }
    ],
    [
      "version",
      fail(new VersionUnsupported({ minimumVersion: "2.12" }), { status: 400 }),
      { code: "VERSION_UNSUPPORTED", providerStatus: 400, retryable: false }
    ],
    [
      "503 on a read",
      fail(new Server({ status: 503 }), { status: 503 }),
      { code: "UPSTREAM_UNAVAILABLE", providerStatus: 503, retryable: true }
    ],
    [
      "503 on a create",
      fail(new Server({ status: 503 }), { status: 503, idempotent: false }),
      { code: "UPSTREAM_UNAVAILABLE", providerStatus: 503, retryable: false }
    ],
    [
      "refused on a create",
      fail(new Transport({ kind: "refused" }), { idempotent: false }),
      { code: "UPSTREAM_UNAVAILABLE", providerStatus: null, retryable: true }
    ],
    [
      "network",
      fail(new Transport({ kind: "network" })),
      { code: "UPSTREAM_UNAVAILABLE", providerStatus: null, retryable: true }
    ],
    [
      "timeout on a read",
      fail(new Transport({ kind: "timeout" })),
      { code: "TIMEOUT", providerStatus: null, retryable: true }
    ],
    [
      "timeout on a create",
      fail(new Transport({ kind: "timeout" }), { idempotent: false }),
      { code: "TIMEOUT", providerStatus: null, retryable: false }
    ],
    [
      "decode",
      fail(new Decode({ message: "id: Missing key" }), { status: 200 }),
      { code: "UPSTREAM_RESPONSE_INVALID", providerStatus: 200, retryable: false }
    ],
    [
      "a status a correct request never gets (405)",
      fail(new UnexpectedStatus({ status: 405, code: undefined }), { status: 405 }),
      { code: "INTERNAL", providerStatus: 405, retryable: false }
    ]
  ]
  for (const [name, failure, expected] of cases) {
    it(name, () => {
      const error = map(failure)
      assert.deepStrictEqual(
        { code: error.code, providerStatus: error.providerStatus, retryable: error.retryable },
        expected
      )
      assert.deepStrictEqual(shapeOf(error), ["code", "detail", "message", "providerStatus", "retryable"])
      assert.include(stepErrorCodes, error.code)
      assert.isAbove(error.message.length, 10)
      JSON.parse(JSON.stringify(error))
    })
  }

  it("carries the retry-after and the field in detail", () => {
    const limited = map(fail(new RateLimited({ retryAfter: Duration.seconds(42) }), { status: 429 }))
    assert.strictEqual(limited.detail.retryAfterMs, 42_000)
    assert.strictEqual(limited.detail.retryAfterSeconds, 42)
    assert.strictEqual(limited.detail.requestId, "req-1")
    const invalid = map(
      new ActionInputInvalid({
        action: "intercom/create-contact",
        issues: [
          { path: "custom_attributes.plan", message: "Expected string" },
          { path: "email", message: "Expected an email address" }
        ]
      })
    )
    assert.strictEqual(invalid.detail.field, "custom_attributes.plan")
    assert.match(invalid.message, /"custom_attributes\.plan"/)
    assert.lengthOf(invalid.detail.issues as Array<unknown>, 2)
    const refused = map(
      fail(new Invalid({ code: "parameter_invalid", field: "email", message: "Email is invalid" }))
    )
    assert.strictEqual(refused.detail.field, "email")
    const version = map(fail(new VersionUnsupported({ minimumVersion: "2.12" })))
    // The version the build pins (the generated client's), whichever that is.
    assert.deepStrictEqual(
      [version.detail.pinnedVersion, version.detail.minimumVersion],
      [apiVersion, "2.12"]
    )
  })

  it("documents every code exactly once", () => {
    assert.strictEqual(new Set(stepErrorCodes).size, stepErrorCatalogue.length)
    for (const entry of stepErrorCatalogue) assert.isAbove(entry.meaning.length + entry.remedy.length, 20)
  })
})

describe("step errors from a loopback Intercom, through execute() and POST /actions/{key}", () => {
  let intercom: LoopbackIntercom
  const token = "tok-step-errors-secret-0001"
  beforeAll(async () => {
    intercom = await startLoopbackIntercom()
  })
  afterAll(() => intercom.close())

  const layer = () =>
    Layer.mergeAll(
      memoryStateWith([
        testConnection({ id: "conn_1", apiBaseUrl: intercom.url, accessToken: Redacted.make(token) }),
        testConnection({
          id: "conn_revokes",
          apiBaseUrl: intercom.url,
          accessToken: Redacted.make(`${token}-r`)
        }),
        // Its own token, so the rate limiter's block after the 429 holds back no other test request.
        testConnection({
          id: "conn_limited",
          apiBaseUrl: intercom.url,
          accessToken: Redacted.make(`${token}-l`)
        })
      ]),
      RateLimiter.layer
    )

  const stepError = (key: string, input: unknown, connectionId: string | null = "conn_1") =>
    Effect.flip(execute(key, input, connectionId, { requestTimeout: Duration.millis(300) }))

  const getContact = { contact_id: Answers.contactId }
  const conversation = { from: { type: "user", id: Answers.contactId }, body: "Hello" }

  // The core decides that an input is refused; the step error carries what it said: the field first,
  // then every issue. Nothing reaches Intercom.
  const refusedInputs = [
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
  for (const { what, key, input, field, message } of refusedInputs) {
    it.live(`${what} is VALIDATION_FAILED at ${field}, with the core's issue, and nothing is sent`, () =>
      Effect.gen(function* () {
        const before = intercom.requests.length
        const error = yield* stepError(key, input)
        assert.deepStrictEqual([error.code, error.detail.field], ["VALIDATION_FAILED", field])
        assert.include(error.message, message)
        const issues = Array.isArray(error.detail.issues) ? error.detail.issues : []
        const said = issues.find(
          (issue) =>
            typeof issue === "object" && issue !== null && !Array.isArray(issue) && issue.field === field
        )
        assert.include(
          String(typeof said === "object" && said !== null && !Array.isArray(said) ? said.message : ""),
          message
        )
        assert.strictEqual(intercom.requests.length, before)
      }).pipe(Effect.provide(layer()))
    )
  }

  it.live("maps Intercom's answers to step errors, never leaking the token", () =>
    Effect.gen(function* () {
      const errors: Array<StepError> = []
      const resetIn60s = () => String(Math.floor(Date.now() / 1000) + 60)
      intercom.route(`GET /contacts/${Answers.contactId}`, () => ({
        status: 429,
        headers: {
          "x-ratelimit-limit": "1000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": resetIn60s()
        },
        body: Answers.errorList("rate_limit_exceeded", "Exceeded rate limit")
      }))
      const limited = yield* stepError("intercom/get-contact", getContact, "conn_limited")
      assert.strictEqual(limited.code, "RATE_LIMITED")
      assert.strictEqual(limited.providerStatus, 429)
      assert.isTrue(limited.retryable)
      assert.isAbove(Number(limited.detail.retryAfterMs), 50_000)
      errors.push(limited)

      const answers: ReadonlyArray<readonly [number, ReturnType<typeof Answers.errorList>, string]> = [
        [403, Answers.errorList("api_plan_restricted", "Active subscription needed."), "FORBIDDEN"],
        [404, Answers.errorList("not_found", "User Not Found"), "NOT_FOUND"],
        [409, Answers.errorList("conflict", "A contact matching those details already exists"), "CONFLICT"],
        [400, Answers.errorList("parameter_invalid", "Name is too long", "name"), "VALIDATION_FAILED"],
        [
          400,
          Answers.errorList("intercom_version_invalid", "Requested resource is not available"),
          "VERSION_UNSUPPORTED"
        ]
      ]
      for (const [status, body, code] of answers) {
        intercom.route(`PUT /contacts/${Answers.contactId}`, () => ({ status, body }))
        const error = yield* stepError("intercom/update-contact", { ...getContact, name: "Ada" })
        assert.deepStrictEqual([error.code, error.providerStatus, error.retryable], [code, status, false])
        errors.push(error)
      }
      assert.strictEqual(errors.find((error) => error.code === "VALIDATION_FAILED")?.detail.field, "name")

      intercom.route("POST /conversations", () => ({
        status: 503,
        body: Answers.errorList("service_unavailable", "Down")
      }))
      const unavailable = yield* stepError("intercom/create-conversation", conversation)
      assert.deepStrictEqual(
        [unavailable.code, unavailable.providerStatus, unavailable.retryable],
        ["UPSTREAM_UNAVAILABLE", 503, false]
      )
      assert.isTrue(unavailable.detail.mayHaveTakenEffect)
      errors.push(unavailable)

      intercom.route("POST /conversations", () => ({ delayMillis: 2_000, body: Answers.message }))
      const timeout = yield* stepError("intercom/create-conversation", conversation)
      assert.deepStrictEqual(
        [timeout.code, timeout.providerStatus, timeout.retryable],
        ["TIMEOUT", null, false]
      )
      errors.push(timeout)

      intercom.route("GET /tags", () => ({ body: { type: "list", data: [{ type: "tag" }] } }))
      const unreadable = yield* Effect.flip(execute("intercom/list-tags", {}, "conn_1"))
      assert.strictEqual(unreadable.code, "UPSTREAM_RESPONSE_INVALID")
      errors.push(unreadable)

      const before = intercom.requests.length
      const invalid = yield* stepError("intercom/get-contact", {})
      assert.deepStrictEqual(
        [invalid.code, invalid.providerStatus, invalid.detail.field],
        ["VALIDATION_FAILED", null, "contact_id"]
      )
      assert.strictEqual(intercom.requests.length, before, "nothing is sent for invalid input")
      errors.push(invalid)

      const unknown = yield* stepError("intercom/launch-rocket", {})
      assert.strictEqual(unknown.code, "UNKNOWN_ACTION")
      const missing = yield* stepError("intercom/get-contact", getContact, null)
      const unknownConnection = yield* stepError("intercom/get-contact", getContact, "conn_nope")
      assert.deepStrictEqual([missing.code, unknownConnection.code], ["AUTH_MISSING", "AUTH_MISSING"])
      errors.push(unknown, missing, unknownConnection)

      for (const error of errors) {
        const text = JSON.stringify(error)
        assert.isFalse(text.includes(token), `${error.code} leaks the token`)
      }
    }).pipe(Effect.provide(layer()))
  )

  it.live("a token Intercom rejects maps to AUTH_REVOKED and marks the connection revoked", () =>
    Effect.gen(function* () {
      intercom.route(`GET /contacts/${Answers.contactId}`, () => ({
        status: 401,
        body: Answers.errorList("unauthorized", "Access Token Invalid")
      }))
      const revoked = yield* stepError("intercom/get-contact", getContact, "conn_revokes")
      assert.deepStrictEqual(
        [revoked.code, revoked.providerStatus, revoked.retryable],
        ["AUTH_REVOKED", 401, false]
      )
      const connections = yield* ConnectionStore
      assert.strictEqual((yield* connections.get("conn_revokes"))?.status, "revoked")
      const before = intercom.requests.length
      const again = yield* stepError("intercom/get-contact", getContact, "conn_revokes")
      assert.strictEqual(again.code, "AUTH_REVOKED")
      assert.strictEqual(intercom.requests.length, before, "a revoked connection is not tried again")
    }).pipe(Effect.provide(layer()))
  )

  it.live("POST /actions/{key} answers {output} or an error status with {error}", () =>
    Effect.promise(async () => {
      const host = await startBundleHost({
        clientId: "client-id",
        clientSecret: Redacted.make("secret"),
        connections: [
          testConnection({ id: "conn_http", apiBaseUrl: intercom.url, accessToken: Redacted.make(token) })
        ],
        writeLine: () => {}
      })
      try {
        const post = (key: string, body: unknown) =>
          fetch(`${host.url}/actions/${key}`, {
            method: "POST",
            headers: { ...runtimeAuthorization(host.runtimeToken), "content-type": "application/json" },
            body: typeof body === "string" ? body : JSON.stringify(body)
          })
        intercom.route("GET /tags", () => ({ body: Answers.tagList }))
        const ok = await post("intercom/list-tags", { connection: "conn_http", input: {} })
        assert.strictEqual(ok.status, 200)
        assert.lengthOf(((await ok.json()) as { output: { tags: Array<unknown> } }).output.tags, 2)

        intercom.route("GET /tags", () => ({
          status: 429,
          headers: {
            "x-ratelimit-limit": "1000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60)
          },
          body: Answers.errorList("rate_limit_exceeded", "Exceeded rate limit")
        }))
        const limited = await post("intercom/list-tags", { connection: "conn_http", input: {} })
        assert.strictEqual(limited.status, 429)
        assert.isAbove(Number(limited.headers.get("retry-after")), 50)
        const body = (await limited.json()) as { error: StepError }
        assert.deepStrictEqual(Object.keys(body), ["error"])
        assert.strictEqual(body.error.code, "RATE_LIMITED")

        const invalid = await post("intercom/get-contact", {
          connection: "conn_http",
          input: { contact_id: 7 }
        })
        assert.strictEqual(invalid.status, 422)
        assert.strictEqual(((await invalid.json()) as { error: StepError }).error.detail.field, "contact_id")
        assert.strictEqual((await post("intercom/nope", { connection: "conn_http", input: {} })).status, 404)
        assert.strictEqual((await post("intercom/list-tags", { input: {} })).status, 401)
        assert.strictEqual((await post("intercom/list-tags", "not json")).status, 400)
        const get = await fetch(`${host.url}/actions/intercom/list-tags`, {
          headers: runtimeAuthorization(host.runtimeToken)
        })
        assert.strictEqual(get.status, 405)
        assert.strictEqual(get.headers.get("allow"), "POST")
      } finally {
        await host.close()
      }
    })
  )
})
