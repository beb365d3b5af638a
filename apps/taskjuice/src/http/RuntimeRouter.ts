/**
 * The runtime API: what TaskJuice's runtime calls, never a browser or Intercom. Every route sits
 * behind the runtime token (see RuntimeAuth). Action steps, the connections and activations (which
 * hold admin emails and payloads), the manifest, and starting an OAuth connection.
 */
import { regions } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import { execute } from "../ActionExecution.ts"
import { summarizeConnection } from "../Connection.ts"
import { Connections } from "../Connections.ts"
import { OAuth } from "../OAuth.ts"
import { HostContext } from "./HostContext.ts"
import { oauthBeginPath } from "./PublicRouter.ts"
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
  if (ticket._tag === "Failure") return failureResponse({ _tag: "OAuth", error: ticket.failure })
  const url = new URL(`${host.publicUrl}${oauthBeginPath}`)
  url.searchParams.set("ticket", ticket.success)
  return json(200, { url: url.toString() })
})

const listConnections = Effect.map(Connections, (connections) =>
  json(200, { connections: connections.list().map(summarizeConnection) })
)

export const runtimeRoutes = [
  HttpRouter.route("*", `${actionsPrefix}*`, requireRuntimeToken(byMethod({ POST: action }))),
  HttpRouter.route("*", "/connections", requireRuntimeToken(byMethod({ GET: listConnections }))),
  HttpRouter.route(
    "*",
    "/activations",
    requireRuntimeToken(
      byMethod({
        GET: Effect.map(HostContext, (host) => json(200, { activations: host.activations.recent() }))
      })
    )
  ),
  HttpRouter.route(
    "*",
    "/manifest",
    requireRuntimeToken(byMethod({ GET: Effect.map(HostContext, (host) => json(200, host.manifest)) }))
  ),
  HttpRouter.route("*", "/oauth/start", requireRuntimeToken(byMethod({ POST: oauthStart })))
] as const
