/**
 * The simulator as an Effect service: `IntercomSimulator.layer(options)` starts it when the layer is
 * built and closes it when the layer's scope ends, so Effect programs and `@effect/vitest` tests get
 * a running simulator without managing its lifetime.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type Simulator, type SimulatorOptions, startSimulator } from "./Simulator.ts"

/** The simulator could not start (port taken, unreadable state file, empty secret). */
export class SimulatorStartError extends Data.TaggedError("SimulatorStartError")<{
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

export class IntercomSimulator extends Context.Service<IntercomSimulator, Simulator>()(
  "@taskjuice/intercom-simulator/IntercomSimulator"
) {
  static readonly layer = (options: SimulatorOptions): Layer.Layer<IntercomSimulator, SimulatorStartError> =>
    Layer.effect(
      IntercomSimulator,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => startSimulator(options),
          catch: (error) =>
            new SimulatorStartError({
              message: error instanceof Error ? error.message : String(error),
              reason: "NotRetryable"
            })
        }),
        (simulator) => Effect.promise(() => simulator.close())
      )
    )
}
