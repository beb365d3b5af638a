/**
 * Where the local host puts activations instead of starting runs: the most recent, bounded by the
 * bytes of their payloads (served at `GET /activations`), one JSON line each on the log, and the
 * listeners a caller registered (the sandbox, a test). Listeners run on a later turn of the event
 * loop than the delivery's answer is produced, and are never awaited by it, so slow workflow work can
 * never hold up Intercom's delivery; and everything that runs then is guarded: a listener, the log line or the hand-off that fails is logged, never thrown.
 */
import type { Activation } from "./Activation.ts"

export type ActivationListener = (activation: Activation) => void | Promise<void>

export interface ActivationLog {
  /** Most recent last. */
  readonly recent: () => ReadonlyArray<Activation>
  readonly subscribe: (listener: ActivationListener) => () => void
  /**
   * Records at once; logs and notifies listeners on a later turn of the event loop. `payloadBytes` is
   * the size of the delivery they came from, which is what the buffer's byte bound counts.
   */
  readonly record: (activations: ReadonlyArray<Activation>, payloadBytes: number) => void
  /** Bytes the kept activations account for. */
  readonly bytes: () => number
}

export const makeActivationLog = (options: {
  /** The most payload bytes kept; the oldest activations go first (at least the newest is kept). */
  readonly capacityBytes: number
  /** One line per activation; default: standard output. */
  readonly writeLine?: (line: string) => void
  /** Told of every failure after the acknowledgement; must not throw (it is guarded too). */
  readonly onFailure: (stage: "log" | "listener" | "hand-off", error: unknown) => void
}): ActivationLog => {
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`))
  const entries: Array<{ readonly activation: Activation; readonly bytes: number }> = []
  let head = 0
  let bytes = 0
  const listeners = new Set<ActivationListener>()
  const report = (stage: "log" | "listener" | "hand-off", error: unknown) => {
    try {
      options.onFailure(stage, error)
    } catch {
      // Nothing is left to tell; the host keeps serving.
    }
  }
  const evict = () => {
    while (bytes > options.capacityBytes && entries.length - head > 1) {
      bytes -= entries[head]!.bytes
      head++
    }
    if (head > 1024 && head * 2 > entries.length) {
      entries.splice(0, head)
      head = 0
    }
  }
  const handOff = (activations: ReadonlyArray<Activation>) => {
    for (const activation of activations) {
      try {
        writeLine(JSON.stringify({ event: "activation", ...activation }))
      } catch (error) {
        report("log", error)
      }
      for (const listener of listeners) {
        Promise.resolve()
          .then(() => listener(activation))
          .catch((error: unknown) => report("listener", error))
      }
    }
  }
  return {
    recent: () => entries.slice(head).map((entry) => entry.activation),
    bytes: () => bytes,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    record: (activations, payloadBytes) => {
      if (activations.length === 0) return
      for (const activation of activations) {
        entries.push({ activation, bytes: payloadBytes })
        bytes += payloadBytes
      }
      evict()
      setImmediate(() => {
        try {
          handOff(activations)
        } catch (error) {
          report("hand-off", error)
        }
      })
    }
  }
}
