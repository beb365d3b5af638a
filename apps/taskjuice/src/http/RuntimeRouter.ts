/**
 * The runtime API: what TaskJuice's runtime calls, never a browser or Intercom. Every route sits
 * behind the runtime token (see RuntimeAuth). Action steps, the connections and activations (which
 * hold admin emails and payloads), the manifest, and starting an OAuth connection.
 *
 * Activations are consumed at least once through the inbox's cursor: `GET /activations?after=&limit=
 * &wait=` long-polls (bounded) for those after a cursor, `POST /activations/ack {"cursor"}` commits the
 * position. Any worker answers either, over the one order the shared inbox keeps.
 */
import { regions } from "@taskjuice/intercom-client"
import {
  ActivationInbox,
  ConnectionStore,
  InvalidCursor,
  maxReadLimit,
  maxReadWait
} from "@taskjuice/intercom-state"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import { execute } from "../ActionExecution.ts"
import { summarizeConnection } from "../Connection.ts"
import { activationsPaths } from "../Manifest.ts"
import { OAuth } from "../OAuth.ts"
import { fromStateFailure } from "../StepError.ts"
import { HostContext } from "./HostContext.ts"
import { oauthBeginPath, oauthFailure } from "./PublicRouter.ts"
import { readJsonObject } from "./RequestBody.ts"
import { byMethod, failureResponse, json, refuse, stepErrorResponse } from "./Respond.ts"
import { requireRuntimeToken } from "./RuntimeAuth.ts"

const actionsPrefix = "/actions/"

const actionKey = (url: string) =>
  Effect.try({
    try: () => decodeURIComponent((url.split("?")[0] ?? "").slice(actionsPrefix.length)),
    catch: () => undefined
  }).pipe(
    Effect.catch(() =>
      refuse({
        _tag: "ParameterInvalid",
        field: "action",
        message: "The action key in the path is not valid percent-encoding.",
        choices: []
      })
    )
  )

const action = Effect.gen(function* () {
  const host = yield* HostContext
  const request = yield* HttpServerRequest.HttpServerRequest
  const key = yield* actionKey(request.url)
  const body = yield* readJsonObject(host.limits, 'a JSON object {"connection": "<id>", "input": {...}}')
  const connection = typeof body.connection === "string" ? body.connection : undefined
  const result = yield* Effect.result(
    execute(key, body.input ?? {}, connection, { requestTimeout: host.requestTimeout })
  )
  return result._tag === "Success" ? json(200, { output: result.success }) : stepErrorResponse(result.failure)
})

const regionChoices: ReadonlyArray<string> = regions

const oauthStart = Effect.gen(function* () {
  const host = yield* HostContext
  const oauth = yield* OAuth
  const body = yield* readJsonObject(
    host.limits,
    'a JSON object {"context"?: "<TaskJuice binding>", "region"?: "us" | "eu" | "au", "connection"?: "<id to reconnect>"}'
  )
  const text = (field: string) => {
    const value = body[field]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const region = text("region")
  if (region !== undefined && !regionChoices.includes(region)) {
    return yield* refuse({
      _tag: "ParameterInvalid",
      field: "region",
      message: `region must be ${regionChoices.join(", ")}; got "${region}".`,
      choices: regionChoices
    })
  }
  const ticket = yield* Effect.result(
    oauth.ticket({
      region: region as (typeof regions)[number] | undefined,
      connectionId: text("connection"),
      context: text("context")
    })
  )
  if (ticket._tag === "Failure") return failureResponse(oauthFailure(ticket.failure))
  const url = new URL(`${host.publicUrl}${oauthBeginPath}`)
  url.searchParams.set("ticket", ticket.success)
  return json(200, { url: url.toString() })
})

const listConnections = Effect.gen(function* () {
  const listed = yield* Effect.result((yield* ConnectionStore).list)
  if (listed._tag === "Failure") return failureResponse(fromStateFailure(listed.failure))
  return json(200, { connections: listed.success.map(summarizeConnection) })
})

/** The most a read may wait, in the milliseconds `wait` takes. */
const maxWaitMillis = Duration.toMillis(maxReadWait)

const queryOf = (request: HttpServerRequest.HttpServerRequest) =>
  new URL(request.url, "http://host").searchParams

/** An integer query parameter within its bounds, or BAD_REQUEST naming it, its bounds and what came. */
const integerParam = (query: URLSearchParams, field: string, min: number, max: number, unit = "") => {
  const text = query.get(field)
  if (text === null || text === "") return Effect.succeed(undefined)
  const value = Number(text)
  return /^\d+$/.test(text) && value >= min && value <= max
    ? Effect.succeed(value)
    : refuse({
        _tag: "ParameterInvalid",
        field,
        message: `${field} must be an integer from ${min} to ${max}${unit}; got "${text.slice(0, 32)}".`,
        choices: [`${min}–${max}`]
      })
}

const cursorRefusal = (field: string, error: InvalidCursor) =>
  refuse({ _tag: "ParameterInvalid", field, message: `${field}: ${error.message}.`, choices: [] })

/** The activations after a cursor (default: after the acknowledged position), waiting up to `wait` ms. */
const readActivations = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const query = queryOf(request)
  const after = query.get("after") ?? undefined
  const limit = yield* integerParam(query, "limit", 1, maxReadLimit)
  const wait = yield* integerParam(query, "wait", 0, maxWaitMillis, " (milliseconds)")
  const read = yield* Effect.result(
    (yield* ActivationInbox).read({ after: after === "" ? undefined : after, limit, wait })
  )
  if (read._tag === "Failure") {
    const error = read.failure
    return error instanceof InvalidCursor
      ? yield* cursorRefusal("after", error)
      : failureResponse(fromStateFailure(error))
  }
  const activations = read.success
  return json(200, { activations, next: activations.at(-1)?.cursor ?? (after || null) })
})

/** Commits the consumer's position: everything up to and including `cursor` is done. */
const acknowledgeActivations = Effect.gen(function* () {
  const host = yield* HostContext
  const body = yield* readJsonObject(
    host.limits,
    'a JSON object {"cursor": "<the last activation processed>"}'
  )
  const cursor = body.cursor
  if (typeof cursor !== "string" || cursor === "") {
    return yield* refuse({
      _tag: "ParameterInvalid",
      field: "cursor",
      message: "cursor must be the cursor of the last activation processed, as GET /activations gave it.",
      choices: []
    })
  }
  const acked = yield* Effect.result((yield* ActivationInbox).ack(cursor))
  if (acked._tag === "Failure") {
    const error = acked.failure
    return error instanceof InvalidCursor
      ? yield* cursorRefusal("cursor", error)
      : failureResponse(fromStateFailure(error))
  }
  return json(200, { acknowledged: cursor })
})

export const runtimeRoutes = [
  HttpRouter.route("*", `${actionsPrefix}*`, requireRuntimeToken(byMethod({ POST: action }))),
  HttpRouter.route("*", "/connections", requireRuntimeToken(byMethod({ GET: listConnections }))),
  HttpRouter.route("*", activationsPaths.read, requireRuntimeToken(byMethod({ GET: readActivations }))),
  HttpRouter.route(
    "*",
    activationsPaths.ack,
    requireRuntimeToken(byMethod({ POST: acknowledgeActivations }))
  ),
  HttpRouter.route(
    "*",
    "/manifest",
    requireRuntimeToken(byMethod({ GET: Effect.map(HostContext, (host) => json(200, host.manifest)) }))
  ),
  HttpRouter.route("*", "/oauth/start", requireRuntimeToken(byMethod({ POST: oauthStart })))
] as const
