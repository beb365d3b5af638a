/**
 * A recognizable token stored through ConnectionStore must appear nowhere at rest or in the logs: not in
 * the SQLite file or its WAL, not in any Redis key or value, not in anything logged.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeRedis from "@effect/platform-node/NodeRedis"
import { assert, describe, it } from "@effect/vitest"
import { type RedisServer, startRedisServer } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { ConnectionStore, generateStateKey, State, type StateServices } from "../src/index.ts"
import { connectionFixture, keysOf } from "./conformance.ts"

const canary = "tok_CANARY_7f3a9c1e5b"

const logged: Array<string> = []
const recordingLogger = Logger.layer([
  Logger.make((options) => {
    logged.push(Logger.formatLogFmt.log(options) as string)
  })
])

/** Everything a host does with a connection, logging each answer as a careless caller might. */
const exercise = Effect.gen(function* () {
  const store = yield* ConnectionStore
  const saved = yield* store.save(connectionFixture({ accessToken: Redacted.make(canary) }))
  yield* Effect.logInfo("saved", saved)
  yield* store.save(connectionFixture({ id: "conn_again", accessToken: Redacted.make(canary) }))
  yield* Effect.logInfo("listed", yield* store.list)
  yield* Effect.logInfo("read", yield* store.get("conn_1"))
  yield* Effect.logInfo("by workspace", yield* store.forWorkspace("ws_a"))
  yield* store.markRevoked("conn_1")
  yield* Effect.logInfo("revoked", yield* store.get("conn_1"))
}).pipe(Effect.provide(recordingLogger))

const run = (layer: Layer.Layer<StateServices, unknown>) => Effect.runPromise(Effect.provide(exercise, layer))

describe("canary token", () => {
  const root = mkdtempSync(join(tmpdir(), "taskjuice-state-canary-"))
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis.stop()
    rmSync(root, { recursive: true, force: true })
  })

  it("is absent from the SQLite file and its WAL, and from the logs", async () => {
    const path = join(root, "state.sqlite")
    await run(State.layer({ location: { _tag: "Sqlite", path }, keys: keysOf(generateStateKey()) }))
    const files = [path, `${path}-wal`].filter(existsSync)
    assert.include(files, path)
    for (const file of files) {
      const bytes = readFileSync(file)
      assert.isAbove(bytes.length, 0)
      assert.strictEqual(bytes.indexOf(canary), -1, `${file} holds the token`)
      assert.strictEqual(
        bytes.indexOf(Buffer.from(canary).toString("base64")),
        -1,
        `${file} holds it in base64`
      )
    }
    assert.isAbove(logged.length, 0)
    for (const line of logged) assert.notInclude(line, canary)
  })

  it("is absent from every Redis key and value, and from the logs", async () => {
    await run(
      State.layer({
        location: { _tag: "Redis", host: redis.host, port: redis.port, database: 0 },
        keys: keysOf(generateStateKey())
      })
    )
    const everything = await Effect.runPromise(
      Effect.gen(function* () {
        const client = yield* Redis.Redis
        const dump: Array<string> = []
        let cursor = "0"
        for (let page = 0; page < 1000; page++) {
          const [next, keys] = yield* client.send<[string, Array<string>]>("SCAN", cursor, "COUNT", "100")
          for (const key of keys) {
            dump.push(key)
            const type = yield* client.send<string>("TYPE", key)
            const value =
              type === "string"
                ? yield* client.send("GET", key)
                : type === "hash"
                  ? yield* client.send("HGETALL", key)
                  : type === "set"
                    ? yield* client.send("SMEMBERS", key)
                    : type === "zset"
                      ? yield* client.send("ZRANGE", key, "0", "-1", "WITHSCORES")
                      : type === "stream"
                        ? yield* client.send("XRANGE", key, "-", "+")
                        : yield* client.send("DUMP", key)
            dump.push(JSON.stringify(value))
          }
          cursor = next
          if (cursor === "0") break
        }
        return dump
      }).pipe(Effect.provide(NodeRedis.layer({ socket: { host: redis.host, port: redis.port } })))
    )
    assert.isTrue(
      everything.some((entry) => entry.startsWith("taskjuice:conn:")),
      "the connection was stored"
    )
    for (const entry of everything) {
      assert.notInclude(entry, canary)
      assert.notInclude(entry, Buffer.from(canary).toString("base64"))
    }
    for (const line of logged) assert.notInclude(line, canary)
  })
})
