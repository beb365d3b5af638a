/**
 * The commands' side of the simulator's admin API (`/_sim/…`): JSON requests carrying the run's
 * admin token (`X-Sim-Admin-Token`), the live event stream (server-sent events) as an Effect
 * `Stream`, and every failure as a `CommandError` of its category: the simulator cannot be reached
 * (network, exit 3), it refused the request (api, exit 4) or the input (user_input, exit 2).
 */

import { CommandError } from "@taskjuice/intercom-cli"
import * as Effect from "effect/Effect"
import * as Sse from "effect/encoding/Sse"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

/** The header the admin API checks; the dashboard reads the token from the page, the CLI from the state directory. */
export const adminTokenHeader = "X-Sim-Admin-Token"

export const defaultSimUrl = "http://127.0.0.1:4010"

export interface AdminClient {
  readonly base: string
  readonly get: <A>(path: string) => Effect.Effect<A, CommandError.CommandError>
  readonly post: <A>(path: string, body: unknown) => Effect.Effect<A, CommandError.CommandError>
  /** `DELETE`; `false` when this simulator has no such route (404/405). */
  readonly remove: (path: string) => Effect.Effect<boolean, CommandError.CommandError>
  /** The events of `/_sim/events`, as they come; ends with a network error when the simulator stops. */
  readonly events: Stream.Stream<Sse.Event, CommandError.CommandError>
}

const cause = (error: HttpClientError.HttpClientError): string => {
  let current: unknown = error.reason.cause
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return error.reason._tag
}

interface AdminErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string }
}

const refused = (
  base: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<never, CommandError.CommandError> =>
  Effect.flatMap(
    Effect.orElseSucceed(response.json, () => ({})),
    (json) => {
      const error = (json as AdminErrorBody).error ?? {}
      const message = error.message ?? `the simulator at ${base} answered ${response.status}`
      if (response.status === 401 || response.status === 403) {
        return Effect.fail(
          CommandError.api(`the simulator refused the admin request (${response.status}): ${message}`, {
            fix: "pass --admin-token, or the --state-dir of the run (serve writes admin-token there)"
          })
        )
      }
      if (response.status === 400) return Effect.fail(CommandError.userInput(message))
      return Effect.fail(CommandError.api(message, { detail: { status: response.status, code: error.code } }))
    }
  )

/** A client of the simulator at `base`, sending `token` when there is one. */
export const makeAdminClient = (
  base: string,
  token: Option.Option<Redacted.Redacted<string>>
): Effect.Effect<AdminClient, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const unreachable = (error: HttpClientError.HttpClientError) =>
      CommandError.network(`cannot reach the simulator at ${base} (${cause(error)})`, {
        fix: "start it with ./dev sim serve, or pass --sim URL"
      })
    const prepare = (request: HttpClientRequest.HttpClientRequest) =>
      request.pipe(
        HttpClientRequest.acceptJson,
        Option.isSome(token)
          ? HttpClientRequest.setHeader(adminTokenHeader, Redacted.value(token.value))
          : (same: HttpClientRequest.HttpClientRequest) => same
      )
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      http.execute(prepare(request)).pipe(Effect.mapError(unreachable))
    const json = <A>(request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(send(request), (response) =>
        response.status >= 200 && response.status < 300
          ? Effect.map(Effect.mapError(response.json, unreachable), (value) => value as A)
          : refused(base, response)
      )
    const url = (path: string) => new URL(path, base).toString()
    return {
      base,
      get: (path) => json(HttpClientRequest.get(url(path))),
      post: (path, body) =>
        json(HttpClientRequest.post(url(path)).pipe(HttpClientRequest.bodyJsonUnsafe(body))),
      remove: (path) =>
        Effect.flatMap(send(HttpClientRequest.delete(url(path))), (response) =>
          response.status === 404 || response.status === 405
            ? Effect.succeed(false)
            : response.status >= 200 && response.status < 300
              ? Effect.succeed(true)
              : refused(base, response)
        ),
      events: Stream.unwrap(
        Effect.flatMap(send(HttpClientRequest.get(url("/_sim/events"))), (response) =>
          response.status >= 200 && response.status < 300
            ? Effect.succeed(
                response.stream.pipe(
                  Stream.decodeText(),
                  Stream.pipeThroughChannel(Sse.decode()),
                  Stream.mapError((error) =>
                    CommandError.network(
                      `lost the simulator's event stream at ${base}: ${"message" in error ? error.message : "it asked to reconnect"}`,
                      {
                        fix: "check that it still runs (./dev sim serve)"
                      }
                    )
                  ),
                  Stream.concat(
                    Stream.fail(
                      CommandError.network(`the simulator at ${base} stopped`, {
                        fix: "start it again with ./dev sim serve"
                      })
                    )
                  )
                )
              )
            : refused(base, response)
        )
      )
    }
  })
