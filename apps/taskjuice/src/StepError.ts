/**
 * The one error table. Every way a request to the host can fail is a {@link HostFailure}; its row
 * says which step error code it becomes, the message and detail it carries, and whether it is
 * retryable (the core's verdict whenever the core has one). Each code has one HTTP status and one
 * description. The manifest's error list, the docs page, the host's HTTP statuses and the webhook
 * endpoint's documented answers are all read from here, and every error body the host sends is
 * `{"error": StepError}`.
 *
 * The step error's shape is TaskJuice's documented one: code, message, providerStatus, retryable,
 * detail, exactly these five fields, whichever app raised it.
 */
import { apiVersion } from "@taskjuice/intercom-client"
import {
  type ActionInputInvalid,
  Conflict,
  Decode,
  Forbidden,
  IntercomError,
  type IntercomErrorReason,
  Invalid,
  NotFound,
  RateLimited,
  Server,
  Transport,
  Unauthorized,
  UnexpectedStatus,
  VersionUnsupported,
  type WebhookEnvelopeError,
  type WebhookSignatureError
} from "@taskjuice/intercom-core"
import * as Duration from "effect/Duration"
import type { JsonShapeExceeded } from "./http/Limits.ts"
import type { OAuthError } from "./OAuth.ts"

/** A JSON value, so `detail` survives the runtime's storage and replay unchanged. */
export type Json = string | number | boolean | null | ReadonlyArray<Json> | { readonly [key: string]: Json }

export interface StepError {
  readonly code: StepErrorCode
  /** A human summary. Never holds a secret (it may quote what was wrong with the input). */
  readonly message: string
  /** Intercom's HTTP status when Intercom answered; `null` when the step failed before or without an answer. */
  readonly providerStatus: number | null
  /** Whether replaying the run can succeed without anyone changing anything. */
  readonly retryable: boolean
  /** Technical facts (field paths, Intercom's request id, the retry delay, the limit); never a secret. */
  readonly detail: { readonly [key: string]: Json }
}

interface CodeEntry {
  /** The host's HTTP status for this code. */
  readonly status: number
  readonly meaning: string
  /** What someone looking at the failed run (or request) should do. */
  readonly remedy: string
}

/** Every code, in the order the docs list them. Adding a code means adding it here. */
const codes = {
  RATE_LIMITED: {
    status: 429,
    meaning:
      "Intercom's rate limit for the workspace or the app was exhausted, even after waiting inside the step.",
    remedy: "Replay after `detail.retryAfterMs`; the limit resets every few seconds."
  },
  AUTH_REVOKED: {
    status: 401,
    meaning:
      "Intercom rejected the connection's access token: the app was removed from Intercom's Authorized apps, or the workspace uninstalled it. Intercom tokens never expire and cannot be refreshed.",
    remedy: "Reconnect the Intercom account, then resume the paused runs."
  },
  AUTH_MISSING: {
    status: 401,
    meaning: "The step names no connection, or one this bundle does not know.",
    remedy: "Pick an Intercom connection on the step."
  },
  FORBIDDEN: {
    status: 403,
    meaning:
      "Intercom refused the operation for this workspace: a missing permission (scope) on the app, or a plan restriction.",
    remedy: "Check the app's permissions and the workspace's plan in Intercom."
  },
  VALIDATION_FAILED: {
    status: 422,
    meaning:
      "The input is invalid: checked before calling Intercom (providerStatus null), or refused by Intercom (400 or 422). `detail.field` names the first field, `detail.issues` lists every one.",
    remedy: "Fix the named field in the step's input."
  },
  NOT_FOUND: {
    status: 404,
    meaning: "The contact, conversation or other object the step refers to does not exist in this workspace.",
    remedy: "Check the id the step receives; the object may have been deleted or merged."
  },
  CONFLICT: {
    status: 409,
    meaning:
      "Intercom refused the change because it conflicts with existing data, e.g. update-contact giving a contact the email or external_id another contact already has. create-contact does not fail this way: it returns the existing contact, with outcome found.",
    remedy: "Change the conflicting field, or update the contact that already has it."
  },
  VERSION_UNSUPPORTED: {
    status: 422,
    meaning:
      "The operation is not available in the Intercom API version this bundle pins. `detail.pinnedVersion` and, when Intercom says, `detail.minimumVersion`.",
    remedy: "Needs a newer bundle; replaying will not help."
  },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    meaning:
      "Intercom answered with a server error (5xx, status in providerStatus) or could not be reached (providerStatus null). Retryable unless the step may already have taken effect.",
    remedy: "Replay later if retryable; otherwise check in Intercom whether the change happened first."
  },
  TIMEOUT: {
    status: 504,
    meaning:
      "Intercom did not answer in time. Retryable for reads and idempotent writes; a create or reply may already have happened.",
    remedy: "Replay if retryable; otherwise check in Intercom first."
  },
  UPSTREAM_RESPONSE_INVALID: {
    status: 502,
    meaning: "Intercom answered with a body this bundle could not read as the documented object.",
    remedy: "Report it with `detail.requestId`; replaying will probably fail the same way."
  },
  UNKNOWN_ACTION: {
    status: 404,
    meaning: "The step names an action key this bundle does not provide.",
    remedy: "Pick an action from the manifest."
  },
  INTERNAL: {
    status: 500,
    meaning:
      "A defect in the bundle itself, including an Intercom status a correct request never gets (e.g. 405), then carried as providerStatus.",
    remedy: "Report it; the run's detail carries no secrets and can be shared."
  },
  UNAUTHENTICATED: {
    status: 401,
    meaning:
      "The request did not prove who sent it: a runtime API call without the right `Authorization: Bearer` token, or a webhook delivery whose signature does not match its body.",
    remedy:
      "Send the runtime token the host was started with (`TASKJUICE_RUNTIME_TOKEN`); for webhooks, check the app's client secret."
  },
  BAD_REQUEST: {
    status: 400,
    meaning:
      "The request itself is malformed: a body that is not the JSON object the route takes, a signed webhook body that is not a notification envelope, or a query parameter out of its choices. `detail.field` names it.",
    remedy: "Fix the request as `message` says."
  },
  LIMIT_EXCEEDED: {
    status: 413,
    meaning:
      "The request is over one of the host's limits; `detail.limit` names it (bodyBytes, jsonDepth, jsonMembers) and `detail.max` its value.",
    remedy: "Send less, or start the host with a higher limit (`detail.flag`)."
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: "A runtime API request with a body that is not declared `Content-Type: application/json`.",
    remedy: "Send the body as JSON with `Content-Type: application/json`."
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    meaning: "No route of this listener has that path.",
    remedy: "Check the path; the runtime API and the public endpoints may be on different ports."
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    meaning:
      "The route exists but not for this method; the `Allow` header and `detail.allowed` list the ones it takes.",
    remedy: "Use one of the allowed methods."
  },
  UNAVAILABLE: {
    status: 503,
    meaning: "A store the host needs (the notification seen-store) failed; nothing was acknowledged.",
    remedy: "Intercom delivers again a minute later; nothing to do unless it persists."
  },
  CONNECT_REFUSED: {
    status: 400,
    meaning:
      "Connecting an Intercom account was refused on TaskJuice's side: the OAuth state is missing, forged, expired, used before or from another browser, the person declined, or the connection being reconnected does not fit.",
    remedy: "Start the connection again from TaskJuice, in the same browser."
  },
  CONNECT_FAILED: {
    status: 502,
    meaning:
      "Connecting an Intercom account failed on Intercom's side: the code exchange or `GET /me` was refused, unreadable, incomplete or unreachable.",
    remedy: "Start the connection again; if it persists, check TaskJuice's app in Intercom's Developer Hub."
  }
} as const satisfies Record<string, CodeEntry>

export type StepErrorCode = keyof typeof codes

/** Everything that can go wrong in one request to the host. */
export type HostFailure =
  | { readonly _tag: "Intercom"; readonly error: IntercomError }
  | { readonly _tag: "InputInvalid"; readonly error: ActionInputInvalid }
  | { readonly _tag: "UnknownAction"; readonly key: string }
  | { readonly _tag: "NoConnection" }
  | { readonly _tag: "UnknownConnection"; readonly connection: string }
  | { readonly _tag: "ConnectionRevoked"; readonly connection: string }
  | { readonly _tag: "OutputUnencodable"; readonly action: string }
  | { readonly _tag: "Defect"; readonly action: string | undefined }
  | { readonly _tag: "RuntimeTokenInvalid"; readonly problem: "missing" | "malformed" | "mismatch" }
  | { readonly _tag: "SignatureInvalid"; readonly error: WebhookSignatureError }
  | { readonly _tag: "EnvelopeUnreadable"; readonly error: WebhookEnvelopeError }
  | { readonly _tag: "BodyInvalid"; readonly expected: string }
  | {
      readonly _tag: "ParameterInvalid"
      readonly field: string
      readonly message: string
      readonly choices: ReadonlyArray<string>
    }
  | { readonly _tag: "BodyTooLarge"; readonly max: number; readonly flag: string }
  | { readonly _tag: "JsonShape"; readonly exceeded: JsonShapeExceeded; readonly flag: string }
  | { readonly _tag: "UnsupportedMediaType"; readonly contentType: string | undefined }
  | { readonly _tag: "RouteNotFound"; readonly path: string }
  | { readonly _tag: "MethodNotAllowed"; readonly method: string; readonly allowed: ReadonlyArray<string> }
  | { readonly _tag: "StoreUnavailable" }
  | { readonly _tag: "OAuth"; readonly error: OAuthError }

type Detail = StepError["detail"]

/**
 * One way to fail. `verdict` is where `retryable` comes from: a sample of the core's reason (the
 * catalogue reads the core's rule off it; at run time the failure's own verdict is used), or the
 * host's own answer for failures the core knows nothing of.
 */
interface Row<F> {
  readonly code: StepErrorCode
  /** Intercom's status when this row comes from an answer; `null` otherwise. */
  readonly providerStatus: number | null
  readonly verdict: IntercomErrorReason | boolean
  readonly message: (failure: F) => string
  readonly detail: (failure: F) => Detail
}

type IntercomRowKey = Exclude<IntercomErrorReason["_tag"], "Transport"> | "TransportTimeout" | "Transport"

const withRequestId = (error: IntercomError, detail: Detail): Detail =>
  error.requestId === undefined ? detail : { ...detail, requestId: error.requestId }

/** True when the failed request may have changed something in Intercom before its answer was lost. */
const mayHaveTakenEffect = (error: IntercomError): boolean =>
  !error.idempotent && !error.reason.provablyUnsent

const intercomRows: { readonly [K in IntercomRowKey]: Row<IntercomError> } = {
  RateLimited: {
    code: "RATE_LIMITED",
    providerStatus: 429,
    verdict: new RateLimited({ retryAfter: Duration.zero }),
    message: (error) =>
      `Intercom's rate limit was reached; it resets in ${Math.ceil(Duration.toMillis(error.retryAfter ?? Duration.zero) / 1000)} s.`,
    detail: (error) => {
      const retryAfterMs = Duration.toMillis(error.retryAfter ?? Duration.zero)
      return withRequestId(error, { retryAfterMs, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) })
    }
  },
  Unauthorized: {
    code: "AUTH_REVOKED",
    providerStatus: 401,
    verdict: new Unauthorized({}),
    message: () =>
      "Intercom rejected the connection's access token; the Intercom account needs reconnecting.",
    detail: (error) =>
      withRequestId(error, { reconnect: true, intercomCode: (error.reason as Unauthorized).code ?? null })
  },
  Forbidden: {
    code: "FORBIDDEN",
    providerStatus: 403,
    verdict: new Forbidden({}),
    message: (error) =>
      `Intercom refused the operation for this workspace: ${(error.reason as Forbidden).message ?? "missing permission or plan restriction"}.`,
    detail: (error) => withRequestId(error, { intercomCode: (error.reason as Forbidden).code ?? null })
  },
  NotFound: {
    code: "NOT_FOUND",
    providerStatus: 404,
    verdict: new NotFound({}),
    message: () => "The object the step refers to was not found in this Intercom workspace.",
    detail: (error) => {
      const reason = error.reason as NotFound
      return withRequestId(error, {
        intercomCode: reason.code ?? null,
        intercomMessage: reason.message ?? null
      })
    }
  },
  Conflict: {
    code: "CONFLICT",
    providerStatus: 409,
    verdict: new Conflict({}),
    message: (error) => {
      const said = (error.reason as Conflict).message
      return `Intercom refused the change because it conflicts with existing data${said === undefined ? "" : `: ${said}`}.`
    },
    detail: (error) => withRequestId(error, { intercomCode: (error.reason as Conflict).code ?? null })
  },
  Invalid: {
    code: "VALIDATION_FAILED",
    providerStatus: 400,
    verdict: new Invalid({ code: "", field: undefined, message: undefined }),
    message: (error) => {
      const reason = error.reason as Invalid
      const said = reason.message ?? reason.code
      return reason.field === undefined
        ? `Intercom refused the input: ${said}`
        : `Intercom refused the input at "${reason.field}": ${said}`
    },
    detail: (error) => {
      const reason = error.reason as Invalid
      const field = reason.field ?? null
      return withRequestId(error, {
        field,
        intercomCode: reason.code,
        issues: [{ field: field ?? "", message: reason.message ?? reason.code }]
      })
    }
  },
  VersionUnsupported: {
    code: "VERSION_UNSUPPORTED",
    providerStatus: 400,
    verdict: new VersionUnsupported({}),
    message: (error) =>
      `The operation is not available in Intercom API version ${pinnedVersionOf(error.reason as VersionUnsupported)}.`,
    detail: (error) => {
      const reason = error.reason as VersionUnsupported
      return withRequestId(error, {
        pinnedVersion: pinnedVersionOf(reason),
        minimumVersion: reason.minimumVersion ?? null
      })
    }
  },
  Server: {
    code: "UPSTREAM_UNAVAILABLE",
    providerStatus: null,
    verdict: new Server({ status: 500 }),
    message: (error) => `Intercom answered with a server error (${(error.reason as Server).status}).`,
    detail: (error) => withRequestId(error, { mayHaveTakenEffect: mayHaveTakenEffect(error) })
  },
  TransportTimeout: {
    code: "TIMEOUT",
    providerStatus: null,
    verdict: new Transport({ kind: "timeout" }),
    message: () => "Intercom did not answer in time.",
    detail: (error) => ({ mayHaveTakenEffect: mayHaveTakenEffect(error) })
  },
  Transport: {
    code: "UPSTREAM_UNAVAILABLE",
    providerStatus: null,
    verdict: new Transport({ kind: "network" }),
    message: (error) =>
      (error.reason as Transport).kind === "refused"
        ? "Intercom refused the connection."
        : "Intercom could not be reached.",
    detail: (error) => ({
      transport: (error.reason as Transport).kind,
      mayHaveTakenEffect: mayHaveTakenEffect(error)
    })
  },
  UnexpectedStatus: {
    code: "INTERNAL",
    providerStatus: null,
    verdict: new UnexpectedStatus({ status: 405, code: undefined }),
    message: (error) =>
      `Intercom answered ${(error.reason as UnexpectedStatus).status}, which a correct request never gets: a defect in this integration.`,
    detail: (error) => withRequestId(error, { intercomCode: (error.reason as UnexpectedStatus).code ?? null })
  },
  Decode: {
    code: "UPSTREAM_RESPONSE_INVALID",
    providerStatus: null,
    verdict: new Decode({ message: "" }),
    message: () => "Intercom's answer could not be read as the documented object.",
    detail: (error) => withRequestId(error, { problem: (error.reason as Decode).message })
  }
}

/** The version Intercom named, else the `Intercom-Version` the bundle sends. */
const pinnedVersionOf = (reason: VersionUnsupported) => reason.currentVersion ?? apiVersion

/** `["custom_attributes", "plan"]` → `custom_attributes.plan`; `["tags", 0]` → `tags[0]`. */
export const formatFieldPath = (path: ReadonlyArray<PropertyKey> | string): string => {
  if (typeof path === "string") return path
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`
    )
    .join("")
}

type Failure<T extends HostFailure["_tag"]> = Extract<HostFailure, { readonly _tag: T }>
type HostRows = { readonly [T in Exclude<HostFailure["_tag"], "Intercom" | "OAuth">]: Row<Failure<T>> }

const hostRows: HostRows = {
  InputInvalid: {
    code: "VALIDATION_FAILED",
    providerStatus: null,
    verdict: false,
    message: ({ error }) => {
      const first = error.issues[0]
      if (first === undefined) return "The input is invalid."
      const field = formatFieldPath(first.path)
      const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : ""
      return `The input is invalid at ${field === "" ? "the top level" : `"${field}"`}: ${first.message}${more}`
    },
    detail: ({ error }) => {
      const issues = error.issues.map((issue) => ({
        field: formatFieldPath(issue.path),
        message: issue.message
      }))
      return { field: issues[0]?.field ?? null, issues }
    }
  },
  UnknownAction: {
    code: "UNKNOWN_ACTION",
    providerStatus: null,
    verdict: false,
    message: ({ key }) => `This bundle has no action "${key}".`,
    detail: ({ key }) => ({ action: key })
  },
  NoConnection: {
    code: "AUTH_MISSING",
    providerStatus: null,
    verdict: false,
    message: () => "The step names no Intercom connection.",
    detail: () => ({ field: "connection" })
  },
  UnknownConnection: {
    code: "AUTH_MISSING",
    providerStatus: null,
    verdict: false,
    message: () => "The step's Intercom connection does not exist.",
    detail: ({ connection }) => ({ field: "connection", connection })
  },
  ConnectionRevoked: {
    code: "AUTH_REVOKED",
    providerStatus: null,
    verdict: false,
    message: () =>
      "Intercom rejected this connection's access token earlier; the Intercom account needs reconnecting.",
    detail: ({ connection }) => ({ reconnect: true, connection })
  },
  OutputUnencodable: {
    code: "INTERNAL",
    providerStatus: null,
    verdict: false,
    message: ({ action }) => `The output of ${action} could not be encoded as JSON.`,
    detail: ({ action }) => ({ action })
  },
  Defect: {
    code: "INTERNAL",
    providerStatus: null,
    verdict: false,
    message: ({ action }) =>
      action === undefined
        ? "The host failed while answering."
        : `The bundle failed while running ${action}.`,
    detail: ({ action }) => (action === undefined ? {} : { action })
  },
  RuntimeTokenInvalid: {
    code: "UNAUTHENTICATED",
    providerStatus: null,
    verdict: false,
    message: ({ problem }) =>
      problem === "missing"
        ? "This runtime API route needs an `Authorization: Bearer <token>` header with the host's runtime token."
        : problem === "malformed"
          ? "The Authorization header must be `Bearer <token>`."
          : "The bearer token is not this host's runtime token.",
    detail: ({ problem }) => ({ field: "authorization", problem })
  },
  SignatureInvalid: {
    code: "UNAUTHENTICATED",
    providerStatus: null,
    verdict: false,
    message: ({ error }) => error.message,
    detail: ({ error }) => ({ field: "signature", reason: error.reason._tag })
  },
  EnvelopeUnreadable: {
    code: "BAD_REQUEST",
    providerStatus: null,
    verdict: false,
    message: ({ error }) => error.message,
    detail: ({ error }) => ({ field: "body", reason: error.reason._tag })
  },
  BodyInvalid: {
    code: "BAD_REQUEST",
    providerStatus: null,
    verdict: false,
    message: ({ expected }) => `The request body must be ${expected}.`,
    detail: () => ({ field: "body" })
  },
  ParameterInvalid: {
    code: "BAD_REQUEST",
    providerStatus: null,
    verdict: false,
    message: ({ message }) => message,
    detail: ({ field, choices }) => ({ field, choices: [...choices] })
  },
  BodyTooLarge: {
    code: "LIMIT_EXCEEDED",
    providerStatus: null,
    verdict: false,
    message: ({ max }) => `The body is over the host's limit of ${max} bytes (bodyBytes).`,
    detail: ({ max, flag }) => ({ limit: "bodyBytes", max, flag })
  },
  JsonShape: {
    code: "LIMIT_EXCEEDED",
    providerStatus: null,
    verdict: false,
    message: ({ exceeded }) =>
      exceeded.limit === "jsonDepth"
        ? `The JSON body nests deeper than the host's limit of ${exceeded.max} levels (jsonDepth), at byte ${exceeded.offset}.`
        : `The JSON body has more than the host's limit of ${exceeded.max} members (jsonMembers), at byte ${exceeded.offset}.`,
    detail: ({ exceeded, flag }) => ({
      limit: exceeded.limit,
      max: exceeded.max,
      offset: exceeded.offset,
      flag
    })
  },
  UnsupportedMediaType: {
    code: "UNSUPPORTED_MEDIA_TYPE",
    providerStatus: null,
    verdict: false,
    message: ({ contentType }) =>
      `The body must be sent as Content-Type: application/json${contentType === undefined ? " (none was given)" : `, not ${contentType}`}.`,
    detail: ({ contentType }) => ({
      field: "content-type",
      got: contentType ?? null,
      choices: ["application/json"]
    })
  },
  RouteNotFound: {
    code: "ROUTE_NOT_FOUND",
    providerStatus: null,
    verdict: false,
    message: ({ path }) => `No route for ${path}.`,
    detail: ({ path }) => ({ path })
  },
  MethodNotAllowed: {
    code: "METHOD_NOT_ALLOWED",
    providerStatus: null,
    verdict: false,
    message: ({ method, allowed }) => `${method} is not allowed here; use ${allowed.join(" or ")}.`,
    detail: ({ method, allowed }) => ({ method, allowed: [...allowed] })
  },
  StoreUnavailable: {
    code: "UNAVAILABLE",
    providerStatus: null,
    verdict: true,
    message: () => "The notification seen-store is unavailable.",
    detail: () => ({})
  }
}

type OAuthReasonTag = OAuthError["reason"]["_tag"]

/** Whether the person (or a forger) is at fault, or Intercom. */
const oauthRows: { readonly [T in OAuthReasonTag]: StepErrorCode } = {
  StateInvalid: "CONNECT_REFUSED",
  SessionMismatch: "CONNECT_REFUSED",
  Denied: "CONNECT_REFUSED",
  MissingCode: "CONNECT_REFUSED",
  WorkspaceMismatch: "CONNECT_REFUSED",
  UnknownConnection: "CONNECT_REFUSED",
  ExchangeRejected: "CONNECT_FAILED",
  IdentityRejected: "CONNECT_FAILED",
  UnreadableResponse: "CONNECT_FAILED",
  IdentityIncomplete: "CONNECT_FAILED",
  Unreachable: "CONNECT_FAILED"
}

const oauthRow = (tag: OAuthReasonTag): Row<OAuthError> => ({
  code: oauthRows[tag],
  providerStatus: null,
  verdict: false,
  message: (error) => error.message,
  detail: (error) => ({ reason: error.reason._tag })
})

const intercomRowKey = (error: IntercomError): IntercomRowKey =>
  error.reason._tag === "Transport" && error.reason.kind === "timeout"
    ? "TransportTimeout"
    : error.reason._tag

export interface ErrorAnswer {
  readonly status: number
  readonly error: StepError
  readonly headers: Readonly<Record<string, string>>
}

/** The HTTP answer for a step error: its code's status, and `Retry-After` when it says when. */
export const answerOf = (error: StepError, headers: Readonly<Record<string, string>> = {}): ErrorAnswer => {
  const retryAfter = error.detail.retryAfterSeconds
  return {
    status: codes[error.code].status,
    error,
    headers: typeof retryAfter === "number" ? { ...headers, "retry-after": String(retryAfter) } : headers
  }
}

/** The one place a failure becomes a step error, with the host's HTTP answer for it. */
export const resolveFailure = (failure: HostFailure): ErrorAnswer =>
  answerOf(
    toStepError(failure),
    failure._tag === "MethodNotAllowed"
      ? { allow: failure.allowed.join(", ") }
      : failure._tag === "RuntimeTokenInvalid"
        ? { "www-authenticate": 'Bearer realm="taskjuice-runtime"' }
        : {}
  )

export const toStepError = (failure: HostFailure): StepError => {
  switch (failure._tag) {
    case "Intercom": {
      const row = intercomRows[intercomRowKey(failure.error)]
      return {
        code: row.code,
        message: row.message(failure.error),
        providerStatus: failure.error.status ?? row.providerStatus,
        retryable: failure.error.retryable,
        detail: row.detail(failure.error)
      }
    }
    case "OAuth": {
      const row = oauthRow(failure.error.reason._tag)
      return {
        code: row.code,
        message: row.message(failure.error),
        providerStatus: null,
        retryable: false,
        detail: row.detail(failure.error)
      }
    }
    default: {
      const row = hostRows[failure._tag] as Row<HostFailure>
      const retryable =
        failure._tag === "SignatureInvalid" || failure._tag === "EnvelopeUnreadable"
          ? failure.error.retryable
          : row.verdict === true
      return {
        code: row.code,
        message: row.message(failure),
        providerStatus: row.providerStatus,
        retryable,
        detail: row.detail(failure)
      }
    }
  }
}

/** A failure of an action step: Intercom's, or the input's. */
export const fromActionFailure = (failure: ActionInputInvalid | IntercomError): HostFailure =>
  failure instanceof IntercomError
    ? { _tag: "Intercom", error: failure }
    : { _tag: "InputInvalid", error: failure }

export interface StepErrorCodeDescription {
  readonly code: StepErrorCode
  /** The host's HTTP status for this code. */
  readonly httpStatus: number
  /** The status Intercom answered with when this code comes from an answer; `null` otherwise. */
  readonly providerStatus: number | null
  readonly retryable: boolean | "depends"
  readonly meaning: string
  readonly remedy: string
}

/** The core's rule for a reason: always (it proves the request unsent), never, or per call. */
const verdictOf = (verdict: IntercomErrorReason | boolean): boolean | "depends" =>
  typeof verdict === "boolean"
    ? verdict
    : !verdict.retryable
      ? false
      : verdict.provablyUnsent
        ? true
        : "depends"

const everyRow: ReadonlyArray<Pick<Row<never>, "code" | "providerStatus" | "verdict">> = [
  ...Object.values(intercomRows),
  ...Object.values(hostRows),
  ...(Object.keys(oauthRows) as Array<OAuthReasonTag>).map(oauthRow)
]

/** The whole catalogue, in the order the docs page lists it, derived from the rows. */
export const stepErrorCatalogue: ReadonlyArray<StepErrorCodeDescription> = (
  Object.entries(codes) as Array<[StepErrorCode, CodeEntry]>
).map(([code, entry]) => {
  const rows = everyRow.filter((row) => row.code === code)
  const verdicts = new Set(rows.map((row) => verdictOf(row.verdict)))
  const statuses = new Set(rows.map((row) => row.providerStatus))
  return {
    code,
    httpStatus: entry.status,
    providerStatus: statuses.size === 1 ? [...statuses][0]! : null,
    retryable: verdicts.size === 1 ? [...verdicts][0]! : "depends",
    meaning: entry.meaning,
    remedy: entry.remedy
  }
})

export const stepErrorCodes: ReadonlyArray<StepErrorCode> = stepErrorCatalogue.map((entry) => entry.code)

/** The host's status for each step error code; the body always carries the step error itself. */
export const stepErrorHttpStatus: Readonly<Record<StepErrorCode, number>> = Object.fromEntries(
  stepErrorCatalogue.map((entry) => [entry.code, entry.httpStatus])
) as Record<StepErrorCode, number>

/** The webhook endpoint's failures, in the order it checks them, for the manifest and the docs. */
export const webhookFailureOrder: ReadonlyArray<{ readonly code: StepErrorCode; readonly when: string }> = [
  {
    code: "METHOD_NOT_ALLOWED",
    when: "any method but POST (and HEAD, which Intercom uses to validate the URL); the Allow header lists them"
  },
  {
    code: "LIMIT_EXCEEDED",
    when: "the body is over bodyBytes, or (signed) nests deeper than jsonDepth or has more than jsonMembers members"
  },
  {
    code: "UNAUTHENTICATED",
    when: "the signature header is missing, malformed or does not match the raw body"
  },
  { code: "BAD_REQUEST", when: "the body is signed correctly but is not a readable notification envelope" },
  { code: "UNAVAILABLE", when: "the notification seen-store failed; Intercom delivers again" }
]
