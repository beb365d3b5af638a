import { type ActionInputInvalid, IntercomError } from "@taskjuice/intercom-core"
import * as Duration from "effect/Duration"

/**
 * The step error TaskJuice records when a step fails instead of returning an output. Its shape is
 * TaskJuice's documented one (code, message, providerStatus, retryable, detail: exactly these five
 * fields, whichever app raised it); the codes are this bundle's fixed catalogue, listed once in
 * `stepErrorCatalogue` so the manifest and the docs page show the same list the runtime returns.
 */

/** A JSON value, so `detail` survives the runtime's storage and replay unchanged. */
export type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json }

export type StepErrorCode =
  | "RATE_LIMITED"
  | "AUTH_REVOKED"
  | "AUTH_MISSING"
  | "FORBIDDEN"
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "VERSION_UNSUPPORTED"
  | "UPSTREAM_UNAVAILABLE"
  | "TIMEOUT"
  | "UPSTREAM_RESPONSE_INVALID"
  | "UNKNOWN_ACTION"
  | "INTERNAL"

export interface StepError {
  readonly code: StepErrorCode
  /** A human summary. Never holds a secret (it may quote what was wrong with the input). */
  readonly message: string
  /** Intercom's HTTP status when Intercom answered; `null` when the step failed before or without an answer. */
  readonly providerStatus: number | null
  /** Whether replaying the run can succeed without anyone changing anything. */
  readonly retryable: boolean
  /** Technical facts (field paths, Intercom's request id, the retry delay); never a secret. */
  readonly detail: { readonly [key: string]: Json }
}

export interface StepErrorCodeDescription {
  readonly code: StepErrorCode
  /** The status Intercom answered with when this code comes from an answer; `null` otherwise. */
  readonly providerStatus: number | null
  readonly retryable: boolean | "depends"
  readonly meaning: string
  /** What someone looking at the failed run should do. */
  readonly remedy: string
}

/** The whole catalogue, in the order the docs page lists it. Adding a code means adding it here. */
export const stepErrorCatalogue: ReadonlyArray<StepErrorCodeDescription> = [
  {
    code: "RATE_LIMITED",
    providerStatus: 429,
    retryable: true,
    meaning:
      "Intercom's rate limit for the workspace or the app was exhausted, even after waiting inside the step.",
    remedy: "Replay after `detail.retryAfterMs`; the limit resets every few seconds."
  },
  {
    code: "AUTH_REVOKED",
    providerStatus: 401,
    retryable: false,
    meaning:
      "Intercom rejected the connection's access token: the app was removed from Intercom's Authorized apps, or the workspace uninstalled it. Intercom tokens never expire and cannot be refreshed.",
    remedy: "Reconnect the Intercom account, then resume the paused runs."
  },
  {
    code: "AUTH_MISSING",
    providerStatus: null,
    retryable: false,
    meaning: "The step names no connection, or one this bundle does not know.",
    remedy: "Pick an Intercom connection on the step."
  },
  {
    code: "FORBIDDEN",
    providerStatus: 403,
    retryable: false,
    meaning:
      "Intercom refused the operation for this workspace: a missing permission (scope) on the app, or a plan restriction.",
    remedy: "Check the app's permissions and the workspace's plan in Intercom."
  },
  {
    code: "VALIDATION_FAILED",
    providerStatus: null,
    retryable: false,
    meaning:
      "The input is invalid: checked before calling Intercom (providerStatus null), or refused by Intercom (400 or 422). `detail.field` names the first field, `detail.issues` lists every one.",
    remedy: "Fix the named field in the step's input."
  },
  {
    code: "NOT_FOUND",
    providerStatus: 404,
    retryable: false,
    meaning: "The contact, conversation or other object the step refers to does not exist in this workspace.",
    remedy: "Check the id the step receives; the object may have been deleted or merged."
  },
  {
    code: "CONFLICT",
    providerStatus: 409,
    retryable: false,
    meaning:
      "Intercom refused the change because it conflicts with existing data, e.g. update-contact giving a contact the email or external_id another contact already has. create-contact does not fail this way: it returns the existing contact, with outcome found.",
    remedy: "Change the conflicting field, or update the contact that already has it."
  },
  {
    code: "VERSION_UNSUPPORTED",
    providerStatus: 400,
    retryable: false,
    meaning:
      "The operation is not available in the Intercom API version this bundle pins. `detail.pinnedVersion` and, when Intercom says, `detail.minimumVersion`.",
    remedy: "Needs a newer bundle; replaying will not help."
  },
  {
    code: "UPSTREAM_UNAVAILABLE",
    providerStatus: null,
    retryable: "depends",
    meaning:
      "Intercom answered with a server error (5xx, status in providerStatus) or could not be reached (providerStatus null). Retryable unless the step may already have taken effect.",
    remedy: "Replay later if retryable; otherwise check in Intercom whether the change happened first."
  },
  {
    code: "TIMEOUT",
    providerStatus: null,
    retryable: "depends",
    meaning:
      "Intercom did not answer in time. Retryable for reads and idempotent writes; a create or reply may already have happened.",
    remedy: "Replay if retryable; otherwise check in Intercom first."
  },
  {
    code: "UPSTREAM_RESPONSE_INVALID",
    providerStatus: null,
    retryable: false,
    meaning: "Intercom answered with a body this bundle could not read as the documented object.",
    remedy: "Report it with `detail.requestId`; replaying will probably fail the same way."
  },
  {
    code: "UNKNOWN_ACTION",
    providerStatus: null,
    retryable: false,
    meaning: "The step names an action key this bundle does not provide.",
    remedy: "Pick an action from the manifest."
  },
  {
    code: "INTERNAL",
    providerStatus: null,
    retryable: false,
    meaning:
      "A defect in the bundle itself, including an Intercom status a correct request never gets (e.g. 405), then carried as providerStatus.",
    remedy: "Report it; the run's detail carries no secrets and can be shared."
  }
]

export const stepErrorCodes: ReadonlyArray<StepErrorCode> = stepErrorCatalogue.map((entry) => entry.code)

export const makeStepError = (
  code: StepErrorCode,
  message: string,
  options: {
    readonly providerStatus?: number | null
    readonly retryable?: boolean
    readonly detail?: StepError["detail"]
  } = {}
): StepError => {
  const described = stepErrorCatalogue.find((entry) => entry.code === code)
  return {
    code,
    message,
    providerStatus: options.providerStatus ?? described?.providerStatus ?? null,
    retryable: options.retryable ?? described?.retryable === true,
    detail: options.detail ?? {}
  }
}

/** What a step can fail with before it becomes a step error. */
export type ActionFailure = ActionInputInvalid | IntercomError

export interface StepErrorContext {
  /** The `Intercom-Version` the bundle sends, reported with VERSION_UNSUPPORTED. */
  readonly pinnedVersion: string
}

/** `["custom_attributes", "plan"]` → `custom_attributes.plan`; `["tags", 0]` → `tags[0]`. */
export const formatFieldPath = (path: ReadonlyArray<PropertyKey> | string): string => {
  if (typeof path === "string") return path
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`
    )
    .join("")
}

const withRequestId = (error: IntercomError, detail: StepError["detail"]): StepError["detail"] =>
  error.requestId === undefined ? detail : { ...detail, requestId: error.requestId }

/** True when the failed request may have changed something in Intercom before its answer was lost. */
const mayHaveTakenEffect = (error: IntercomError): boolean =>
  !error.idempotent && !error.reason.provablyUnsent

/**
 * The one place a failure becomes a step error. Every reason the core can report maps to exactly one
 * code. `retryable` is the core's verdict (it knows whether the call was idempotent and whether the
 * request provably never reached Intercom). Messages are fixed sentences or Intercom's own error text,
 * never the input or the token.
 */
export const toStepError = (failure: ActionFailure, context: StepErrorContext): StepError => {
  if (!(failure instanceof IntercomError)) {
    const issues = failure.issues.map((issue) => ({
      field: formatFieldPath(issue.path),
      message: issue.message
    }))
    const first = issues[0]
    return makeStepError(
      "VALIDATION_FAILED",
      first === undefined
        ? "The input is invalid."
        : `The input is invalid at ${first.field === "" ? "the top level" : `"${first.field}"`}: ${first.message}` +
            (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
      { providerStatus: null, retryable: false, detail: { field: first?.field ?? null, issues } }
    )
  }
  const reason = failure.reason
  const status = failure.status ?? null
  switch (reason._tag) {
    case "RateLimited": {
      const retryAfterMs = Duration.toMillis(reason.retryAfter)
      return makeStepError(
        "RATE_LIMITED",
        `Intercom's rate limit was reached; it resets in ${Math.ceil(retryAfterMs / 1000)} s.`,
        {
          providerStatus: status ?? 429,
          retryable: true,
          detail: withRequestId(failure, { retryAfterMs, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) })
        }
      )
    }
    case "Unauthorized":
      return makeStepError(
        "AUTH_REVOKED",
        "Intercom rejected the connection's access token; the Intercom account needs reconnecting.",
        {
          providerStatus: status ?? 401,
          retryable: false,
          detail: withRequestId(failure, { reconnect: true, intercomCode: reason.code ?? null })
        }
      )
    case "Forbidden":
      return makeStepError(
        "FORBIDDEN",
        `Intercom refused the operation for this workspace: ${reason.message ?? "missing permission or plan restriction"}.`,
        {
          providerStatus: status ?? 403,
          retryable: false,
          detail: withRequestId(failure, { intercomCode: reason.code ?? null })
        }
      )
    case "NotFound":
      return makeStepError(
        "NOT_FOUND",
        "The object the step refers to was not found in this Intercom workspace.",
        {
          providerStatus: status ?? 404,
          retryable: false,
          detail: withRequestId(failure, {
            intercomCode: reason.code ?? null,
            intercomMessage: reason.message ?? null
          })
        }
      )
    case "Conflict":
      return makeStepError(
        "CONFLICT",
        `Intercom refused the change because it conflicts with existing data${reason.message === undefined ? "" : `: ${reason.message}`}.`,
        {
          providerStatus: status ?? 409,
          retryable: false,
          detail: withRequestId(failure, { intercomCode: reason.code ?? null })
        }
      )
    case "Invalid": {
      const field = reason.field ?? null
      const said = reason.message ?? reason.code
      return makeStepError(
        "VALIDATION_FAILED",
        field === null
          ? `Intercom refused the input: ${said}`
          : `Intercom refused the input at "${field}": ${said}`,
        {
          providerStatus: status ?? 400,
          retryable: false,
          detail: withRequestId(failure, {
            field,
            intercomCode: reason.code,
            issues: [{ field: field ?? "", message: said }]
          })
        }
      )
    }
    case "VersionUnsupported":
      return makeStepError(
        "VERSION_UNSUPPORTED",
        `The operation is not available in Intercom API version ${reason.currentVersion ?? context.pinnedVersion}.`,
        {
          providerStatus: status ?? 400,
          retryable: false,
          detail: withRequestId(failure, {
            pinnedVersion: reason.currentVersion ?? context.pinnedVersion,
            minimumVersion: reason.minimumVersion ?? null
          })
        }
      )
    case "Server":
      return makeStepError(
        "UPSTREAM_UNAVAILABLE",
        `Intercom answered with a server error (${reason.status}).`,
        {
          providerStatus: reason.status,
          retryable: failure.retryable,
          detail: withRequestId(failure, { mayHaveTakenEffect: mayHaveTakenEffect(failure) })
        }
      )
    case "Transport":
      if (reason.kind === "timeout") {
        return makeStepError("TIMEOUT", "Intercom did not answer in time.", {
          providerStatus: null,
          retryable: failure.retryable,
          detail: { mayHaveTakenEffect: mayHaveTakenEffect(failure) }
        })
      }
      return makeStepError(
        "UPSTREAM_UNAVAILABLE",
        reason.kind === "refused" ? "Intercom refused the connection." : "Intercom could not be reached.",
        {
          providerStatus: null,
          retryable: failure.retryable,
          detail: { transport: reason.kind, mayHaveTakenEffect: mayHaveTakenEffect(failure) }
        }
      )
    case "UnexpectedStatus":
      return makeStepError(
        "INTERNAL",
        `Intercom answered ${reason.status}, which a correct request never gets: a defect in this integration.`,
        {
          providerStatus: reason.status,
          retryable: false,
          detail: withRequestId(failure, { intercomCode: reason.code ?? null })
        }
      )
    case "Decode":
      return makeStepError(
        "UPSTREAM_RESPONSE_INVALID",
        "Intercom's answer could not be read as the documented object.",
        {
          providerStatus: status,
          retryable: false,
          detail: withRequestId(failure, { problem: reason.message })
        }
      )
  }
}
