/**
 * The memory backend: every store in this process, for tests and a throwaway sandbox. It needs no key (the
 * token never leaves the process) and keeps the same contracts as the shared backends: upsert by
 * identity, single-use nonces, atomic accept with refusal at capacity, cursor reads and acknowledgement.
 * What it holds is lost when the process ends.
 *
 * @since 0.1.0
 */
import { RateLimitStore } from "@taskjuice/intercom-core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { InboxActivation } from "../Activation.ts"
import {
  type AcceptResult,
  type ActivationInboxShape,
  defaultInboxLimits,
  type InboxLimits,
  readBounds
} from "../ActivationInbox.ts"
import type { Connection } from "../Connection.ts"
import type { ConnectionStoreShape } from "../ConnectionStore.ts"
import { makeExpiryHeap } from "../internal/ExpiryHeap.ts"
import {
  beyondLastCursor,
  capacityRefusal,
  encodeActivations,
  makeArrivals,
  parseSequenceCursor
} from "../internal/inbox.ts"
import type { StateParts } from "../internal/services.ts"
import type { OAuthNoncesShape } from "../OAuthNonces.ts"
import type { InboxFull } from "../StateError.ts"

const identityOf = (connection: { readonly workspaceId: string; readonly adminId: string }) =>
  JSON.stringify([connection.workspaceId, connection.adminId])

const makeConnections = (): ConnectionStoreShape => {
  const byId = new Map<string, Connection>()
  const idByIdentity = new Map<string, string>()
  return {
    get: (id) => Effect.sync(() => byId.get(id)),
    forWorkspace: (workspaceId) =>
      Effect.sync(() => [...byId.values()].filter((connection) => connection.workspaceId === workspaceId)),
    list: Effect.sync(() => [...byId.values()]),
    save: (connection) =>
      Effect.sync(() => {
        const identity = identityOf(connection)
        const existing = idByIdentity.get(identity)
        const saved = existing === undefined ? connection : { ...connection, id: existing }
        if (existing === undefined) {
          const replaced = byId.get(connection.id)
          if (replaced !== undefined) idByIdentity.delete(identityOf(replaced))
          idByIdentity.set(identity, connection.id)
        }
        byId.set(saved.id, saved)
        return { _tag: existing === undefined ? "Created" : "Updated", connection: saved } as const
      }),
    markRevoked: (id) =>
      Effect.sync(() => {
        const connection = byId.get(id)
        if (connection === undefined || connection.status === "revoked") return false
        byId.set(id, { ...connection, status: "revoked" })
        return true
      }),
    remove: (id) =>
      Effect.sync(() => {
        const connection = byId.get(id)
        if (connection === undefined) return false
        byId.delete(id)
        idByIdentity.delete(identityOf(connection))
        return true
      })
  }
}

const makeNonces = (): OAuthNoncesShape => {
  const claimed = new Map<string, number>()
  const expiries = makeExpiryHeap()
  return {
    claim: (nonce, expiresAtMillis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        expiries.popExpired(now, (key, expiresAt) => {
          if (claimed.get(key) === expiresAt) claimed.delete(key)
        })
        if (expiresAtMillis <= now || claimed.has(nonce)) return false
        claimed.set(nonce, expiresAtMillis)
        expiries.push(nonce, expiresAtMillis)
        return true
      })
  }
}

interface Held {
  readonly seq: number
  readonly json: string
  readonly bytes: number
}

const makeInbox = (limits: InboxLimits): ActivationInboxShape => {
  const dedupe = new Map<string, number>()
  const expiries = makeExpiryHeap()
  const held: Array<Held> = []
  const arrivals = makeArrivals()
  let nextSeq = 1
  let committed = 0
  let heldBytes = 0

  const accept = (delivery: Parameters<ActivationInboxShape["accept"]>[0]) =>
    Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<AcceptResult, InboxFull> => {
      expiries.popExpired(now, (key, expiresAt) => {
        if (dedupe.get(key) === expiresAt) dedupe.delete(key)
      })
      const seen = dedupe.get(delivery.dedupeKey)
      if (seen !== undefined && seen > now) return Effect.succeed({ _tag: "Duplicate" })
      const { records, bytes } = encodeActivations(delivery)
      const refused = capacityRefusal(
        limits,
        { keys: dedupe.size, records: held.length, bytes: heldBytes },
        { records: records.length, bytes }
      )
      if (refused !== undefined) return Effect.fail(refused)
      dedupe.set(delivery.dedupeKey, delivery.expiresAtMillis)
      expiries.push(delivery.dedupeKey, delivery.expiresAtMillis)
      const cursors = records.map((record) => {
        const seq = nextSeq++
        held.push({ seq, ...record })
        return String(seq)
      })
      heldBytes += bytes
      if (cursors.length > 0) arrivals.notify()
      return Effect.succeed({ _tag: "Accepted", cursors })
    })

  const after = (seq: number, limit: number): ReadonlyArray<InboxActivation> => {
    const out: Array<InboxActivation> = []
    for (const record of held) {
      if (record.seq <= seq) continue
      out.push({
        ...(JSON.parse(record.json) as Omit<InboxActivation, "cursor">),
        cursor: String(record.seq)
      })
      if (out.length >= limit) break
    }
    return out
  }

  return {
    accept,
    read: (options) =>
      Effect.suspend(() => {
        const from = options?.after === undefined ? committed : parseSequenceCursor(options.after)
        if (typeof from !== "number") return Effect.fail(from)
        const { limit, waitMillis } = readBounds(options)
        const now = after(from, limit)
        if (now.length > 0 || waitMillis === 0) return Effect.succeed(now)
        return arrivals.wait.pipe(
          Effect.timeoutOption(waitMillis),
          Effect.map(() => after(from, limit))
        )
      }),
    ack: (cursor) =>
      Effect.suspend(() => {
        const seq = parseSequenceCursor(cursor)
        if (typeof seq !== "number") return Effect.fail(seq)
        if (seq >= nextSeq) return Effect.fail(beyondLastCursor(cursor))
        if (seq <= committed) return Effect.void
        committed = seq
        let pruned = 0
        while (pruned < held.length && (held[pruned] as Held).seq <= seq) {
          heldBytes -= (held[pruned] as Held).bytes
          pruned++
        }
        held.splice(0, pruned)
        return Effect.void
      })
  }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryState = (limits: InboxLimits = defaultInboxLimits): StateParts => ({
  connections: makeConnections(),
  nonces: makeNonces(),
  inbox: makeInbox(limits),
  rateLimits: RateLimitStore.makeMemory()
})
