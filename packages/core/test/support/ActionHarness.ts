/**
 * Runs an action the way the bundle does (`executeAction`) against a loopback server, on the
 * TestClock, and hands back the outcome together with the requests the server saw.
 */
import { assert } from "@effect/vitest"
import { type RecordingServer, recordingServer, type Script } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { type ActionDefinition, type ActionInputInvalid, executeAction } from "../../src/actions/Action.ts"
import type { IntercomError } from "../../src/api/IntercomError.ts"
import { advancingClock, apiLayer, withMiddleRandom } from "./TestRuntime.ts"

export const runAction = <I, O>(
  definition: ActionDefinition<I, O>,
  input: unknown,
  script: Script
): Effect.Effect<
  { readonly exit: Exit.Exit<O, ActionInputInvalid | IntercomError>; readonly server: RecordingServer },
  never,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const server = yield* recordingServer({ answer: script })
    const exit = yield* advancingClock(executeAction(definition, input)).pipe(
      withMiddleRandom,
      Effect.provide(apiLayer(server.url)),
      Effect.exit
    )
    return { exit, server }
  })

/** The failure of an exit, or a thrown assertion when it succeeded or died. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error("expected a typed failure")
  return error.error
}

export const successOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw new Error(`expected a success, got ${String(exit.cause)}`)
}

/**
 * Runs an action on input it must refuse, and asserts the refusal names the field path and that
 * nothing reached the server.
 */
export const assertRejectedBeforeSending = <I, O>(
  definition: ActionDefinition<I, O>,
  input: unknown,
  script: Script,
  path: string
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { exit, server } = yield* runAction(definition, input, script)
    const error = failureOf(exit)
    if (error._tag !== "ActionInputInvalid") return assert.fail("expected ActionInputInvalid")
    assert.include(
      error.issues.map((i) => i.path),
      path
    )
    assert.strictEqual(server.requests.length, 0)
  })
