/**
 * Every refusal the API answers with, and the one place each becomes Intercom's `error.list`: the
 * domain's errors (a missing record, a duplicate, a field Intercom refuses) and the request
 * pipeline's own (no token, a version Intercom lacks, the rate limit, a body that is not JSON, an
 * operation the twin does not serve, an injected fault). Texts are Intercom's where its docs or
 * examples give them.
 */
import { randomUUID } from "node:crypto"
import { rateLimitExceededMessage } from "@taskjuice/intercom-client"
import * as Data from "effect/Data"
import type { DomainError, Resource } from "../domain/DomainError.ts"

/** No Bearer token, or one the workspace never issued. */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{ readonly reason: "NotRetryable" }> {}

/** A token that was revoked (the app was uninstalled). */
export class TokenRevoked extends Data.TaggedError("TokenRevoked")<{ readonly reason: "NotRetryable" }> {}

/** An `Intercom-Version` Intercom does not have. */
export class VersionInvalid extends Data.TaggedError("VersionInvalid")<{
  readonly version: string
  readonly valid: ReadonlyArray<string>
  readonly reason: "NotRetryable"
}> {}

/** A version Intercom has but the twin holds no description of (it serves the pinned ones). */
export class VersionNotSimulated extends Data.TaggedError("VersionNotSimulated")<{
  readonly version: string
  readonly simulated: ReadonlyArray<string>
  readonly reason: "NotRetryable"
}> {}

/** The operation exists, but not in the requested version. */
export class NotInVersion extends Data.TaggedError("NotInVersion")<{
  readonly version: string
  readonly reason: "NotRetryable"
}> {}

/** Past the window's allowance. */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly limit: number
  readonly reason: "Retryable"
}> {}

/** The body is not JSON. */
export class BadJson extends Data.TaggedError("BadJson")<{
  readonly problem: string
  readonly reason: "NotRetryable"
}> {}

export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{
  readonly limitBytes: number
  readonly reason: "NotRetryable"
}> {}

/** An operation of Intercom's description that the twin does not serve. */
export class NotImplemented extends Data.TaggedError("NotImplemented")<{
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly reason: "NotRetryable"
}> {}

/** A path no version of Intercom's description has. */
export class RouteNotFound extends Data.TaggedError("RouteNotFound")<{ readonly reason: "NotRetryable" }> {}

export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed")<{
  readonly allowed: ReadonlyArray<string>
  readonly reason: "NotRetryable"
}> {}

/** A 5xx the fault plan asked for. */
export class InjectedFault extends Data.TaggedError("InjectedFault")<{
  readonly status: number
  readonly reason: "Retryable"
}> {}

export type RequestError =
  | Unauthorized
  | TokenRevoked
  | VersionInvalid
  | VersionNotSimulated
  | NotInVersion
  | RateLimited
  | BadJson
  | BodyTooLarge
  | NotImplemented
  | RouteNotFound
  | MethodNotAllowed
  | InjectedFault

export type ApiError = DomainError | RequestError

export interface ErrorAnswer {
  readonly status: number
  readonly body: ErrorList
  readonly headers?: Readonly<Record<string, string>>
}

export interface ErrorList {
  readonly type: "error.list"
  readonly request_id: string
  readonly errors: ReadonlyArray<{ readonly code: string; readonly message: string; readonly field?: string }>
}

const notFoundTexts: Readonly<Record<Resource, { readonly code: string; readonly message: string }>> = {
  contact: { code: "not_found", message: "User Not Found" },
  conversation: { code: "not_found", message: "Resource Not Found" },
  tag: { code: "not_found", message: "Resource Not Found" },
  company: { code: "company_not_found", message: "Company Not Found" },
  admin: { code: "admin_not_found", message: "Admin not found" }
}

const serverErrorCodes: Readonly<Record<number, string>> = {
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout"
}

const answer = (
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Readonly<Record<string, string>>
): ErrorAnswer => ({
  status,
  body: {
    type: "error.list",
    request_id: randomUUID(),
    errors: [{ code, message, ...(field === undefined ? {} : { field }) }]
  },
  ...(headers === undefined ? {} : { headers })
})

/** The answer Intercom gives for an error. */
export const errorAnswer = (error: ApiError): ErrorAnswer => {
  switch (error._tag) {
    case "NotFound": {
      const text = notFoundTexts[error.resource]
      return answer(404, text.code, text.message)
    }
    case "Conflict":
      return answer(409, "conflict", error.message)
    case "InvalidField":
      return answer(
        400,
        error.problem === "missing" ? "parameter_not_found" : "parameter_invalid",
        error.message,
        error.field
      )
    case "NotAllowed":
      return answer(422, "parameter_invalid", error.message, error.field)
    case "Unauthorized":
      return answer(401, "unauthorized", "Access Token Invalid")
    case "TokenRevoked":
      return answer(401, "token_revoked", "The access token has been revoked")
    case "VersionInvalid":
      return answer(
        400,
        "intercom_version_invalid",
        `Intercom-Version "${error.version}" is not a version Intercom has. Valid versions: ${error.valid.join(", ")}`,
        "Intercom-Version"
      )
    case "VersionNotSimulated":
      return answer(
        400,
        "intercom_version_invalid",
        `The simulator serves Intercom-Version ${error.simulated.join(", ")}; ${error.version} is Intercom's but not simulated`,
        "Intercom-Version"
      )
    case "NotInVersion":
      return answer(
        400,
        "intercom_version_invalid",
        "Requested resource is not available in current API version."
      )
    case "RateLimited":
      return answer(429, "rate_limit_exceeded", rateLimitExceededMessage(error.limit))
    case "BadJson":
      return answer(400, "bad_request", `The body is not valid JSON: ${error.problem}`)
    case "BodyTooLarge":
      return answer(413, "request_too_large", `The body is larger than ${error.limitBytes} bytes`)
    case "NotImplemented":
      return answer(
        501,
        "not_implemented",
        `The simulator does not implement ${error.operationId} (${error.method} ${error.path}); ` +
          "it is Intercom's, but the twin serves only the operations listed in its README"
      )
    case "RouteNotFound":
      return answer(404, "not_found", "Resource Not Found")
    case "MethodNotAllowed":
      return answer(405, "method_not_allowed", `Use ${error.allowed.join(" or ")}`, undefined, {
        allow: error.allowed.join(", ")
      })
    case "InjectedFault":
      return answer(
        error.status,
        serverErrorCodes[error.status] ?? "server_error",
        "The simulator injected this failure"
      )
  }
}
