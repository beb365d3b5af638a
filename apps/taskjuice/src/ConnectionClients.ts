/**
 * Each connection's Intercom client, kept from one step to the next: its `IntercomApi` (the typed
 * client with the token, the pinned host and version, and the workspace's rate-limiter key) is built
 * once and reused, instead of a new one per step. At most `capacity` are kept; the least recently used
 * goes first. An entry is reused only while the connection keeps the token and host it was built with
 * (a reconnect brings a new token) and for the same request timeout; a store that reads a fresh record
 * for every step still hits. Revoking or removing a connection evicts it.
 *
 * A small LRU over a `Map` (its insertion order is the recency order) rather than effect's `Cache`:
 * the entry is built from the connection record the step already holds, which `Cache`'s lookup (by key
 * alone) cannot see, and `Cache` keeps a fiber per entry, which 10,000 connections would pay for.
 */
import { apiVersion } from "@taskjuice/intercom-client"
import { IntercomApi, type IntercomApiShape } from "@taskjuice/intercom-core"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { Connection } from "./Connection.ts"

export interface ConnectionClientsShape {
  /** The connection's client: the kept one when it was built from this record and timeout, else a new one. */
  readonly get: (connection: Connection, requestTimeout?: Duration.Input) => IntercomApiShape
  /** Drops the connection's client (after a revoke, a removal or a reconnect); whether one was kept. */
  readonly evict: (connectionId: string) => boolean
  /** How many clients are kept now. */
  readonly size: () => number
  /** How many clients were built since the cache was made (a miss builds one, a hit none). */
  readonly built: () => number
  readonly capacity: number
}

export interface ConnectionClientsOptions {
  /** The most clients kept at once (default {@link defaultClientCapacity}). */
  readonly capacity?: number
}

/** Enough for every connection of a host holding 10,000 workspaces. */
export const defaultClientCapacity = 10_000

interface Entry {
  readonly accessToken: Redacted.Redacted<string>
  readonly apiBaseUrl: string
  readonly requestTimeout: Duration.Input | undefined
  readonly api: IntercomApiShape
}

const builtFor = (entry: Entry, connection: Connection, requestTimeout: Duration.Input | undefined) =>
  entry.requestTimeout === requestTimeout &&
  entry.apiBaseUrl === connection.apiBaseUrl &&
  (entry.accessToken === connection.accessToken ||
    Redacted.value(entry.accessToken) === Redacted.value(connection.accessToken))

const makeApi = (connection: Connection, requestTimeout: Duration.Input | undefined) =>
  IntercomApi.make({
    accessToken: connection.accessToken,
    baseUrl: connection.apiBaseUrl,
    version: apiVersion,
    ...(requestTimeout === undefined ? {} : { requestTimeout })
  })

export const makeConnectionClients = (options: ConnectionClientsOptions = {}): ConnectionClientsShape => {
  const capacity = options.capacity ?? defaultClientCapacity
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`ConnectionClients capacity must be a whole number of at least 1; got ${capacity}`)
  }
  const entries = new Map<string, Entry>()
  let built = 0
  return {
    capacity,
    get: (connection, requestTimeout) => {
      const kept = entries.get(connection.id)
      if (kept !== undefined) {
        entries.delete(connection.id)
        if (builtFor(kept, connection, requestTimeout)) {
          entries.set(connection.id, kept)
          return kept.api
        }
      }
      const api = makeApi(connection, requestTimeout)
      built++
      entries.set(connection.id, {
        accessToken: connection.accessToken,
        apiBaseUrl: connection.apiBaseUrl,
        requestTimeout,
        api
      })
      if (entries.size > capacity) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
      return api
    },
    evict: (connectionId) => entries.delete(connectionId),
    size: () => entries.size,
    built: () => built
  }
}

/**
 * The clients of this process's connections. Without a layer, every host in the process shares one
 * cache of {@link defaultClientCapacity} (entries are checked against the token and host, so sharing is safe);
 * a host provides `ConnectionClients.layer` for a cache of its own.
 */
export const ConnectionClients = Context.Reference<ConnectionClientsShape>(
  "@taskjuice/intercom-bundle/ConnectionClients",
  { defaultValue: () => makeConnectionClients() }
)

/** A cache of the host's own, of the given capacity. */
export const layerConnectionClients = (options: ConnectionClientsOptions = {}): Layer.Layer<never> =>
  Layer.sync(ConnectionClients, () => makeConnectionClients(options))
