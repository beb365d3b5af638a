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
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import {
  intercomVersions,
  isIntercomVersion,
  pinnedVersions,
  type RateLimit,
  type RateLimitWindow,
  rateLimitHeaders,
  versionHeader
} from "@taskjuice/intercom-client"
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import type * as Headers from "effect/http/Headers"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
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

/** One request as it passes the pipeline; each stage fills in its part. */
export interface ApiCall {
  readonly request: HttpServerRequest.HttpServerRequest
  /** The request's headers, read once (the request builds them anew on each read). */
  readonly headers: Headers.Headers
  readonly route: ApiRoute
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: URLSearchParams
  /** Set by `fault`: the rule that struck, if any (the after-the-work kinds act on the answer). */
  fault: FaultRule | undefined
  /** Set by `auth`. */
  token: TokenRecord | undefined
  /** Set by `version`: the request's version and the operation's id in it. */
  spec: VersionSpec | undefined
  operationId: string
  /** Set by `rate limit`. */
  rateLimit: RateLimit | undefined
  /** Set by `body`: the parsed JSON (undefined for methods without a body). */
  body: unknown
}

export interface ApiHandler {
  /** False when the handler checks the body itself (a `oneOf` it resolves by `type`). */
  readonly validatesBody?: boolean
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

type Step = (call: ApiCall) => Effect.Effect<Answer, ApiError>

/** Node hands headers over in lower case. */
const versionHeaderName = versionHeader.toLowerCase()
type Stage = (context: PipelineContext, next: Step) => Step

const bearer = (headers: Headers.Headers): string | undefined => {
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
      return Effect.andThen(Effect.sleep(rule.delayMs ?? 2000), next(call))
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
  const name = requested === undefined || requested === "" ? context.defaultVersion : requested
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
  return next(call)
}

const rateLimit: Stage = (context, next) => (call) => {
  const decision = context.budget.take(call.token!.token, context.nowMillis())
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

const problemOf = (spec: VersionSpec, operationId: string, call: ApiCall, handler: ApiHandler) => {
  const parameters: ReadonlyArray<ParameterSpec> = spec.schemas.parameters(operationId)
  for (const parameter of parameters) {
    if (parameter.in !== "query") continue
    const raw = call.query.get(parameter.name)
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
    const validate = spec.schemas.parameterValidator(operationId, parameter)
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
    const problem = spec.schemas.validateRequestBody(operationId, call.body)
    if (problem !== undefined) return fromSchemaProblem(problem)
  }
  return undefined
}

const handlerFor = (context: PipelineContext, call: ApiCall): ApiHandler | undefined =>
  context.handlers.get(call.operationId)

const validate: Stage = (context, next) => (call) => {
  const handler = handlerFor(context, call)
  if (handler === undefined) return next(call)
  const problem = problemOf(call.spec!, call.operationId, call, handler)
  return problem === undefined ? next(call) : Effect.fail(problem)
}

const run: (context: PipelineContext) => Step = (context) => (call) => {
  const handler = handlerFor(context, call)
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

const jsonHeaders = { "content-type": "application/json; charset=utf-8" }

/** The pipeline for the API's routes: `(route, request, params) => response`. */
export const makeApiPipeline = (context: PipelineContext) => {
  const step = stages.reduceRight<Step>((next, stage) => stage(context, next), run(context))

  const headersFor = (call: ApiCall): Record<string, string> | undefined => {
    if (call.rateLimit !== undefined) return rateLimitHeaders(call.rateLimit)
    // Authenticated, but refused before the budget was counted (a fault, a version): state it as it is.
    if (call.token !== undefined)
      return rateLimitHeaders(context.budget.peek(call.token.token, context.nowMillis()))
    const token = bearer(call.headers)
    const record = token === undefined ? undefined : context.store.tokens.find(token)
    return record === undefined || record.revoked
      ? undefined
      : rateLimitHeaders(context.budget.peek(record.token, context.nowMillis()))
  }

  /** The answer, as the after-the-work faults leave it. */
  const send = (call: ApiCall, status: number, text: string, headers: Record<string, string>) => {
    const kind = call.fault?.kind
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

  const handle = (
    route: ApiRoute,
    request: HttpServerRequest.HttpServerRequest,
    params: Readonly<Record<string, string | undefined>>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const mark = request.url.indexOf("?")
    const call: ApiCall = {
      request,
      headers: request.headers,
      route,
      params,
      query: new URLSearchParams(mark === -1 ? "" : request.url.slice(mark + 1)),
      fault: undefined,
      token: undefined,
      spec: undefined,
      operationId: route.operationId,
      rateLimit: undefined,
      body: undefined
    }
    return Effect.matchEffect(step(call), {
      onSuccess: (answer) => {
        context.stats.record(call.operationId, context.nowMillis(), call.fault === undefined ? "ok" : "fault")
        const status = answer.status ?? 200
        const shape = (body: unknown) =>
          status < 300 && call.spec !== undefined ? call.spec.shape.answer(call.operationId, body) : body
        const text = answer.text ?? JSON.stringify(shape(answer.body))
        return send(call, status, text, { ...jsonHeaders, ...headersFor(call) })
      },
      onFailure: (error) => {
        const refusal = errorAnswer(error)
        const outcome =
          error._tag === "RateLimited" ? "rateLimited" : call.fault === undefined ? "ok" : "fault"
        context.stats.record(call.operationId, context.nowMillis(), outcome)
        return send(call, refusal.status, JSON.stringify(refusal.body), {
          ...jsonHeaders,
          ...refusal.headers,
          ...headersFor(call)
        })
      }
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
      const token = bearer(request.headers)
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
        const decision = context.budget.take(record.token, context.nowMillis())
        limit = decision
        if (!decision.allowed) refused = new RateLimited({ limit: decision.limit, reason: "Retryable" })
      }
      const answer = errorAnswer(refused)
      context.stats.record(
        unroutedName,
        context.nowMillis(),
        refused._tag === "RateLimited" ? "rateLimited" : "ok"
      )
      return HttpServerResponse.text(JSON.stringify(answer.body), {
        status: answer.status,
        headers: {
          ...jsonHeaders,
          ...answer.headers,
          ...(limit === undefined ? {} : rateLimitHeaders(limit))
        }
      })
    })

  return { handle, unrouted }
}
