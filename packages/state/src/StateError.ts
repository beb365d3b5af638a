/**
 * The stores' errors. Each says whether it is retryable: `InboxFull` and `StoreUnavailable` are (the host
 * answers 503, Intercom delivers again later); a bad key or location is the operator's to fix.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * A backend could not be reached or answered with an error (a Redis outage, a SQLite lock held past the
 * busy timeout, a full disk).
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreUnavailable extends Data.TaggedError("StoreUnavailable")<{
  readonly backend: "memory" | "sqlite" | "redis"
  readonly operation: string
  readonly cause: unknown
}> {
  readonly retryable = true

  override get message(): string {
    const detail = this.cause instanceof Error ? `: ${this.cause.message}` : ""
    return `The ${this.backend} state store failed during ${this.operation}${detail}`
  }
}

/**
 * The inbox refuses a delivery rather than forget a dedupe key inside its window or drop an
 * unacknowledged activation: `Keys` (dedupe keys in their window), `Records` or `Bytes` (unacknowledged
 * activations) reached their limit. Retryable: acknowledge activations, or let keys expire.
 *
 * @since 0.1.0
 * @category errors
 */
export class InboxFull extends Data.TaggedError("InboxFull")<{
  readonly limit: "Keys" | "Records" | "Bytes"
  readonly capacity: number
}> {
  readonly retryable = true

  override get message(): string {
    const what = {
      Keys: "dedupe keys inside their window",
      Records: "unacknowledged activations",
      Bytes: "bytes of unacknowledged activations"
    }[this.limit]
    return `The activation inbox is full (${this.capacity} ${what}); answer 503 so Intercom delivers again later`
  }
}

/**
 * `TASKJUICE_STATE_KEY` or `TASKJUICE_STATE_PREVIOUS_KEYS` is missing or malformed. Not retryable: the
 * message names the variable, the reason and how to make a key.
 *
 * @since 0.1.0
 * @category errors
 */
export class StateKeyError extends Data.TaggedError("StateKeyError")<{
  readonly variable: string
  readonly reason: string
}> {
  readonly retryable = false

  override get message(): string {
    return `${this.variable} ${this.reason}. Make a key with \`openssl rand -base64 32\` (or \`node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"\`) and set ${this.variable}.`
  }
}

/**
 * A stored token was encrypted under a key that is neither `TASKJUICE_STATE_KEY` nor one of
 * `TASKJUICE_STATE_PREVIOUS_KEYS`, or its ciphertext was altered. Not retryable.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenUnreadable extends Data.TaggedError("TokenUnreadable")<{
  readonly connectionId: string
  readonly reason: "UnknownKey" | "Tampered"
}> {
  readonly retryable = false

  override get message(): string {
    return this.reason === "UnknownKey"
      ? `The token of connection ${this.connectionId} was encrypted under a key that is neither TASKJUICE_STATE_KEY nor in TASKJUICE_STATE_PREVIOUS_KEYS: add the old key to TASKJUICE_STATE_PREVIOUS_KEYS, or reconnect`
      : `The token of connection ${this.connectionId} does not decrypt (altered at rest): reconnect`
  }
}

/**
 * `--state` or `TASKJUICE_STATE` is not a state location.
 *
 * @since 0.1.0
 * @category errors
 */
export class StateLocationError extends Data.TaggedError("StateLocationError")<{
  readonly field: string
  readonly value: string
  readonly reason: string
}> {
  readonly retryable = false

  override get message(): string {
    return `${this.field} ${JSON.stringify(this.value)} ${this.reason}; valid forms: sqlite:PATH (default sqlite:.taskjuice/state.sqlite), redis://HOST:PORT/DB, memory`
  }
}

/**
 * What the stores' operations fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type StoreError = StoreUnavailable | TokenUnreadable

/**
 * A cursor that this backend never handed out (the runtime's bad input): `read`'s `after` or `ack`'s.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCursor extends Data.TaggedError("InvalidCursor")<{
  readonly cursor: string
  readonly expected: string
}> {
  readonly retryable = false

  override get message(): string {
    return `cursor ${JSON.stringify(this.cursor.slice(0, 64))} is not an inbox cursor: expected ${this.expected}, as read handed it out`
  }
}
