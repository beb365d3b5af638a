/**
 * Several host processes on one SQLite file: each opens it on its own and races the others for the same
 * nonces, deliveries and rate-limit permits, with real parallelism. Every nonce is won once, every
 * delivery accepted once, and no more permits are granted than the window holds.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { afterAll } from "vitest"
import { ActivationInbox, generateStateKey, State } from "../src/index.ts"
import { keysOf } from "./conformance.ts"

const run = promisify(execFile)
const worker = fileURLToPath(new URL("./support/sqliteWorker.ts", import.meta.url))

describe("sqlite: three processes on one file", () => {
  const root = mkdtempSync(join(tmpdir(), "taskjuice-state-processes-"))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it("nonces won once, deliveries accepted once, permits never over-granted", {
    timeout: 60_000
  }, async () => {
    const path = join(root, "state.sqlite")
    const key = generateStateKey()
    const outputs = await Promise.all(
      [0, 1, 2].map((index) => run(process.execPath, [worker, path, key, String(index)], { timeout: 50_000 }))
    )
    const results = outputs.map(
      ({ stdout }) => JSON.parse(stdout.trim()) as { nonceWins: number; accepted: number; granted: number }
    )
    const total = (field: "nonceWins" | "accepted" | "granted") =>
      results.reduce((sum, result) => sum + result[field], 0)
    assert.strictEqual(total("nonceWins"), 60)
    assert.strictEqual(total("accepted"), 60)
    assert.strictEqual(total("granted"), 40)
    const held = await Effect.runPromise(
      Effect.flatMap(Effect.service(ActivationInbox), (inbox) => inbox.read({ limit: 1000 })).pipe(
        Effect.provide(State.layer({ location: { _tag: "Sqlite", path }, keys: keysOf(key) }))
      )
    )
    assert.strictEqual(held.length, 60)
    assert.strictEqual(new Set(held.map((activation) => activation.notificationId)).size, 60)
  })
})
