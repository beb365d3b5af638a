import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { Activation } from "../Activation.ts"
import type { Delivery, InboxLimits } from "../ActivationInbox.ts"
import { InboxFull, InvalidCursor } from "../StateError.ts"

/** One activation as stored JSON: its payload spliced in as the delivery's text when it came with one. */
const recordJson = (activation: Activation, payloadJson: string | undefined): string => {
  if (payloadJson === undefined) return JSON.stringify(activation)
  const { payload: _, ...identity } = activation
  const head = JSON.stringify(identity)
  return head === "{}" ? `{"payload":${payloadJson}}` : `${head.slice(0, -1)},"payload":${payloadJson}}`
}

/** A delivery's activations as stored JSON, with the bytes the inbox's bound counts. */
export const encodeActivations = (delivery: Delivery) => {
  const records = delivery.activations.map((activation) => {
    const json = recordJson(activation, delivery.payloadJson)
    return { json, bytes: Buffer.byteLength(json, "utf8") }
  })
  return { records, bytes: records.reduce((sum, record) => sum + record.bytes, 0) }
}

/** What the inbox holds when a delivery asks to be added: refused with the first limit it would pass. */
export const capacityRefusal = (
  limits: InboxLimits,
  held: { readonly keys: number; readonly records: number; readonly bytes: number },
  adding: { readonly records: number; readonly bytes: number }
): InboxFull | undefined => {
  if (held.keys >= limits.maxKeys) return new InboxFull({ limit: "Keys", capacity: limits.maxKeys })
  if (held.records + adding.records > limits.maxRecords) {
    return new InboxFull({ limit: "Records", capacity: limits.maxRecords })
  }
  if (held.bytes + adding.bytes > limits.maxBytes)
    return new InboxFull({ limit: "Bytes", capacity: limits.maxBytes })
  return undefined
}

const sequenceCursor = "a decimal sequence number"

/** The memory and SQLite cursors: the activation's sequence number. */
export const parseSequenceCursor = (cursor: string): number | InvalidCursor =>
  /^\d{1,15}$/.test(cursor) ? Number(cursor) : new InvalidCursor({ cursor, expected: sequenceCursor })

export const beyondLastCursor = (cursor: string, expected = sequenceCursor) =>
  new InvalidCursor({ cursor, expected: `${expected} no later than the last handed out` })

/** Wakes this process's waiting reads when it appends. */
export const makeArrivals = () => {
  let arrived = Deferred.makeUnsafe<void>()
  return {
    wait: Effect.suspend(() => Deferred.await(arrived)),
    notify: () => {
      const woken = arrived
      arrived = Deferred.makeUnsafe<void>()
      Deferred.doneUnsafe(woken, Effect.void)
    }
  }
}
