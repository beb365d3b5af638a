/**
 * Where the local host puts activations instead of starting runs: a bounded list of the most recent
 * (served at `GET /activations`), one JSON line each on the log, and the listeners a caller
 * registered (the sandbox, a test). Listeners run after the webhook has been acknowledged, so slow
 * workflow work can never hold up Intercom's delivery.
 */
import type { Activation } from "./Activation.ts"

export type ActivationListener = (activation: Activation) => void | Promise<void>

export interface ActivationLog {
  /** Most recent last. */
  readonly recent: () => ReadonlyArray<Activation>
  readonly subscribe: (listener: ActivationListener) => () => void
  /** Records at once; logs and notifies listeners on a later turn of the event loop. */
  readonly record: (activations: ReadonlyArray<Activation>) => void
}

export const makeActivationLog = (options: {
  readonly capacity?: number
  /** One line per activation; default: standard output. */
  readonly writeLine?: (line: string) => void
  readonly onListenerError?: (error: unknown) => void
}): ActivationLog => {
  const capacity = options.capacity ?? 200
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`))
  const entries: Array<Activation> = []
  const listeners = new Set<ActivationListener>()
  return {
    recent: () => [...entries],
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    record: (activations) => {
      entries.push(...activations)
      if (entries.length > capacity) entries.splice(0, entries.length - capacity)
      if (activations.length === 0) return
      setImmediate(() => {
        for (const activation of activations) {
          writeLine(JSON.stringify({ event: "activation", ...activation }))
          for (const listener of listeners) {
            Promise.resolve()
              .then(() => listener(activation))
              .catch((error: unknown) => options.onListenerError?.(error))
          }
        }
      })
    }
  }
}
