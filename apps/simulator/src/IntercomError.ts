/**
 * Intercom's error body, `error.list`, and the error a route handler throws to answer with one.
 */
import { randomUUID } from "node:crypto"
import type { components } from "@taskjuice/intercom-client"
import * as Data from "effect/Data"

export type ErrorList = components["schemas"]["error"]

/**
 * A request the simulator refuses, as Intercom would: the HTTP status, Intercom's error `code`,
 * a message and, when one field is to blame, its path (`from.id`, `attachment_urls[0]`).
 * `reason` tells a caller whether trying again can help.
 */
export class IntercomApiError extends Data.TaggedError("IntercomApiError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly field?: string
  readonly reason: "Retryable" | "NotRetryable"
}> {}

export const apiError = (status: number, code: string, message: string, field?: string): IntercomApiError =>
  new IntercomApiError({
    status,
    code,
    message,
    ...(field === undefined ? {} : { field }),
    reason: status === 429 || status >= 500 ? "Retryable" : "NotRetryable"
  })

export const errorList = (error: Pick<IntercomApiError, "code" | "message" | "field">): ErrorList => ({
  type: "error.list",
  request_id: randomUUID(),
  errors: [
    {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field })
    }
  ]
})

export const unauthorized = (): IntercomApiError => apiError(401, "unauthorized", "Access Token Invalid")
export const tokenRevoked = (): IntercomApiError =>
  apiError(401, "token_revoked", "The access token has been revoked")
export const notFound = (message: string): IntercomApiError => apiError(404, "not_found", message)
