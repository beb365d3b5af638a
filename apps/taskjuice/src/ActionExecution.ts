/**
 * `execute(key, input, connectionId)`: what TaskJuice's runtime calls for an action step. It finds the
 * core's action and the connection, runs the action through `executeAction` with the connection's
 * client (kept between steps by `ConnectionClients`: the pinned host, the token, the rate-limiter key),
 * and answers with the output (JSON-encoded by the action's output Schema) or a step error. Nothing
 * here knows about Intercom's operations: that is the core's.
 */
import {
  ActionInputInvalid,
  type AnyActionDefinition,
  actionByKey,
  executeAction,
  IntercomApi,
  type IntercomApiShape,
  IntercomError,
  type RateLimiter
} from "@taskjuice/intercom-core"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Connection } from "./Connection.ts"
import { ConnectionClients } from "./ConnectionClients.ts"
import { Connections } from "./Connections.ts"
import { fromActionFailure, type HostFailure, type StepError, toStepError } from "./StepError.ts"

export interface ExecuteOptions {
  /** How long one request to Intercom may take (the core's default when unset). */
  readonly requestTimeout?: Duration.Input | undefined
}

const encodeOutput = (definition: AnyActionDefinition, output: unknown) =>
  Schema.encodeUnknownEffect(definition.output as Schema.Codec<unknown, unknown>)(output)

const failWith = (failure: HostFailure) => Effect.fail(toStepError(failure))

/** Runs one action with the connection's client: the output, or the step error TaskJuice records. */
export const executeForConnection = (
  definition: AnyActionDefinition,
  input: unknown,
  connection: Connection,
  options: ExecuteOptions = {}
): Effect.Effect<unknown, StepError, RateLimiter> =>
  Effect.flatMap(Effect.service(ConnectionClients), (clients) =>
    executeWith(definition, input, clients.get(connection, options.requestTimeout))
  )

const executeWith = (
  definition: AnyActionDefinition,
  input: unknown,
  api: IntercomApiShape
): Effect.Effect<unknown, StepError, RateLimiter> =>
  executeAction(definition, input).pipe(
    Effect.flatMap((output) =>
      encodeOutput(definition, output).pipe(
        Effect.mapError(() => toStepError({ _tag: "OutputUnencodable", action: definition.key }))
      )
    ),
    Effect.provideService(IntercomApi, api),
    Effect.catchIf(
      (error): error is ActionInputInvalid | IntercomError =>
        error instanceof ActionInputInvalid || error instanceof IntercomError,
      (failure) => failWith(fromActionFailure(failure))
    ),
    // A defect (a bug, never Intercom's answer) still ends as a step error, without its stack or values.
    Effect.catchCause((cause) =>
      Cause.hasFails(cause) ? Effect.failCause(cause) : failWith({ _tag: "Defect", action: definition.key })
    )
  )

/**
 * The runtime's entry point: looks up the action and the connection, runs it, and marks the
 * connection revoked when Intercom rejects its token (so the runtime can ask for a reconnect),
 * dropping its kept client.
 */
export const execute = (
  key: string,
  input: unknown,
  connectionId: string | null | undefined,
  options: ExecuteOptions = {}
): Effect.Effect<unknown, StepError, Connections | RateLimiter> =>
  Effect.gen(function* () {
    const definition = actionByKey(key)
    if (definition === undefined) return yield* failWith({ _tag: "UnknownAction", key })
    const connections = yield* Connections
    if (connectionId === null || connectionId === undefined || connectionId === "") {
      return yield* failWith({ _tag: "NoConnection" })
    }
    const connection = connections.get(connectionId)
    if (connection === undefined)
      return yield* failWith({ _tag: "UnknownConnection", connection: connectionId })
    if (connection.status === "revoked") {
      return yield* failWith({ _tag: "ConnectionRevoked", connection: connection.id })
    }
    const clients = yield* ConnectionClients
    return yield* executeWith(definition, input, clients.get(connection, options.requestTimeout)).pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          if (error.code !== "AUTH_REVOKED") return
          connections.markRevoked(connection.id)
          clients.evict(connection.id)
        })
      )
    )
  })
