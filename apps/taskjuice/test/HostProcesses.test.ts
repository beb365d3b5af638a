/**
 * The host processes tests and `serve --workers` start never outlive what started them: a parent killed
 * with `kill -9` (no chance to clean up) takes its host process, its `serve` primary and that primary's
 * workers with it, through their IPC channels.
 */
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generateStateKey } from "@taskjuice/intercom-state"
import { afterAll, assert, describe, it } from "vitest"

const parentScript = fileURLToPath(new URL("./support/ParentOfHosts.ts", import.meta.url))
const started: Array<number> = []
let dir: string | undefined

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

afterAll(async () => {
  // Whatever the test's outcome, nothing it started keeps running.
  for (const pid of started) if (isRunning(pid)) process.kill(pid, "SIGKILL")
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe("host processes", () => {
  it("exit when the process that started them is killed with kill -9", { timeout: 120_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), "taskjuice-parent-"))
    const env = {
      TASKJUICE_RUNTIME_TOKEN: "parent-runtime-token-0123456789",
      INTERCOM_CLIENT_ID: "parent-client",
      INTERCOM_CLIENT_SECRET: "parent-secret",
      TASKJUICE_STATE_KEY: generateStateKey(),
      TASKJUICE_STATE: `sqlite:${join(dir, "state.sqlite")}`
    }
    const parent = spawn(process.execPath, [parentScript, JSON.stringify(env)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    started.push(parent.pid ?? 0)
    const pids = await new Promise<Array<number>>((resolve, reject) => {
      let text = ""
      parent.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString()
        if (text.includes("\n")) resolve((JSON.parse(text) as { pids: Array<number> }).pids)
      })
      parent.once("exit", (code) =>
        reject(new Error(`the parent exited (${code}) before its hosts listened`))
      )
    })
    started.push(...pids)
    // A host process, a serve primary and its two workers.
    assert.lengthOf(pids, 4)
    for (const pid of pids) assert.isTrue(isRunning(pid), `${pid} runs`)
    parent.kill("SIGKILL")
    for (let waited = 0; pids.some(isRunning); waited += 100) {
      if (waited > 15_000) assert.fail(`still running 15 s after the parent died: ${pids.filter(isRunning)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
})
