import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import {
  ConnectionStore,
  formatStateLocation,
  generateStateKey,
  parseStateKeys,
  parseStateLocation,
  State,
  StateKeyError,
  StateLocationError,
  StoreUnavailable
} from "../src/index.ts"
import { makeSealer } from "../src/StateKey.ts"

describe("parseStateLocation", () => {
  it("reads the three forms", () => {
    assert.deepStrictEqual(parseStateLocation("memory"), { _tag: "Memory" })
    assert.deepStrictEqual(parseStateLocation("sqlite:.taskjuice/state.sqlite"), {
      _tag: "Sqlite",
      path: ".taskjuice/state.sqlite"
    })
    assert.deepStrictEqual(parseStateLocation("redis://127.0.0.1:6380/2"), {
      _tag: "Redis",
      host: "127.0.0.1",
      port: 6380,
      database: 2
    })
    assert.deepStrictEqual(parseStateLocation("redis://cache.internal"), {
      _tag: "Redis",
      host: "cache.internal",
      port: 6379,
      database: 0
    })
    const secured = parseStateLocation("redis://worker:s3cret@cache:6379/1")
    assert.strictEqual(secured._tag, "Redis")
    if (secured._tag === "Redis") {
      assert.strictEqual(secured.username, "worker")
      assert.strictEqual(Redacted.value(secured.password ?? Redacted.make("")), "s3cret")
      assert.strictEqual(formatStateLocation(secured), "redis://cache:6379/1")
    }
  })

  it("bad values name the field, the reason and the valid forms, and never show a password", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["postgres://db", "is not a state location"],
      ["sqlite:", "names no file"],
      ["redis://cache:6379/99", "database that is not a number from 0 to 15"],
      ["redis://cache:6379/x", "database that is not a number from 0 to 15"],
      ["redis://cache:99999/0", "is not a URL"],
      ["", "is empty"]
    ]
    for (const [value, reason] of cases) {
      const error = parseStateLocation(value, "--state")
      assert.instanceOf(error, StateLocationError, value)
      const message = (error as StateLocationError).message
      assert.include(message, "--state")
      assert.include(message, reason)
      assert.include(message, "sqlite:PATH")
      assert.include(message, "redis://HOST:PORT/DB")
      assert.include(message, "memory")
    }
    const leaked = parseStateLocation("redis://user:hunter2@cache:6379/77")
    assert.notInclude((leaked as StateLocationError).message, "hunter2")
  })
})

describe("state keys", () => {
  it("a missing or malformed key is one line naming the variable, the reason and how to make one", () => {
    const cases: ReadonlyArray<readonly [string | undefined, string | undefined, string, string]> = [
      [undefined, undefined, "TASKJUICE_STATE_KEY", "is not set"],
      ["not base64!", undefined, "TASKJUICE_STATE_KEY", "is not base64"],
      [Buffer.alloc(16).toString("base64"), undefined, "TASKJUICE_STATE_KEY", "decodes to 16 bytes"],
      [
        generateStateKey(),
        `${generateStateKey()},short`,
        "TASKJUICE_STATE_PREVIOUS_KEYS (entry 2)",
        "is not base64"
      ]
    ]
    for (const [current, previous, variable, reason] of cases) {
      const error = parseStateKeys(current, previous)
      assert.instanceOf(error, StateKeyError)
      const message = (error as StateKeyError).message
      assert.include(message, variable)
      assert.include(message, reason)
      assert.include(message, "openssl rand -base64 32")
      assert.include(message, "node -e")
      assert.notInclude(message, "\n")
      assert.isFalse((error as StateKeyError).retryable)
    }
    const keys = parseStateKeys(generateStateKey(), ` ${generateStateKey()} , `)
    assert.notInstanceOf(keys, StateKeyError)
    if (!(keys instanceof StateKeyError)) {
      assert.strictEqual(keys.previous.length, 1)
      assert.notInclude(String(keys.current), "=", "the key itself is Redacted")
    }
  })

  it("layerFromEnv: memory runs without a key; sqlite refuses without one; a bad location fails naming it", async () => {
    const list = Effect.flatMap(Effect.service(ConnectionStore), (store) => store.list)
    const run = (layer: Layer.Layer<State.StateServices, unknown>) =>
      Effect.runPromiseExit(Effect.provide(list, layer))
    assert.isTrue(Exit.isSuccess(await run(State.layerFromEnv({ env: { TASKJUICE_STATE: "memory" } }))))
    const refused = await run(
      State.layerFromEnv({ env: { TASKJUICE_STATE: "sqlite:/tmp/never/state.sqlite" } })
    )
    assert.isTrue(Exit.isFailure(refused) && String(refused.cause).includes("TASKJUICE_STATE_KEY is not set"))
    const bad = await run(State.layerFromEnv({ state: "mysql://db", env: {} }))
    assert.isTrue(Exit.isFailure(bad) && String(bad.cause).includes("--state"))
    const down = await run(
      State.layer({
        location: { _tag: "Redis", host: "127.0.0.1", port: 1, database: 0 },
        keys: parseStateKeys(generateStateKey())
      })
    )
    assert.isTrue(Exit.isFailure(down))
    const reason = Exit.isFailure(down) ? down.cause.reasons[0] : undefined
    assert.instanceOf(reason !== undefined && "error" in reason ? reason.error : undefined, StoreUnavailable)
  })
})

describe("sealed tokens", () => {
  const keys = parseStateKeys(generateStateKey())
  if (keys instanceof StateKeyError) throw keys
  const sealer = makeSealer(keys)

  it("a sealed token opens only with its binding and unaltered; each sealing differs", () => {
    const token = Redacted.make("tok_secret_value")
    const sealed = sealer.seal(token, '["ws_a","admin_1"]')
    assert.notInclude(sealed, "tok_secret_value")
    assert.notStrictEqual(sealer.seal(token, '["ws_a","admin_1"]'), sealed, "a fresh IV each time")
    const opened = sealer.open(sealed, '["ws_a","admin_1"]')
    assert.strictEqual(opened._tag, "Opened")
    if (opened._tag === "Opened") assert.strictEqual(Redacted.value(opened.plaintext), "tok_secret_value")
    assert.strictEqual(
      sealer.open(sealed, '["ws_b","admin_1"]')._tag,
      "Tampered",
      "moved onto another record"
    )
    const parts = sealed.split(".")
    const body = Buffer.from(parts[4] ?? "", "base64url")
    body[0] = (body[0] ?? 0) ^ 1
    const altered = [...parts.slice(0, 4), body.toString("base64url")].join(".")
    assert.strictEqual(sealer.open(altered, '["ws_a","admin_1"]')._tag, "Tampered")
    assert.strictEqual(sealer.open("plaintext-token", '["ws_a","admin_1"]')._tag, "Tampered")
  })
})
