/**
 * The simulator as an Effect service: `IntercomSimulator.layer(options)` starts it when the layer is
 * built and closes it when the layer's scope ends, so Effect programs and `@effect/vitest` tests get a
 * running simulator without managing its lifetime, on their own `Clock` (a `TestClock` in tests).
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import {
  makeSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStartError
} from "./Simulator.ts"

export class IntercomSimulator extends Context.Service<IntercomSimulator, Simulator>()(
  "@taskjuice/intercom-simulator/IntercomSimulator"
) {
  static readonly layer = (options: SimulatorOptions): Layer.Layer<IntercomSimulator, SimulatorStartError> =>
    Layer.effect(IntercomSimulator, makeSimulator(options))
}
