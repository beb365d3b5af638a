import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { afterAll, describe, expect, it } from "vitest"
import { ActivationInbox, generateStateKey, State } from "../src/index.ts"
import { activationFixture, conformance, keysOf } from "./conformance.ts"

const root = mkdtempSync(join(tmpdir(), "taskjuice-state-sqlite-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let worlds = 0

conformance({
  name: "sqlite",
  persistent: true,
  // Every worker opens the file on its own, as a separate host process would.
  world: async () => {
    const path = join(root, `world-${++worlds}`, "state.sqlite")
    return {
      layer: (options) =>
        State.layer({
          location: { _tag: "Sqlite", path },
          keys: options?.noKeys ? undefined : options?.keys,
          limits: options?.limits
        })
    }
  }
})

describe("sqlite: checkpoints", () => {
  it("run on a worker thread, not inside the commits: the file takes the WAL's pages and the WAL starts over", {
    // Bounded polls, and a loaded 2-core machine may start the worker slowly.
    timeout: 120_000
  }, async () => {
    const path = join(root, "checkpoints", "state.sqlite")
    const runtime = ManagedRuntime.make(
      State.layer({ location: { _tag: "Sqlite", path }, keys: keysOf(generateStateKey()) })
    )
    const payload = {
      type: "notification_event",
      data: { item: { type: "conversation", body: "x".repeat(3000) } }
    }
    const acceptRound = (round: number) =>
      runtime.runPromise(
        Effect.all(
          Array.from({ length: 100 }, (_, n) =>
            Effect.flatMap(Effect.service(ActivationInbox), (inbox) =>
              inbox.accept({
                dedupeKey: `k${round}_${n}`,
                expiresAtMillis: Date.now() + 60_000,
                activations: [activationFixture(`k${round}_${n}`, { payload })]
              })
            )
          ),
          { concurrency: "unbounded" }
        )
      )
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50))
    /**
     * Waits (bounded) for the file to grow past `bytes` (only a checkpoint writes to it), then for it to
     * settle: a checkpoint that has copied everything lets the next write start the WAL over.
     */
    const fileGrowsPast = async (bytes: number) => {
      for (let poll = 0; poll < 400 && statSync(path).size <= bytes; poll++) await pause()
      let size = statSync(path).size
      for (let poll = 0; poll < 400; poll++) {
        await pause()
        const now = statSync(path).size
        if (now === size) break
        size = now
      }
      return size
    }
    try {
      // Each round is about 400 KB of pages: under SQLite's automatic threshold (1,000 pages, 4 MB),
      // so only the checkpointer can have moved them into the file; the process's own connection has
      // its automatic checkpoint off.
      await runtime.runPromise(Effect.service(ActivationInbox))
      let fileBytes = statSync(path).size
      let largestWal = 0
      for (let round = 0; round < 8; round++) {
        await acceptRound(round)
        largestWal = Math.max(largestWal, statSync(`${path}-wal`).size)
        const grown = await fileGrowsPast(fileBytes)
        expect(grown, `round ${round}: checkpointed into the file`).toBeGreaterThan(fileBytes)
        fileBytes = grown
      }
      // Over three megabytes went through a WAL of about one round: a writer starts it over once a
      // checkpoint has copied it all.
      expect(fileBytes).toBeGreaterThan(3_000_000)
      expect(largestWal).toBeLessThan(fileBytes / 4)
    } finally {
      await runtime.dispose()
    }
  })
})

describe("sqlite: a batch", () => {
  it("a delivery that cannot be encoded fails alone; the others of its turn are accepted", async () => {
    const path = join(root, "encode", "state.sqlite")
    const runtime = ManagedRuntime.make(
      State.layer({ location: { _tag: "Sqlite", path }, keys: keysOf(generateStateKey()) })
    )
    try {
      // Deeper than JSON.stringify can go, and no text to keep instead.
      let deep: unknown = {}
      for (let level = 0; level < 20_000; level++) deep = { deep }
      const accept = (dedupeKey: string, payload: unknown) =>
        Effect.exit(
          Effect.flatMap(Effect.service(ActivationInbox), (inbox) =>
            inbox.accept({
              dedupeKey,
              expiresAtMillis: Date.now() + 60_000,
              activations: [activationFixture(dedupeKey, { payload })]
            })
          )
        )
      const [before, tooDeep, after] = await runtime.runPromise(
        Effect.all([accept("plain_1", { ok: 1 }), accept("deep", deep), accept("plain_2", { ok: 2 })], {
          concurrency: "unbounded"
        })
      )
      expect(before?._tag === "Success" && before.value._tag).toBe("Accepted")
      expect(after?._tag === "Success" && after.value._tag).toBe("Accepted")
      expect(tooDeep?._tag).toBe("Failure")
      const held = await runtime.runPromise(
        Effect.flatMap(Effect.service(ActivationInbox), (inbox) => inbox.read({ limit: 10 }))
      )
      expect(held.map((activation) => activation.notificationId)).toEqual(["plain_1", "plain_2"])
    } finally {
      await runtime.dispose()
    }
  })
})
