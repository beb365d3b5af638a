/**
 * The one request pipeline every API operation runs through, as middleware around its handler:
 *
 *   fault → auth → version → rate limit → body → validate → handler
 *
 * Each stage either refuses (an `ApiError`, answered as Intercom's `error.list` by
 * `IntercomErrors.ts`) or fills in its part of the `ApiCall` and passes it on. The answer is shaped by
 * the request's version, carries the `X-RateLimit-*` headers whenever the request was authenticated
 * (injected faults and refusals included), and is what the after-the-work faults (`malformed`,
 * `drop-after`, `slow-after`) cut, lose or delay.
 *
 * It is the twin's hot path (a workflow polling a contact), so it does no work a request does not
 * need: a stage that has nothing to wait for returns an `Exit`, and a request whose stages all did is
 * answered in the same step, without a continuation (`Exit.isExit`); the clock is read once per
 * request, the query string parsed only when a stage or handler reads it, the headers read from
 * Node's request as Node parsed them, and a GET's validation is skipped when its operation has no
 * query parameter to check.
 */
import type { IncomingHttpHeaders } from "node:http"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import {
  intercomVersions,
  isIntercomVersion,
  pinnedVersions,
  type RateLimit,
  type RateLimitWindow,
  rateLimitHeaderNames,
  versionHeader
} from "@taskjuice/intercom-client"
import type { ValidateFunction } from "ajv"
import * as ByteSize from "effect/ByteSize"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import { fromSchemaProblem, InvalidField } from "../domain/DomainError.ts"
import type { TokenRecord } from "../domain/Records.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import type { FaultPlan, FaultRule } from "../Faults.ts"
import type { Descriptions } from "../spec/Descriptions.ts"
import type { ParameterSpec } from "../spec/SpecSchemas.ts"
import type { VersionSpec } from "../spec/VersionSpec.ts"
import {
  type ApiError,
  BadJson,
  BodyTooLarge,
  errorAnswer,
  InjectedFault,
  type MethodNotAllowed,
  NotImplemented,
  NotInVersion,
  RateLimited,
  type RouteNotFound,
  TokenRevoked,
  Unauthorized,
  VersionInvalid,
  VersionNotSimulated
} from "./IntercomErrors.ts"
import type { ApiRoute } from "./RouteTable.ts"
import type { TrafficStats } from "./TrafficStats.ts"

/** Larger request bodies get 413 before anything parses them. */
export const requestBodyLimitBytes = 1024 * 1024

/**
 * A handler's answer: a status (200 unless said) and the body, before the version shapes it; or the
 * body already shaped and serialized (`text`), for answers kept between requests.
 */
export type Answer =
  | { readonly status?: number; readonly body: unknown; readonly text?: undefined }
  | { readonly status?: undefined; readonly body?: undefined; readonly text: string }

/** The request's headers as Node parsed them (names in lower case). */
export type RequestHeaders = Readonly<IncomingHttpHeaders>

/** One request as it passes the pipeline; each stage fills in its part. */
export interface ApiCall {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly headers: RequestHeaders
  readonly route: ApiRoute
  readonly params: Readonly<Record<string, string | undefined>>
  /** The query string, parsed on first read. */
  readonly query: URLSearchParams
  /** When the request is being answered (Unix ms): read once, and again after a `slow` fault's wait. */
  now: number
  /** Set by `fault`: the rule that struck, if any (the after-the-work kinds act on the answer). */
  fault: FaultRule | undefined
  /** Set by `auth`. */
  token: TokenRecord | undefined
  /** Set by `version`: the request's version and the operation's id in it. */
  spec: VersionSpec | undefined
  operationId: string
  /** Set by `version`: the operation's handler, when the twin serves it. */
  handler: ApiHandler | undefined
  /** Set by `rate limit`. */
  rateLimit: RateLimit | undefined
  /** Set by `body`: the parsed JSON (undefined for methods without a body). */
  body: unknown
}

export interface ApiHandler {
  /** False when the handler checks the body itself (a `oneOf` it resolves by `type`). */
  readonly validatesBody?: boolean
  /**
   * The answer. A handler with nothing to wait for should return an `Exit` (`Effect.succeed`,
   * `Effect.fail`, or `Effect.mapEager` over them), so the request is answered in one step.
   */
  readonly handle: (call: ApiCall) => Effect.Effect<Answer, ApiError>
}

/** Everything the stages read. */
export interface PipelineContext {
  readonly store: WorkspaceStore
  readonly descriptions: Descriptions
  /** The app's version: what a request without `Intercom-Version` gets. */
  readonly defaultVersion: string
  readonly budget: RateLimitWindow
  readonly faults: FaultPlan
  readonly stats: TrafficStats
  readonly handlers: ReadonlyMap<string, ApiHandler>
  readonly nowMillis: () => number
}

class Call implements ApiCall {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly headers: RequestHeaders
  readonly route: ApiRoute
  readonly params: Readonly<Record<string, string | undefined>>
  now: number
  fault: FaultRule | undefined = undefined
  token: TokenRecord | undefined = undefined
  spec: VersionSpec | undefined = undefined
  operationId: string
  handler: ApiHandler | undefined = undefined
  rateLimit: RateLimit | undefined = undefined
  body: unknown = undefined
  private parsedQuery: URLSearchParams | undefined = undefined

  constructor(
    request: HttpServerRequest.HttpServerRequest,
    route: ApiRoute,
    params: Readonly<Record<string, string | undefined>>,
    now: number
  ) {
    this.request = request
    this.headers = nodeHeaders(request)
    this.route = route
    this.params = params
    this.now = now
    this.operationId = route.operationId
  }

  get query(): URLSearchParams {
    if (this.parsedQuery === undefined) {
      const url = this.request.url
      const mark = url.indexOf("?")
      this.parsedQuery = new URLSearchParams(mark === -1 ? "" : url.slice(mark + 1))
    }
    return this.parsedQuery
  }
}

type Step = (call: ApiCall) => Effect.Effect<Answer, ApiError>

/** Node hands headers over in lower case. */
const versionHeaderName = versionHeader.toLowerCase()
type Stage = (context: PipelineContext, next: Step) => Step

const nodeHeaders = (request: HttpServerRequest.HttpServerRequest): RequestHeaders =>
  NodeHttpServerRequest.toIncomingMessage(request).headers

const bearer = (headers: RequestHeaders): string | undefined => {
  const header = headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

const socketOf = (request: HttpServerRequest.HttpServerRequest) =>
  NodeHttpServerRequest.toIncomingMessage(request).socket

/** Before the work: `drop`, `timeout`, a 5xx, `slow` and `revoked` strike here. */
const fault: Stage = (context, next) => (call) => {
  call.fault = context.faults.decide({
    method: call.route.method,
    template: call.route.template,
    operationId: call.operationId
  })
  const rule = call.fault
  if (rule === undefined) return next(call)
  switch (rule.kind) {
    case "drop":
      return Effect.suspend(() => {
        socketOf(call.request).destroy()
        return Effect.succeed({ body: null })
      })
    case "timeout":
      // Held open until the client (or the simulator's close) gives up on it.
      return Effect.never
    case "error":
      return Effect.fail(new InjectedFault({ status: rule.status ?? 500, reason: "Retryable" }))
    case "slow":
      return Effect.andThen(
        Effect.sleep(rule.delayMs ?? 2000),
        Effect.suspend(() => {
          call.now = context.nowMillis()
          return next(call)
        })
      )
    case "revoked":
      return Effect.suspend(() => {
        const token = bearer(call.headers)
        if (token !== undefined) context.store.tokens.revoke(token)
        return next(call)
      })
    default:
      return next(call)
  }
}

const auth: Stage = (context, next) => (call) => {
  const token = bearer(call.headers)
  const record = token === undefined ? undefined : context.store.tokens.find(token)
  if (record === undefined) return Effect.fail(new Unauthorized({ reason: "NotRetryable" }))
  if (record.revoked) return Effect.fail(new TokenRevoked({ reason: "NotRetryable" }))
  call.token = record
  return next(call)
}

const version: Stage = (context, next) => (call) => {
  const requested = call.headers[versionHeaderName]
  const name = typeof requested !== "string" || requested === "" ? context.defaultVersion : requested
  if (!context.descriptions.serves(name)) {
    return Effect.fail(
      isIntercomVersion(name)
        ? new VersionNotSimulated({ version: name, simulated: pinnedVersions, reason: "NotRetryable" })
        : new VersionInvalid({ version: name, valid: intercomVersions, reason: "NotRetryable" })
    )
  }
  const operationId = call.route.operations.get(name)
  if (operationId === undefined)
    return Effect.fail(new NotInVersion({ version: name, reason: "NotRetryable" }))
  call.spec = context.descriptions.get(name)
  call.operationId = operationId
  call.handler = context.handlers.get(operationId)
  return next(call)
}

const rateLimit: Stage = (context, next) => (call) => {
  const decision = context.budget.take(call.token!.token, call.now)
  call.rateLimit = decision
  return decision.allowed
    ? next(call)
    : Effect.fail(new RateLimited({ limit: decision.limit, reason: "Retryable" }))
}

const methodsWithBody = new Set(["POST", "PUT", "PATCH"])
const maxBodySize = ByteSize.bytes(requestBodyLimitBytes)

const body: Stage = (_context, next) => (call) => {
  if (!methodsWithBody.has(call.route.method)) return next(call)
  return call.request.text.pipe(
    Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBodySize),
    Effect.mapError((error) =>
      error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
        ? new BodyTooLarge({ limitBytes: requestBodyLimitBytes, reason: "NotRetryable" })
        : new BadJson({ problem: "the body could not be read", reason: "NotRetryable" })
    ),
    Effect.flatMap((text) => {
      if (text.trim() === "") {
        call.body = {}
        return next(call)
      }
      try {
        call.body = JSON.parse(text)
      } catch (error) {
        return Effect.fail(new BadJson({ problem: (error as Error).message, reason: "NotRetryable" }))
      }
      return next(call)
    })
  )
}

/** Query values arrive as text; convert the ones the spec types as numbers or booleans. */
const queryValue = (schema: unknown, value: string): unknown => {
  const type = typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : undefined
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true"
  return value
}

interface QueryCheck {
  readonly parameter: ParameterSpec
  readonly validate: ValidateFunction
}

/** Each version's query parameters per operation, with their validators: worked out once. */
const queryChecksOf = new WeakMap<VersionSpec, Map<string, ReadonlyArray<QueryCheck>>>()

const queryChecks = (spec: VersionSpec, operationId: string): ReadonlyArray<QueryCheck> => {
  let byOperation = queryChecksOf.get(spec)
  if (byOperation === undefined) {
    byOperation = new Map()
    queryChecksOf.set(spec, byOperation)
  }
  let checks = byOperation.get(operationId)
  if (checks === undefined) {
    checks = spec.schemas
      .parameters(operationId)
      .filter((parameter) => parameter.in === "query")
      .map((parameter) => ({
        parameter,
        validate: spec.schemas.parameterValidator(operationId, parameter)
      }))
    byOperation.set(operationId, checks)
  }
  return checks
}

const problemOf = (spec: VersionSpec, call: ApiCall, handler: ApiHandler) => {
  const checks = queryChecks(spec, call.operationId)
  // A request without a query string has only required parameters to miss.
  const hasQuery = call.request.url.includes("?")
  for (const { parameter, validate } of checks) {
    const raw = hasQuery ? call.query.get(parameter.name) : null
    if (raw === null) {
      if (parameter.required)
        return new InvalidField({
          field: parameter.name,
          problem: "missing",
          message: `${parameter.name} is required`,
          reason: "NotRetryable"
        })
      continue
    }
    if (!validate(queryValue(parameter.schema, raw))) {
      return new InvalidField({
        field: parameter.name,
        problem: "invalid",
        message: `${parameter.name} ${validate.errors?.[0]?.message ?? "is invalid"}`,
        reason: "NotRetryable"
      })
    }
  }
  if (call.body !== undefined && handler.validatesBody !== false) {
    const problem = spec.schemas.validateRequestBody(call.operationId, call.body)
    if (problem !== undefined) return fromSchemaProblem(problem)
  }
  return undefined
}

const validate: Stage = (_context, next) => (call) => {
  const handler = call.handler
  if (handler === undefined) return next(call)
  const problem = problemOf(call.spec!, call, handler)
  return problem === undefined ? next(call) : Effect.fail(problem)
}

const run: Step = (call) => {
  const handler = call.handler
  if (handler === undefined) {
    return Effect.fail(
      new NotImplemented({
        operationId: call.operationId,
        method: call.route.method,
        path: call.route.template,
        reason: "NotRetryable"
      })
    )
  }
  return handler.handle(call)
}

const stages: ReadonlyArray<Stage> = [fault, auth, version, rateLimit, body, validate]

/** How the stats name requests to paths Intercom does not have. */
export const unroutedName = "(no such route)"

const contentType = "application/json; charset=utf-8"
const limitName = rateLimitHeaderNames.limit.toLowerCase()
const remainingName = rateLimitHeaderNames.remaining.toLowerCase()
const resetName = rateLimitHeaderNames.reset.toLowerCase()

/** A number's text, remembered while it stays the same (a budget's limit, a window's reset). */
const lastText = () => {
  let last: number | undefined
  let text = ""
  return (value: number): string => {
    if (value !== last) {
      last = value
      text = String(value)
    }
    return text
  }
}

/** The pipeline for the API's routes: `(route, request, params) => response`. */
export const makeApiPipeline = (context: PipelineContext) => {
  const step = stages.reduceRight<Step>((next, stage) => stage(context, next), run)
  const limitText = lastText()
  const resetText = lastText()

  /** The answer's headers: JSON, and the budget as it stands (`rateLimitHeaders`, in lower case). */
  const answerHeaders = (rateLimit: RateLimit | undefined): Record<string, string> =>
    rateLimit === undefined
      ? { "content-type": contentType }
      : {
          "content-type": contentType,
          [limitName]: limitText(rateLimit.limit),
          [remainingName]: String(Math.max(0, rateLimit.remaining)),
          [resetName]: resetText(rateLimit.resetAt)
        }

  const rateLimitOf = (call: ApiCall): RateLimit | undefined => {
    if (call.rateLimit !== undefined) return call.rateLimit
    // Authenticated, but refused before the budget was counted (a fault, a version): state it as it is.
    if (call.token !== undefined) return context.budget.peek(call.token.token, call.now)
    const token = bearer(call.headers)
    const record = token === undefined ? undefined : context.store.tokens.find(token)
    return record === undefined || record.revoked ? undefined : context.budget.peek(record.token, call.now)
  }

  /** The answer, as the after-the-work faults leave it. */
  const send = (
    call: ApiCall,
    status: number,
    text: string,
    headers: Record<string, string>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const kind = call.fault?.kind
    if (kind === undefined) return Effect.succeed(HttpServerResponse.text(text, { status, headers }))
    if (kind === "drop-after") {
      return Effect.sync(() => {
        socketOf(call.request).destroy()
        return HttpServerResponse.empty({ status })
      })
    }
    const response = HttpServerResponse.text(
      // A body cut short mid-object: what a proxy that drops a connection can leave behind.
      kind === "malformed" && status < 300 ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text,
      { status, headers }
    )
    if (kind !== "slow-after") return Effect.succeed(response)
    return Effect.as(Effect.sleep(call.fault?.delayMs ?? 2000), response)
  }

  const answered = (call: ApiCall, answer: Answer) => {
    context.stats.record(call.operationId, call.now, call.fault === undefined ? "ok" : "fault")
    const status = answer.status ?? 200
    const text =
      answer.text ??
      JSON.stringify(
        status < 300 && call.spec !== undefined
          ? call.spec.shape.answer(call.operationId, answer.body)
          : answer.body
      )
    return send(call, status, text, answerHeaders(rateLimitOf(call)))
  }

  const refused = (call: ApiCall, error: ApiError) => {
    const refusal = errorAnswer(error)
    const outcome = error._tag === "RateLimited" ? "rateLimited" : call.fault === undefined ? "ok" : "fault"
    context.stats.record(call.operationId, call.now, outcome)
    const headers = answerHeaders(rateLimitOf(call))
    return send(
      call,
      refusal.status,
      JSON.stringify(refusal.body),
      refusal.headers === undefined ? headers : { ...headers, ...refusal.headers }
    )
  }

  const handle = (
    route: ApiRoute,
    request: HttpServerRequest.HttpServerRequest,
    params: Readonly<Record<string, string | undefined>>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const call = new Call(request, route, params, context.nowMillis())
    const outcome = step(call)
    // Every stage and the handler had their answer at hand: answer in this step.
    if (Exit.isExit(outcome)) {
      const exit = outcome as Exit.Exit<Answer, ApiError>
      if (Exit.isSuccess(exit)) return answered(call, exit.value)
      const error = Cause.findErrorOption(exit.cause)
      if (Option.isSome(error)) return refused(call, error.value)
    }
    return Effect.matchEffect(outcome, {
      onSuccess: (answer) => answered(call, answer),
      onFailure: (error) => refused(call, error)
    })
  }

  /**
   * A path (or method) no description has: refused as Intercom does, after the token and the budget,
   * so it carries the rate-limit headers and counts against the window like any other request.
   */
  const unrouted = (
    request: HttpServerRequest.HttpServerRequest,
    refusal: RouteNotFound | MethodNotAllowed
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
    Effect.sync(() => {
      const now = context.nowMillis()
      const token = bearer(nodeHeaders(request))
      const record = token === undefined ? undefined : context.store.tokens.find(token)
      const error: ApiError =
        record === undefined
          ? new Unauthorized({ reason: "NotRetryable" })
          : record.revoked
            ? new TokenRevoked({ reason: "NotRetryable" })
            : refusal
      let limit: RateLimit | undefined
      let refused: ApiError = error
      if (record !== undefined && !record.revoked) {
        const decision = context.budget.take(record.token, now)
        limit = decision
        if (!decision.allowed) refused = new RateLimited({ limit: decision.limit, reason: "Retryable" })
      }
      const answer = errorAnswer(refused)
      context.stats.record(unroutedName, now, refused._tag === "RateLimited" ? "rateLimited" : "ok")
      return HttpServerResponse.text(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { ...answerHeaders(limit), ...answer.headers }
      })
    })

  return { handle, unrouted }
}
