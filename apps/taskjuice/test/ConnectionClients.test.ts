import { assert, describe, it } from "@effect/vitest"
import { rateLimitHeaders } from "@taskjuice/intercom-client"
import { RateLimiter } from "@taskjuice/intercom-core"
import { ConnectionStore } from "@taskjuice/intercom-state"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { execute } from "../src/ActionExecution.ts"
import type { Connection } from "../src/Connection.ts"
import {
  ConnectionClients,
  type ConnectionClientsShape,
  layerConnectionClients,
  makeConnectionClients
} from "../src/ConnectionClients.ts"
import { memoryStateWith, testConnection } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"

let intercom: LoopbackIntercom
beforeAll(async () => {
  intercom = await startLoopbackIntercom()
})
afterAll(() => intercom.close())

const connectionFor = (id: string, token = `tok-${id}`): Connection =>
  testConnection({ id, apiBaseUrl: intercom.url, accessToken: Redacted.make(token) })

/** A host's services with a client cache of its own, and a way to reach the cache and the store. */
const hostServices = (initial: ReadonlyArray<Connection>, capacity?: number) =>
  Layer.mergeAll(
    memoryStateWith(initial),
    layerConnectionClients(capacity === undefined ? {} : { capacity }),
    RateLimiter.layer
  )

const services = Effect.all({
  clients: Effect.service(ConnectionClients),
  connections: Effect.service(ConnectionStore)
})

const listTags = (connectionId: string) => Effect.result(execute("intercom/list-tags", {}, connectionId))

const authorizations = (from: number) =>
  intercom.requests.slice(from).map((request) => request.headers.authorization)

describe("ConnectionClients: each connection's client, kept between steps", () => {
  it.live("a second step of a connection reuses the client the first one built", () =>
    Effect.gen(function* () {
      const resetAt = Math.floor(Date.now() / 1000) + 10
      intercom.route("GET /tags", () => ({
        headers: rateLimitHeaders({ limit: 167, remaining: 150, resetAt }),
        body: Answers.tagList
      }))
      const { clients } = yield* services
      const first = yield* listTags("conn_a")
      assert.strictEqual(first._tag, "Success")
      const stored = () => Effect.flatMap(Effect.service(ConnectionStore), (store) => store.get("conn_a"))
      const kept = clients.get((yield* stored())!)
      const second = yield* listTags("conn_a")
      assert.strictEqual(second._tag, "Success")
      assert.strictEqual(clients.built(), 1)
      assert.strictEqual(clients.get((yield* stored())!), kept)
      // The kept client saw the answers: it holds the rate-limit reading a fresh one would not have.
      assert.deepStrictEqual(kept.client.lastRateLimit(), { limit: 167, remaining: 150, resetAt })
      intercom.route("GET /tags", undefined)
    }).pipe(Effect.provide(hostServices([connectionFor("conn_a")])))
  )

  it.live("a reconnect (a new record under the same id) gets a new client, sending the new token", () =>
    Effect.gen(function* () {
      intercom.route("GET /tags", () => ({ body: Answers.tagList }))
      const { clients, connections } = yield* services
      const from = intercom.requests.length
      yield* listTags("conn_b")
      yield* connections.save(connectionFor("conn_b", "tok-conn_b-reconnected"))
      yield* listTags("conn_b")
      assert.deepStrictEqual(authorizations(from), ["Bearer tok-conn_b", "Bearer tok-conn_b-reconnected"])
      assert.strictEqual(clients.built(), 2)
      assert.strictEqual(clients.size(), 1)
      intercom.route("GET /tags", undefined)
    }).pipe(Effect.provide(hostServices([connectionFor("conn_b")])))
  )

  it.live("a revoke evicts: Intercom's 401 marks the connection revoked and drops its client", () =>
    Effect.gen(function* () {
      let uninstalled = false
      intercom.route("GET /tags", (request) =>
        uninstalled && request.headers.authorization === "Bearer tok-conn_gone"
          ? { status: 401, body: Answers.errorList("unauthorized", "Access Token Invalid") }
          : { body: Answers.tagList }
      )
      const { clients, connections } = yield* services
      yield* listTags("conn_kept")
      yield* listTags("conn_gone")
      assert.strictEqual(clients.size(), 2)
      uninstalled = true
      const revoked = yield* listTags("conn_gone")
      assert.strictEqual(revoked._tag === "Failure" ? revoked.failure.code : "no failure", "AUTH_REVOKED")
      assert.strictEqual((yield* connections.get("conn_gone"))?.status, "revoked")
      assert.strictEqual(clients.size(), 1)
      assert.strictEqual(clients.evict("conn_gone"), false)
      assert.strictEqual(clients.evict("conn_kept"), true)
      intercom.route("GET /tags", undefined)
    }).pipe(Effect.provide(hostServices([connectionFor("conn_kept"), connectionFor("conn_gone")])))
  )

  it.live("a removal evicts: evict(connectionId) drops the client, and a later step builds a new one", () =>
    Effect.gen(function* () {
      intercom.route("GET /tags", () => ({ body: Answers.tagList }))
      const { clients, connections } = yield* services
      yield* listTags("conn_r")
      yield* connections.remove("conn_r")
      assert.isTrue(clients.evict("conn_r"))
      assert.strictEqual(clients.size(), 0)
      yield* connections.save(connectionFor("conn_r"))
      yield* listTags("conn_r")
      assert.strictEqual(clients.built(), 2)
      intercom.route("GET /tags", undefined)
    }).pipe(Effect.provide(hostServices([connectionFor("conn_r")])))
  )

  it("the bound holds: past its capacity the least recently used client goes first", () => {
    const clients: ConnectionClientsShape = makeConnectionClients({ capacity: 3 })
    const records = ["c1", "c2", "c3", "c4", "c5"].map((id) => connectionFor(id))
    const [c1, c2, c3, c4, c5] = records as [Connection, Connection, Connection, Connection, Connection]
    const first = clients.get(c1)
    clients.get(c2)
    clients.get(c3)
    assert.strictEqual(clients.get(c1), first) // c1 is now the most recent; c2 the least
    clients.get(c4)
    clients.get(c5)
    assert.strictEqual(clients.size(), 3)
    assert.strictEqual(clients.built(), 5)
    // c1, c4, c5 are kept; c2 and c3 went, so asking for them builds again.
    for (const kept of [c1, c4, c5]) clients.get(kept)
    assert.strictEqual(clients.built(), 5)
    clients.get(c2)
    assert.strictEqual(clients.built(), 6)
    assert.strictEqual(clients.size(), 3)
  })

  it("a store that reads a fresh record for every step (same token and host) still reuses the client", () => {
    const clients = makeConnectionClients()
    const kept = clients.get(connectionFor("conn_read"))
    assert.strictEqual(clients.get({ ...connectionFor("conn_read"), workspaceName: "Renamed" }), kept)
    assert.notStrictEqual(
      clients.get({ ...connectionFor("conn_read"), apiBaseUrl: "http://127.0.0.1:10" }),
      kept
    )
    assert.strictEqual(clients.built(), 2)
  })

  it("a different request timeout gets a client of its own; a capacity below 1 is refused", () => {
    const clients = makeConnectionClients()
    const connection = connectionFor("conn_t")
    const standard = clients.get(connection)
    const quick = clients.get(connection, "2 seconds")
    assert.notStrictEqual(quick, standard)
    assert.strictEqual(clients.get(connection, "2 seconds"), quick)
    assert.strictEqual(clients.size(), 1)
    assert.throws(
      () => makeConnectionClients({ capacity: 0 }),
      /capacity must be a whole number of at least 1/
    )
  })

  it.live("without a layer, steps share the process's default cache", () =>
    Effect.gen(function* () {
      intercom.route("GET /tags", () => ({ body: Answers.tagList }))
      const clients = yield* ConnectionClients
      const before = clients.built()
      yield* listTags("conn_default")
      yield* listTags("conn_default")
      assert.strictEqual(clients.built() - before, 1)
      assert.isTrue(clients.evict("conn_default"))
      intercom.route("GET /tags", undefined)
    }).pipe(
      Effect.provide(Layer.mergeAll(memoryStateWith([connectionFor("conn_default")]), RateLimiter.layer))
    )
  )
})
