/**
 * The one error every Intercom call fails with: an outer tagged error whose `reason` says what went
 * wrong and whether trying again can help. HTTP statuses are mapped to reasons in exactly one
 * function, `reasonFromResponse`; actions never look at status codes.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/** 429: the workspace's budget for the current window is spent. */
export class RateLimited extends Data.TaggedClass("RateLimited")<{
  /** How long until the window resets (from `X-RateLimit-Reset`). */
  readonly retryAfter: Duration.Duration
}> {
  readonly retryable = true
  /** Intercom rejects a rate-limited request before doing anything with it. */
  readonly provablyUnsent = true
  get detail(): string {
    return `retry after ${Duration.toMillis(this.retryAfter)} ms`
  }
}

/** 401: the token is invalid or revoked; the connection needs reconnecting. */
export class Unauthorized extends Data.TaggedClass("Unauthorized")<{ readonly code?: string }> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return `the access token was rejected${this.code === undefined ? "" : ` (${this.code})`}; reconnect the workspace`
  }
}

/** 402/403: the workspace's plan or the app's scopes do not allow this call. */
export class Forbidden extends Data.TaggedClass("Forbidden")<{
  readonly code?: string
  readonly message?: string
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return this.message ?? this.code ?? "not allowed by the workspace's plan or the app's scopes"
  }
}

/** 404/410: the object does not exist (or was merged into another). */
export class NotFound extends Data.TaggedClass("NotFound")<{
  readonly code?: string
  readonly message?: string
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return this.message ?? "not found"
  }
}

/** 409: the change conflicts with an existing object (e.g. another contact has that email or external_id). */
export class Conflict extends Data.TaggedClass("Conflict")<{
  readonly code?: string
  readonly message?: string
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return this.message ?? "conflicts with an existing object"
  }
}

/** 400/422 and other client errors: Intercom's own code, field and message are kept. */
export class Invalid extends Data.TaggedClass("Invalid")<{
  readonly code: string
  readonly field: string | undefined
  readonly message: string | undefined
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    const where = this.field === undefined ? "" : ` at ${this.field}`
    return `${this.code}${where}${this.message === undefined ? "" : `: ${this.message}`}`
  }
}

/** The call needs a newer Intercom API version than the one in use. */
export class VersionUnsupported extends Data.TaggedClass("VersionUnsupported")<{
  readonly minimumVersion?: string
  readonly feature?: string
  readonly currentVersion?: string
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    const what = this.feature ?? "this request"
    const needs =
      this.minimumVersion === undefined
        ? "a different API version"
        : `Intercom API ${this.minimumVersion} or later`
    const current = this.currentVersion === undefined ? "" : ` (this build uses ${this.currentVersion})`
    return `${what} needs ${needs}${current}`
  }
}

/** 5xx (and 408): Intercom failed; the request may or may not have been applied. */
export class Server extends Data.TaggedClass("Server")<{ readonly status: number }> {
  readonly retryable = true
  readonly provablyUnsent = false
  get detail(): string {
    return `Intercom answered ${this.status}`
  }
}

/** No usable answer: timed out, connection lost, or connection refused. */
export class Transport extends Data.TaggedClass("Transport")<{
  readonly kind: "timeout" | "network" | "refused"
}> {
  readonly retryable = true
  /** A refused connection never carried the request. */
  get provablyUnsent(): boolean {
    return this.kind === "refused"
  }
  get detail(): string {
    return this.kind === "timeout"
      ? "no answer within the request timeout"
      : this.kind === "refused"
        ? "connection refused"
        : "the connection failed"
  }
}

/** A 2xx answer whose body does not match what the action promises. */
export class Decode extends Data.TaggedClass("Decode")<{ readonly message: string }> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return `unexpected response: ${this.message}`
  }
}

/**
 * A status no documented Intercom behaviour explains for a well-formed request (405, 406, 415…):
 * our request is wrong, not the user's input, so it is neither `Invalid` nor worth retrying.
 */
export class UnexpectedStatus extends Data.TaggedClass("UnexpectedStatus")<{
  readonly status: number
  readonly code: string | undefined
}> {
  readonly retryable = false
  readonly provablyUnsent = false
  get detail(): string {
    return `Intercom answered ${this.status}${this.code === undefined ? "" : ` (${this.code})`}`
  }
}

export type IntercomErrorReason =
  | RateLimited
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | Invalid
  | VersionUnsupported
  | Server
  | Transport
  | Decode
  | UnexpectedStatus

export class IntercomError extends Data.TaggedError("IntercomError")<{
  readonly reason: IntercomErrorReason
  /** The Intercom operationId (or action step) that failed, e.g. "CreateContact". */
  readonly operation: string
  readonly status?: number
  readonly requestId?: string
  /**
   * Whether the failed call may be sent again even if it reached Intercom. False for calls that
   * create something without a natural key (conversations, replies): those are only retried when
   * the reason proves the request never arrived.
   */
  readonly idempotent: boolean
}> {
  /** Whether trying the same call again can help and is safe. */
  get retryable(): boolean {
    return this.reason.retryable && (this.idempotent || this.reason.provablyUnsent)
  }

  get retryAfter(): Duration.Duration | undefined {
    return this.reason._tag === "RateLimited" ? this.reason.retryAfter : undefined
  }

  // Derived only from the reason and non-secret metadata: a token can never end up here.
  override get message(): string {
    const status = this.status === undefined ? "" : ` (HTTP ${this.status})`
    const request = this.requestId === undefined ? "" : ` [request ${this.requestId}]`
    return `${this.operation}: ${this.reason._tag}${status}: ${this.reason.detail}${request}`
  }
}

/** Intercom's `error.list` body, read defensively: any field may be missing. */
interface ErrorListEntry {
  readonly code: string | undefined
  readonly message: string | undefined
  readonly field: string | undefined
}

const stringField = (value: unknown, key: string): string | undefined => {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined
  const field: unknown = Reflect.get(value, key)
  return typeof field === "string" && field !== "" ? field : undefined
}

const firstError = (body: unknown): ErrorListEntry => {
  const errors: unknown = typeof body === "object" && body !== null ? Reflect.get(body, "errors") : undefined
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined
  return {
    code: stringField(first, "code"),
    message: stringField(first, "message"),
    field: stringField(first, "field")
  }
}

/** The `request_id` Intercom puts in error bodies (and the `X-Request-Id` header), for support tickets. */
export const requestIdFrom = (body: unknown, headers: Headers): string | undefined =>
  stringField(body, "request_id") ?? headers.get("x-request-id") ?? undefined

/** When the 429 carries no usable reset, wait one of Intercom's 10-second windows. */
export const defaultRetryAfter = Duration.seconds(10)

/**
 * The one mapping from an HTTP answer to a reason. `nowMillis` is the caller's clock, used to turn
 * `X-RateLimit-Reset` (Unix seconds) into a wait.
 */
export const reasonFromResponse = (
  status: number,
  body: unknown,
  headers: Headers,
  nowMillis: number
): IntercomErrorReason => {
  const error = firstError(body)
  const withCode = error.code === undefined ? {} : { code: error.code }
  const withMessage = error.message === undefined ? {} : { message: error.message }
  if (status === 429) {
    const resetAt = Number(headers.get("x-ratelimit-reset") ?? Number.NaN)
    const retryAfter = Number.isFinite(resetAt)
      ? Duration.millis(Math.max(0, resetAt * 1000 - nowMillis))
      : defaultRetryAfter
    return new RateLimited({ retryAfter })
  }
  if (status === 401) return new Unauthorized(withCode)
  if (status === 402 || status === 403) return new Forbidden({ ...withCode, ...withMessage })
  if (status === 404 || status === 410) return new NotFound({ ...withCode, ...withMessage })
  if (status === 409) return new Conflict({ ...withCode, ...withMessage })
  if (error.code === "intercom_version_invalid") return new VersionUnsupported({})
  if (status === 408 || status >= 500) return new Server({ status })
  // Intercom refuses bad input with 400 or 422 (413 when it is too large); other statuses are ours.
  if (status === 400 || status === 413 || status === 422) {
    return new Invalid({ code: error.code ?? `http_${status}`, field: error.field, message: error.message })
  }
  return new UnexpectedStatus({ status, code: error.code })
}
