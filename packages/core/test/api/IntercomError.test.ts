import { assert, describe, it } from "@effect/vitest"
import { errorList } from "@taskjuice/intercom-testkit/intercom"
import * as Duration from "effect/Duration"
import { IntercomError, reasonFromResponse } from "../../src/api/IntercomError.ts"

const noHeaders = new Headers()
const now = 1_700_000_000_000

describe("reasonFromResponse", () => {
  it("maps every status family to one reason", () => {
    const cases: ReadonlyArray<readonly [number, unknown, string]> = [
      [401, errorList("unauthorized", "Access Token Invalid"), "Unauthorized"],
      [402, errorList("payment_required", "Plan needed"), "Forbidden"],
      [403, errorList("api_plan_restricted", "Active subscription needed."), "Forbidden"],
      [404, errorList("not_found", "User Not Found"), "NotFound"],
      [410, errorList("contact_merged", "Contact Merged"), "NotFound"],
      [409, errorList("conflict", "A contact matching those details already exists with id=abc"), "Conflict"],
      [400, errorList("parameter_invalid", "Email is invalid", "email"), "Invalid"],
      [422, errorList("parameter_invalid", "bad"), "Invalid"],
      [413, undefined, "Invalid"],
      [405, undefined, "UnexpectedStatus"],
      [415, errorList("unsupported_media_type", "JSON only"), "UnexpectedStatus"],
      [
        400,
        errorList("intercom_version_invalid", "Requested resource is not available in current API version."),
        "VersionUnsupported"
      ],
      [429, errorList("rate_limit_exceeded", "Exceeded rate limit"), "RateLimited"],
      [408, undefined, "Server"],
      [500, undefined, "Server"],
      [503, "<html>oops</html>", "Server"]
    ]
    for (const [status, body, tag] of cases) {
      assert.strictEqual(reasonFromResponse(status, body, noHeaders, now)._tag, tag, `${status}`)
    }
  })

  it("does not blame the input for a status a correct request never gets", () => {
    const reason = reasonFromResponse(405, undefined, noHeaders, now)
    assert.deepInclude(reason, { _tag: "UnexpectedStatus", status: 405, code: undefined })
    assert.isFalse(reason.retryable)
  })

  it("keeps Intercom's code, field and message on Invalid", () => {
    const reason = reasonFromResponse(
      400,
      errorList("parameter_invalid", "Email is invalid", "email"),
      noHeaders,
      now
    )
    assert.deepInclude(reason, {
      _tag: "Invalid",
      code: "parameter_invalid",
      field: "email",
      message: "Email is invalid"
    })
    assert.isFalse(reason.retryable)
  })

  it("reads retryAfter from X-RateLimit-Reset, and falls back to one window without it", () => {
    const headers = new Headers({ "x-ratelimit-reset": String(now / 1000 + 7) })
    const reason = reasonFromResponse(429, undefined, headers, now)
    assert.strictEqual(reason._tag, "RateLimited")
    if (reason._tag === "RateLimited") assert.deepStrictEqual(reason.retryAfter, Duration.millis(7000))
    const fallback = reasonFromResponse(429, undefined, noHeaders, now)
    if (fallback._tag === "RateLimited") assert.deepStrictEqual(fallback.retryAfter, Duration.seconds(10))
  })

  it("says which reasons are retryable", () => {
    const retryable = (status: number) => reasonFromResponse(status, undefined, noHeaders, now).retryable
    assert.deepStrictEqual([401, 403, 404, 409, 400].map(retryable), [false, false, false, false, false])
    assert.deepStrictEqual([429, 500, 502, 503, 504].map(retryable), [true, true, true, true, true])
  })
})

describe("IntercomError", () => {
  it("derives a message from operation, reason, status and request id", () => {
    const error = new IntercomError({
      operation: "CreateContact",
      idempotent: true,
      status: 400,
      requestId: "req-1",
      reason: reasonFromResponse(
        400,
        errorList("parameter_invalid", "Email is invalid", "email"),
        noHeaders,
        now
      )
    })
    assert.strictEqual(
      error.message,
      "CreateContact: Invalid (HTTP 400): parameter_invalid at email: Email is invalid [request req-1]"
    )
  })

  it("a non-idempotent call is retryable only when the request provably never arrived", () => {
    const error = (status: number) =>
      new IntercomError({
        operation: "createConversation",
        idempotent: false,
        reason: reasonFromResponse(status, undefined, noHeaders, now)
      })
    assert.isFalse(error(500).retryable)
    assert.isTrue(error(429).retryable)
  })
})
