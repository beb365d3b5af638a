/**
 * The one contract every backend keeps, run against memory, SQLite and Redis. A `Backend` hands out
 * "worlds" (fresh state); a world hands out workers (layers over that same state, as separate host
 * processes would open it) and restarts (a new layer after the old one closed).
 */
import { assert, describe, it } from "@effect/vitest"
import {
  isStaleReplay,
  markNotificationIfNew,
  NotificationDedupe,
  notificationDedupeKey,
  RateLimiter,
  type RateLimiterShape,
  RateLimitStore,
  type RateLimitWindow,
  webhookFixture
} from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { afterEach } from "vitest"
import {
  type Activation,
  ActivationInbox,
  type Connection,
  ConnectionStore,
  generateStateKey,
  InboxFull,
  type InboxLimits,
  OAuthNonces,
  parseStateKeys,
  StateKeyError,
  type StateKeys,
  type StateServices,
  TokenUnreadable
} from "../src/index.ts"

export interface WorkerOptions {
  readonly keys?: StateKeys | undefined
  readonly limits?: Partial<InboxLimits> | undefined
  readonly noKeys?: boolean | undefined
}

export interface World {
  readonly layer: (options?: WorkerOptions) => Layer.Layer<StateServices, unknown>
}

export interface Backend {
  readonly name: string
  /** Survives a restart and needs a key (SQLite, Redis); the memory backend is one process's. */
  readonly persistent: boolean
  readonly world: () => Promise<World>
}

export const keysOf = (current: string, ...previous: ReadonlyArray<string>): StateKeys => {
  const keys = parseStateKeys(current, previous.join(","))
  if (keys instanceof StateKeyError) throw keys
  return keys
}

export const connectionFixture = (overrides: Partial<Connection> = {}): Connection => ({
  id: "conn_1",
  workspaceId: "ws_a",
  workspaceName: "Acme",
  adminId: "admin_1",
  adminEmail: "admin@acme.test",
  region: "us",
  apiBaseUrl: "https://api.intercom.io",
  accessToken: Redacted.make("tok_first"),
  status: "active",
  connectedAt: "2026-11-01T12:00:00.000Z",
  ...overrides
})

export const activationFixture = (dedupeKey: string, overrides: Partial<Activation> = {}): Activation => ({
  triggerKey: "intercom/conversation-created",
  connectionId: "conn_1",
  workspaceId: "ws_a",
  topic: "conversation.user.created",
  notificationId: dedupeKey,
  dedupeKey: `${dedupeKey}:conn_1:intercom/conversation-created`,
  receivedAt: "2026-11-01T12:00:00.000Z",
  payload: {
    type: "notification_event",
    id: dedupeKey,
    data: { item: { type: "conversation", body: "x".repeat(10) } }
  },
  ...overrides
})

const minutes = (n: number) => n * 60_000

export const conformance = (backend: Backend) =>
  describe(`state conformance: ${backend.name}`, () => {
    const runtimes: Array<ManagedRuntime.ManagedRuntime<StateServices, unknown>> = []
    afterEach(async () => {
      await Promise.all(runtimes.splice(0).map((runtime) => runtime.dispose()))
    })
    const key = generateStateKey()
    const worker = (world: World, options: WorkerOptions = {}) => {
      const runtime = ManagedRuntime.make(world.layer({ keys: keysOf(key), ...options }))
      runtimes.push(runtime)
      return <A, E>(effect: Effect.Effect<A, E, StateServices>) => runtime.runPromise(effect)
    }
    const workerExit = (world: World, options: WorkerOptions = {}) => {
      const runtime = ManagedRuntime.make(world.layer({ keys: keysOf(key), ...options }))
      runtimes.push(runtime)
      return <A, E>(effect: Effect.Effect<A, E, StateServices>) => runtime.runPromiseExit(effect)
    }
    /** Closes a worker's layer (its file, its Redis connections) and opens a new one on the same state. */
    const restart = async (world: World, options: WorkerOptions = {}) => {
      await Promise.all(runtimes.splice(0).map((runtime) => runtime.dispose()))
      return worker(world, options)
    }
    const store = Effect.service(ConnectionStore)
    const inbox = Effect.service(ActivationInbox)
    const nonces = Effect.service(OAuthNonces)
    const now = () => Date.now()

    describe("connections", () => {
      it("save upserts by (workspaceId, adminId): a reconnect updates and keeps the id", async () => {
        const world = await backend.world()
        const a = worker(world)
        const first = await a(Effect.flatMap(store, (s) => s.save(connectionFixture())))
        assert.strictEqual(first._tag, "Created")
        const again = await a(
          Effect.flatMap(store, (s) =>
            s.save(
              connectionFixture({
                id: "conn_other",
                accessToken: Redacted.make("tok_second"),
                workspaceName: "Acme 2"
              })
            )
          )
        )
        assert.strictEqual(again._tag, "Updated")
        assert.strictEqual(again.connection.id, "conn_1")
        const listed = await a(Effect.flatMap(store, (s) => s.list))
        assert.strictEqual(listed.length, 1)
        assert.strictEqual(Redacted.value((listed[0] as Connection).accessToken), "tok_second")
        assert.strictEqual((listed[0] as Connection).workspaceName, "Acme 2")
        const other = await a(
          Effect.flatMap(store, (s) => s.save(connectionFixture({ id: "conn_2", adminId: "admin_2" })))
        )
        assert.strictEqual(other._tag, "Created")
        const elsewhere = await a(
          Effect.flatMap(store, (s) => s.save(connectionFixture({ id: "conn_3", workspaceId: "ws_b" })))
        )
        assert.strictEqual(elsewhere._tag, "Created")
        const inA = await a(Effect.flatMap(store, (s) => s.forWorkspace("ws_a")))
        assert.sameMembers(
          inA.map((c) => c.id),
          ["conn_1", "conn_2"]
        )
        assert.strictEqual((await a(Effect.flatMap(store, (s) => s.list))).length, 3)
        const got = await a(Effect.flatMap(store, (s) => s.get("conn_3")))
        assert.strictEqual(got?.workspaceId, "ws_b")
        assert.strictEqual(got?.adminEmail, "admin@acme.test")
        assert.strictEqual(got?.region, "us")
        assert.isUndefined(await a(Effect.flatMap(store, (s) => s.get("conn_missing"))))
      })

      it("markRevoked answers whether it was active; remove whether there was one; both seen by another worker", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        await a(Effect.flatMap(store, (s) => s.save(connectionFixture())))
        assert.isTrue(await b(Effect.flatMap(store, (s) => s.markRevoked("conn_1"))))
        assert.isFalse(await a(Effect.flatMap(store, (s) => s.markRevoked("conn_1"))))
        assert.strictEqual((await a(Effect.flatMap(store, (s) => s.get("conn_1"))))?.status, "revoked")
        assert.isFalse(await a(Effect.flatMap(store, (s) => s.markRevoked("conn_missing"))))
        const reconnected = await b(
          Effect.flatMap(store, (s) => s.save(connectionFixture({ id: "conn_new" })))
        )
        assert.strictEqual(reconnected._tag, "Updated")
        assert.strictEqual(
          (await a(Effect.flatMap(store, (s) => s.get("conn_1"))))?.status,
          "active",
          "a reconnect reactivates"
        )
        assert.isTrue(await a(Effect.flatMap(store, (s) => s.remove("conn_1"))))
        assert.isFalse(await b(Effect.flatMap(store, (s) => s.remove("conn_1"))))
        assert.isUndefined(await b(Effect.flatMap(store, (s) => s.get("conn_1"))))
        assert.deepStrictEqual(await b(Effect.flatMap(store, (s) => s.forWorkspace("ws_a"))), [])
        const after = await b(Effect.flatMap(store, (s) => s.save(connectionFixture({ id: "conn_fresh" }))))
        assert.strictEqual(after._tag, "Created", "after removal the identity is free again")
        assert.strictEqual(after.connection.id, "conn_fresh")
      })

      it("forWorkspace, read on every delivery, shows what this worker changed at once and another's by the next turn", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const statuses = async () =>
          (await a(Effect.flatMap(store, (s) => s.forWorkspace("ws_a"))))
            .map((c) => `${c.id}:${c.status}`)
            .sort()
        await a(Effect.flatMap(store, (s) => s.save(connectionFixture())))
        assert.deepStrictEqual(await statuses(), ["conn_1:active"])
        assert.deepStrictEqual(await statuses(), ["conn_1:active"], "read twice")
        // What another process commits shows from the next turn of the event loop on.
        const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
        await b(Effect.flatMap(store, (s) => s.markRevoked("conn_1")))
        await nextTurn()
        assert.deepStrictEqual(await statuses(), ["conn_1:revoked"], "another worker revoked it")
        await b(Effect.flatMap(store, (s) => s.save(connectionFixture({ id: "conn_2", adminId: "admin_2" }))))
        await nextTurn()
        assert.deepStrictEqual(
          await statuses(),
          ["conn_1:revoked", "conn_2:active"],
          "another worker added one"
        )
        await a(
          Effect.flatMap(inbox, (i) =>
            i.accept({ dedupeKey: "ws_a:n", expiresAtMillis: now() + 60_000, activations: [] })
          )
        )
        await b(Effect.flatMap(store, (s) => s.remove("conn_2")))
        await nextTurn()
        assert.deepStrictEqual(await statuses(), ["conn_1:revoked"], "another worker removed one")
        await a(Effect.flatMap(store, (s) => s.save(connectionFixture({ status: "active" }))))
        assert.deepStrictEqual(await statuses(), ["conn_1:active"], "this worker reconnected it")
        await a(Effect.flatMap(store, (s) => s.remove("conn_1")))
        assert.deepStrictEqual(await statuses(), [], "this worker removed it")
      })

      if (backend.persistent) {
        it("survives a restart; a token sealed under a previous key opens and is re-sealed under the current one", async () => {
          const world = await backend.world()
          const oldKey = generateStateKey()
          const newKey = generateStateKey()
          const a = worker(world, { keys: keysOf(oldKey) })
          await a(
            Effect.flatMap(store, (s) =>
              s.save(connectionFixture({ accessToken: Redacted.make("tok_rotating") }))
            )
          )
          const rotating = await restart(world, { keys: keysOf(newKey, oldKey) })
          const read = await rotating(Effect.flatMap(store, (s) => s.get("conn_1")))
          assert.strictEqual(Redacted.value(read?.accessToken ?? Redacted.make("")), "tok_rotating")
          const settled = await restart(world, { keys: keysOf(newKey) })
          const reread = await settled(Effect.flatMap(store, (s) => s.forWorkspace("ws_a")))
          assert.strictEqual(
            Redacted.value((reread[0] as Connection).accessToken),
            "tok_rotating",
            "re-sealed on the read"
          )
          const stranger = await restart(world, { keys: keysOf(generateStateKey()) })
          const refused = await stranger(Effect.flip(Effect.flatMap(store, (s) => s.get("conn_1"))))
          assert.instanceOf(refused, TokenUnreadable)
          assert.strictEqual((refused as TokenUnreadable).reason, "UnknownKey")
          assert.include(refused.message, "TASKJUICE_STATE_PREVIOUS_KEYS")
        })

        it("refuses to open without a key, naming the variable and how to make one", async () => {
          const world = await backend.world()
          const exit = await workerExit(world, { noKeys: true })(Effect.flatMap(store, (s) => s.list))
          assert.isTrue(Exit.isFailure(exit))
          const error = Exit.isFailure(exit)
            ? exit.cause.reasons.map((reason) => ("error" in reason ? reason.error : reason)).at(0)
            : undefined
          assert.instanceOf(error, StateKeyError)
          const message = (error as StateKeyError).message
          assert.include(message, "TASKJUICE_STATE_KEY")
          assert.include(message, "openssl rand -base64 32")
          assert.notInclude(message, "\n")
        })
      }
    })

    describe("OAuth nonces", () => {
      it("a nonce is claimed once across two workers, even when both race for it", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const expiresAt = now() + minutes(10)
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? a : b)(Effect.flatMap(nonces, (n) => n.claim("nonce_race", expiresAt)))
          )
        )
        assert.strictEqual(claims.filter(Boolean).length, 1)
        assert.isTrue(await b(Effect.flatMap(nonces, (n) => n.claim("nonce_other", expiresAt))))
        assert.isFalse(await a(Effect.flatMap(nonces, (n) => n.claim("nonce_other", expiresAt))))
        assert.isFalse(
          await a(Effect.flatMap(nonces, (n) => n.claim("nonce_expired", now() - 1))),
          "an expired nonce is never claimed"
        )
        if (backend.persistent) {
          const restarted = await restart(world)
          assert.isFalse(
            await restarted(Effect.flatMap(nonces, (n) => n.claim("nonce_race", expiresAt))),
            "still used after a restart"
          )
        }
      })

      it("an expired nonce is purged and takes no room", async () => {
        const world = await backend.world()
        const a = worker(world)
        assert.isTrue(await a(Effect.flatMap(nonces, (n) => n.claim("nonce_short", now() + 150))))
        await new Promise((resolve) => setTimeout(resolve, 250))
        assert.isTrue(await a(Effect.flatMap(nonces, (n) => n.claim("nonce_later", now() + minutes(1)))))
        assert.isFalse(await a(Effect.flatMap(nonces, (n) => n.claim("nonce_short", now() - 1))))
      })
    })

    describe("activation inbox", () => {
      const delivery = (dedupeKey: string, count = 1, expiresAtMillis = now() + minutes(15)) => ({
        dedupeKey,
        expiresAtMillis,
        activations: Array.from({ length: count }, (_, i) => activationFixture(`${dedupeKey}#${i}`))
      })

      it("accept records the activations; a repeat on another worker is a Duplicate and records nothing", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const accepted = await a(Effect.flatMap(inbox, (i) => i.accept(delivery("ws_a:notif_1", 2))))
        assert.strictEqual(accepted._tag, "Accepted")
        assert.strictEqual(accepted._tag === "Accepted" ? accepted.cursors.length : 0, 2)
        assert.deepStrictEqual(await b(Effect.flatMap(inbox, (i) => i.accept(delivery("ws_a:notif_1", 2)))), {
          _tag: "Duplicate"
        })
        const read = await b(Effect.flatMap(inbox, (i) => i.read({ limit: 10 })))
        assert.strictEqual(read.length, 2)
        assert.deepStrictEqual(
          read.map((activation) => activation.cursor),
          accepted._tag === "Accepted" ? accepted.cursors : []
        )
        assert.deepStrictEqual(
          read.map((activation) => activation.dedupeKey),
          [
            "ws_a:notif_1#0:conn_1:intercom/conversation-created",
            "ws_a:notif_1#1:conn_1:intercom/conversation-created"
          ]
        )
        assert.deepStrictEqual((read[0] as Activation).payload, activationFixture("ws_a:notif_1#0").payload)
      })

      it("racing accepts of one delivery from two workers: exactly one is accepted, its activations recorded once", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? a : b)(Effect.flatMap(inbox, (x) => x.accept(delivery("ws_a:notif_race", 3))))
          )
        )
        assert.strictEqual(results.filter((result) => result._tag === "Accepted").length, 1)
        assert.strictEqual((await a(Effect.flatMap(inbox, (i) => i.read({ limit: 100 })))).length, 3)
      })

      it("at capacity it refuses (InboxFull, retryable) instead of forgetting a key; mark and records go together", async () => {
        const world = await backend.world()
        const a = worker(world, { limits: { maxKeys: 3, maxRecords: 4, maxBytes: 1_000_000 } })
        for (const n of [1, 2, 3])
          assert.strictEqual(
            (await a(Effect.flatMap(inbox, (i) => i.accept(delivery(`k${n}`)))))._tag,
            "Accepted"
          )
        const full = await a(Effect.flip(Effect.flatMap(inbox, (i) => i.accept(delivery("k4")))))
        assert.instanceOf(full, InboxFull)
        assert.strictEqual((full as InboxFull).limit, "Keys")
        assert.isTrue(full.retryable)
        for (const n of [1, 2, 3]) {
          assert.deepStrictEqual(
            await a(Effect.flatMap(inbox, (i) => i.accept(delivery(`k${n}`)))),
            { _tag: "Duplicate" },
            `k${n} kept`
          )
        }

        const records = await backend.world()
        const r = worker(records, { limits: { maxKeys: 100, maxRecords: 4, maxBytes: 1_000_000 } })
        assert.strictEqual(
          (await r(Effect.flatMap(inbox, (i) => i.accept(delivery("r1", 3)))))._tag,
          "Accepted"
        )
        const tooMany = await r(Effect.flip(Effect.flatMap(inbox, (i) => i.accept(delivery("r2", 2)))))
        assert.strictEqual((tooMany as InboxFull).limit, "Records")
        // The refused delivery left no mark: once the consumer acknowledges, its retry is accepted.
        const held = await r(Effect.flatMap(inbox, (i) => i.read({ limit: 10 })))
        await r(Effect.flatMap(inbox, (i) => i.ack((held.at(-1) as { cursor: string }).cursor)))
        assert.strictEqual(
          (await r(Effect.flatMap(inbox, (i) => i.accept(delivery("r2", 2)))))._tag,
          "Accepted"
        )

        const bytes = await backend.world()
        const y = worker(bytes, { limits: { maxKeys: 100, maxRecords: 100, maxBytes: 2_000 } })
        assert.strictEqual(
          (await y(Effect.flatMap(inbox, (i) => i.accept(delivery("b1", 2)))))._tag,
          "Accepted"
        )
        const tooBig = await y(Effect.flip(Effect.flatMap(inbox, (i) => i.accept(delivery("b2", 8)))))
        assert.strictEqual((tooBig as InboxFull).limit, "Bytes")
      })

      it("a delivery's payload given as its JSON text is every activation's payload as read back", async () => {
        const world = await backend.world()
        const a = worker(world)
        // As a body arrives: indented, with escapes and non-ASCII text.
        const payloadJson =
          '{\n  "type": "notification_event",\n  "id": "notif_text",\n  "data": { "item": { "type": "conversation", "body": "caf\u00e9 \\"ok\\" ✓" } }\n}'
        const payload = JSON.parse(payloadJson) as unknown
        const accepted = await a(
          Effect.flatMap(inbox, (i) =>
            i.accept({
              dedupeKey: "ws_a:notif_text",
              expiresAtMillis: now() + minutes(15),
              activations: [0, 1].map((n) => activationFixture(`notif_text#${n}`, { payload })),
              payloadJson
            })
          )
        )
        assert.strictEqual(accepted._tag, "Accepted")
        const held = await a(Effect.flatMap(inbox, (i) => i.read({ limit: 10 })))
        assert.deepStrictEqual(
          held.map(({ cursor: _, ...activation }) => activation),
          [0, 1].map((n) => activationFixture(`notif_text#${n}`, { payload }))
        )
      })

      it("accepts arriving together (one batch) keep the limits and the dedupe between themselves", async () => {
        const world = await backend.world()
        const a = worker(world, { limits: { maxKeys: 5, maxRecords: 100, maxBytes: 1_000_000 } })
        const keys = ["t1", "t2", "t1", "t3", "t4", "t5", "t6", "t2", "t7"]
        const exits = await a(
          Effect.all(
            keys.map((key) => Effect.exit(Effect.flatMap(inbox, (i) => i.accept(delivery(key))))),
            { concurrency: "unbounded" }
          )
        )
        const outcome = exits.map((exit) =>
          Exit.isSuccess(exit) ? exit.value._tag : Exit.isFailure(exit) ? "Refused" : "?"
        )
        // Five new keys fill the inbox; each repeat is a duplicate; the sixth and seventh new keys are refused.
        assert.deepStrictEqual(outcome, [
          "Accepted",
          "Accepted",
          "Duplicate",
          "Accepted",
          "Accepted",
          "Accepted",
          "Refused",
          "Duplicate",
          "Refused"
        ])
        const held = await a(Effect.flatMap(inbox, (i) => i.read({ limit: 100 })))
        assert.deepStrictEqual(
          held.map((activation) => activation.notificationId),
          ["t1#0", "t2#0", "t3#0", "t4#0", "t5#0"]
        )
      })

      it("a key leaves after its window, and is new again", async () => {
        const world = await backend.world()
        const a = worker(world, { limits: { maxKeys: 1 } })
        assert.strictEqual(
          (await a(Effect.flatMap(inbox, (i) => i.accept(delivery("short", 0, now() + 150)))))._tag,
          "Accepted"
        )
        await new Promise((resolve) => setTimeout(resolve, 250))
        assert.strictEqual(
          (await a(Effect.flatMap(inbox, (i) => i.accept(delivery("short", 0, now() + minutes(1))))))._tag,
          "Accepted"
        )
      })

      it("one order shared by every worker; read after a cursor; ack commits the position", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        for (let n = 0; n < 6; n++)
          await (n % 2 === 0 ? a : b)(Effect.flatMap(inbox, (i) => i.accept(delivery(`order_${n}`))))
        const all = await a(Effect.flatMap(inbox, (i) => i.read({ limit: 100 })))
        assert.deepStrictEqual(
          all.map((x) => x.notificationId),
          [0, 1, 2, 3, 4, 5].map((n) => `order_${n}#0`)
        )
        const page = await b(
          Effect.flatMap(inbox, (i) => i.read({ after: (all[1] as { cursor: string }).cursor, limit: 2 }))
        )
        assert.deepStrictEqual(
          page.map((x) => x.notificationId),
          ["order_2#0", "order_3#0"]
        )
        await b(Effect.flatMap(inbox, (i) => i.ack((all[2] as { cursor: string }).cursor)))
        const rest = await a(Effect.flatMap(inbox, (i) => i.read()))
        assert.deepStrictEqual(
          rest.map((x) => x.notificationId),
          ["order_3#0", "order_4#0", "order_5#0"]
        )
        await a(Effect.flatMap(inbox, (i) => i.ack((all[0] as { cursor: string }).cursor)))
        assert.strictEqual(
          (await b(Effect.flatMap(inbox, (i) => i.read()))).length,
          3,
          "an older ack does not move the position back"
        )
        const beyond = await a(Effect.flip(Effect.flatMap(inbox, (i) => i.ack("999999999999999"))))
        assert.strictEqual(beyond._tag, "InvalidCursor")
        const bad = await a(Effect.flip(Effect.flatMap(inbox, (i) => i.read({ after: "not a cursor" }))))
        assert.strictEqual(bad._tag, "InvalidCursor")
      })

      if (backend.persistent) {
        it("unacknowledged activations are read again after a restart; acknowledged ones are gone", async () => {
          const world = await backend.world()
          const a = worker(world)
          for (const n of [1, 2, 3]) await a(Effect.flatMap(inbox, (i) => i.accept(delivery(`restart_${n}`))))
          const first = await a(Effect.flatMap(inbox, (i) => i.read({ limit: 1 })))
          await a(Effect.flatMap(inbox, (i) => i.ack((first[0] as { cursor: string }).cursor)))
          await a(Effect.flatMap(inbox, (i) => i.read({ limit: 10 })))
          const restarted = await restart(world)
          const again = await restarted(Effect.flatMap(inbox, (i) => i.read({ limit: 10 })))
          assert.deepStrictEqual(
            again.map((x) => x.notificationId),
            ["restart_2#0", "restart_3#0"]
          )
          assert.deepStrictEqual(
            await restarted(Effect.flatMap(inbox, (i) => i.accept(delivery("restart_2")))),
            { _tag: "Duplicate" }
          )
        })
      }

      it("a waiting read wakes when another worker accepts; without news it answers empty when the wait ends", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const waiting = a(Effect.flatMap(inbox, (i) => i.read({ wait: "10 seconds" })))
        await new Promise((resolve) => setTimeout(resolve, 200))
        await b(Effect.flatMap(inbox, (i) => i.accept(delivery("wake"))))
        const woken = await waiting
        assert.deepStrictEqual(
          woken.map((x) => x.notificationId),
          ["wake#0"]
        )
        const quiet = await a(
          Effect.flatMap(inbox, (i) =>
            i.read({ after: (woken[0] as { cursor: string }).cursor, wait: "300 millis" })
          )
        )
        assert.deepStrictEqual(quiet, [])
      })

      it("cross-tenant: the same notification id from two workspaces activates both", async () => {
        const world = await backend.world()
        const a = worker(world)
        const fixture = webhookFixture("conversation.user.created")
        for (const workspace of ["ws_a", "ws_b"]) {
          const key = notificationDedupeKey({ ...fixture, app_id: workspace })
          assert.strictEqual(
            (await a(Effect.flatMap(inbox, (i) => i.accept(delivery(key)))))._tag,
            "Accepted",
            workspace
          )
        }
        assert.isTrue(await a(markNotificationIfNew({ ...fixture, id: "notif_shared", app_id: "ws_a" })))
        assert.isTrue(await a(markNotificationIfNew({ ...fixture, id: "notif_shared", app_id: "ws_b" })))
        const b = worker(world)
        assert.isFalse(
          await b(markNotificationIfNew({ ...fixture, id: "notif_shared", app_id: "ws_b" })),
          "NotificationDedupe is shared"
        )
      })

      it("replay past the window: once its key has expired a replay is judged stale, not accepted again", async () => {
        const world = await backend.world()
        const a = worker(world)
        // Intercom's times are whole seconds: sent at most 999 ms before now, inside the 1.5 s cutoff.
        const window = { window: "2 seconds", margin: "500 millis" } as const
        const sentAt = Math.floor(now() / 1000)
        const notification = {
          ...webhookFixture("contact.user.created"),
          id: "notif_replayed",
          first_sent_at: sentAt
        }
        const deliver = (at: number) =>
          isStaleReplay(notification, at, window)
            ? Promise.resolve("Stale" as const)
            : a(
                Effect.map(
                  Effect.flatMap(inbox, (i) =>
                    i.accept(delivery(notificationDedupeKey(notification), 1, at + 2000))
                  ),
                  (result) => result._tag
                )
              )
        assert.strictEqual(await deliver(now()), "Accepted")
        assert.strictEqual(await deliver(now()), "Duplicate")
        await new Promise((resolve) => setTimeout(resolve, 2100))
        const later = now()
        assert.strictEqual(
          await a(
            Effect.map(
              Effect.flatMap(inbox, (i) =>
                i.accept(delivery(notificationDedupeKey(notification), 0, later + 2000))
              ),
              (result) => result._tag
            )
          ),
          "Accepted",
          "by now the store itself has forgotten the key: only the replay check stands in the way"
        )
        assert.strictEqual(
          await deliver(later),
          "Stale",
          "the key has left the store; the replay still activates nothing"
        )
      })
    })

    describe("rate-limit windows", () => {
      it("two workers spend one budget: concurrent reserves never over-grant", async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const reserve = Effect.flatMap(Effect.service(RateLimitStore), (s) =>
          s.modify("workspace_shared", (current: RateLimitWindow | undefined) => {
            const window = current ?? { remaining: 25, resetAtMillis: now() + minutes(1), windowBudget: 25 }
            return window.remaining > 0
              ? ([true, { ...window, remaining: window.remaining - 1 }] as const)
              : ([false, window] as const)
          })
        )
        const grants = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? a : b)(reserve)))
        assert.strictEqual(grants.filter(Boolean).length, 25)
        const other = await a(
          Effect.flatMap(Effect.service(RateLimitStore), (s) =>
            s.modify(
              "workspace_other",
              (current) => [current, { remaining: 1, resetAtMillis: undefined, windowBudget: 1 }] as const
            )
          )
        )
        assert.isUndefined(other, "workspaces have separate windows")
        const infinite = { remaining: Number.POSITIVE_INFINITY, resetAtMillis: undefined, windowBudget: 3 }
        await b(
          Effect.flatMap(Effect.service(RateLimitStore), (s) =>
            s.modify("workspace_other", () => [undefined, infinite] as const)
          )
        )
        const stored = await a(
          Effect.flatMap(Effect.service(RateLimitStore), (s) =>
            s.modify("workspace_other", (current) => [current, infinite] as const)
          )
        )
        assert.deepStrictEqual(stored, infinite, "an unlimited window round-trips")
      })

      it("the core's RateLimiter over it: two workers' limiters (leasing permits) grant no more than the window", {
        timeout: 20_000
      }, async () => {
        const world = await backend.world()
        const a = worker(world)
        const b = worker(world)
        const resetAt = Math.floor(now() / 1000) + 30
        const withLimiter = <A>(f: (limiter: RateLimiterShape) => Effect.Effect<A>) =>
          Effect.flatMap(Effect.service(RateLimiter), f).pipe(Effect.provide(RateLimiter.layerStore))
        // The probe learns a window of 50 (49 left after it); then 60 requests per worker compete.
        await a(
          withLimiter((l) =>
            Effect.andThen(
              l.acquire("ws_budget"),
              l.observe("ws_budget", { limit: 50, remaining: 49, resetAt }, false)
            )
          )
        )
        const burst = withLimiter((l) =>
          Effect.forEach(
            Array.from({ length: 60 }),
            // Those past the budget wait for the reset, 30 s away: the timeout ends them.
            () => Effect.timeoutOption(l.acquire("ws_budget"), "5 seconds"),
            {
              concurrency: "unbounded"
            }
          )
        )
        const [fromA, fromB] = await Promise.all([a(burst), b(burst)])
        const granted = [...fromA, ...fromB].filter((result) => result._tag === "Some").length
        assert.strictEqual(granted, 49)
      })

      it("the NotificationDedupe it provides keeps keys for the window", async () => {
        const world = await backend.world()
        const a = worker(world)
        const dedupe = Effect.service(NotificationDedupe)
        assert.isTrue(await a(Effect.flatMap(dedupe, (d) => d.markIfNew("ws_a:notif_z"))))
        assert.isFalse(await a(Effect.flatMap(dedupe, (d) => d.markIfNew("ws_a:notif_z"))))
      })
    })
  })
