/**
 * `pnpm taskjuice serve --workers 3`: three worker processes behind one port, over one shared state.
 * Deliveries on fresh connections land on every worker (each one's CPU time grows); every delivery is
 * activated once, read through the cursor API; a worker killed with `kill -9` is replaced, and serving
 * goes on throughout.
 */
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sign } from "@taskjuice/intercom-core"
import { generateStateKey } from "@taskjuice/intercom-state"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import type { InboxActivation } from "../src/Activation.ts"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { type SpawnedHost, spawnServe, stopAll } from "../src/testing/SpawnHost.ts"
import { saveConnection } from "../src/testing/State.ts"
import { testConnection } from "./support/Connections.ts"

const secret = "workers-client-secret"
const runtimeToken = "workers-runtime-token-0123456789"
const key = generateStateKey()
let dir: string
let served: SpawnedHost

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "taskjuice-workers-"))
  const path = join(dir, "state.sqlite")
  // The workspace the deliveries name, connected once in the state every worker reads.
  await saveConnection(
    `sqlite:${path}`,
    key,
    testConnection({ id: "conn_workers", workspaceId: "workersws" })
  )
  served = await spawnServe(
    ["--port", "0", "--workers", "3", "--state", `sqlite:${path}`, "--client-id", "w"],
    {
      env: {
        TASKJUICE_STATE_KEY: key,
        INTERCOM_CLIENT_SECRET: secret,
        TASKJUICE_RUNTIME_TOKEN: runtimeToken
      },
      startTimeoutMs: 120_000
    }
  )
}, 150_000)
afterAll(async () => {
  await stopAll()
  await rm(dir, { recursive: true, force: true })
})

/** CPU time a process has used so far, in clock ticks (Linux `/proc`). */
const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
  return Number(fields[11]) + Number(fields[12])
}

/** One delivery on a connection of its own, so the cluster hands each to the next worker. */
const deliver = async (id: string) => {
  const body = JSON.stringify(notificationNow("contact.user.created", { id, app_id: "workersws" }))
  const response = await fetch(served.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature": sign(body, secret, "sha1"),
      connection: "close"
    },
    body,
    // As Intercom does: no answer in time is a failed attempt, sent again later.
    signal: AbortSignal.timeout(10_000)
  })
  return response.status
}

const readAll = async () => {
  const response = await fetch(`${served.url}/activations?limit=1000`, {
    headers: { authorization: `Bearer ${runtimeToken}` }
  })
  return ((await response.json()) as { activations: Array<InboxActivation> }).activations
}

describe("serve --workers 3", () => {
  it("spreads deliveries over its workers, activates each once, and replaces a worker killed with kill -9", {
    timeout: 180_000
  }, async () => {
    assert.lengthOf(served.workers, 3)
    assert.notInclude(served.workers, served.pid)
    const before = served.workers.map(cpuTicks)
    const ids = Array.from({ length: 300 }, (_, index) => `notif_workers_${index}`)
    for (const batch of [ids.slice(0, 150), ids.slice(150)]) {
      const statuses = await Promise.all(batch.map(deliver))
      assert.deepStrictEqual(
        statuses,
        batch.map(() => 200)
      )
    }
    const grown = served.workers.map((pid, index) => cpuTicks(pid) - (before[index] ?? 0))
    for (const ticks of grown) assert.isAbove(ticks, 5, `every worker served some: ${grown}`)

    // A crash of one worker: the others keep serving, the primary starts a replacement.
    const [victim] = served.workers
    process.kill(victim ?? 0, "SIGKILL")
    const more = Array.from({ length: 60 }, (_, index) => `notif_after_kill_${index}`)
    const statuses: Array<number> = []
    for (const id of more) statuses.push(await deliver(id).catch(() => 0))
    for (let waited = 0; !served.lines.some((line) => line.event === "worker-started"); waited += 100) {
      if (waited > 60_000) assert.fail(`no replacement: ${JSON.stringify(served.lines.slice(-5))}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.isTrue(served.lines.some((line) => line.event === "worker-exited" && line.pid === victim))
    // A delivery the dead worker took without answering is one Intercom sends again.
    for (const [index, id] of more.entries()) if (statuses[index] !== 200) statuses[index] = await deliver(id)
    assert.deepStrictEqual(
      statuses,
      more.map(() => 200)
    )

    const activations = await readAll()
    const perId = new Map<string, number>()
    for (const activation of activations)
      perId.set(activation.notificationId, (perId.get(activation.notificationId) ?? 0) + 1)
    assert.deepStrictEqual([...perId.keys()].sort(), [...ids, ...more].sort())
    assert.isTrue([...perId.values()].every((count) => count === 1))
  })
})
