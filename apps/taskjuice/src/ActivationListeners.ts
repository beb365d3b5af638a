/**
 * What the host does with an activation once the inbox has kept it and the delivery is acknowledged:
 * one JSON line on the log (the activation's identity and cursor, never its payload) and the in-process
 * listeners a caller registered (the sandbox, a test). This is a local convenience beside the runtime's
 * contract, which is the inbox's cursor API (`GET /activations`, `POST /activations/ack`): the listeners
 * of one host see what that host accepted, on a later turn of the event loop than the answer, never
 * awaited by it, and everything that runs then is guarded: a failing listener or log line is logged,
 * never thrown.
 */
import type { InboxActivation } from "./Activation.ts"

export type ActivationListener = (activation: InboxActivation) => void | Promise<void>

export interface ActivationListeners {
  readonly subscribe: (listener: ActivationListener) => () => void
  /** Logs and notifies the listeners on a later turn of the event loop. */
  readonly handOff: (activations: ReadonlyArray<InboxActivation>) => void
}

export type HandOffStage = "log" | "listener" | "hand-off"

export const makeActivationListeners = (options: {
  /** One line per activation. */
  readonly writeLine: (line: string) => void
  /** Told of every failure after the acknowledgement; must not throw (it is guarded too). */
  readonly onFailure: (stage: HandOffStage, error: unknown) => void
}): ActivationListeners => {
  const listeners = new Set<ActivationListener>()
  const report = (stage: HandOffStage, error: unknown) => {
    try {
      options.onFailure(stage, error)
    } catch {
      // Nothing is left to tell; the host keeps serving.
    }
  }
  const deliver = (activations: ReadonlyArray<InboxActivation>) => {
    for (const { payload: _, ...identity } of activations) {
      try {
        options.writeLine(JSON.stringify({ event: "activation", ...identity }))
      } catch (error) {
        report("log", error)
      }
    }
    for (const activation of activations)
      for (const listener of listeners) {
        Promise.resolve()
          .then(() => listener(activation))
          .catch((error: unknown) => report("listener", error))
      }
  }
  return {
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    handOff: (activations) => {
      if (activations.length === 0) return
      setImmediate(() => {
        try {
          deliver(activations)
        } catch (error) {
          report("hand-off", error)
        }
      })
    }
  }
}
