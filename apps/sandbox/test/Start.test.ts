/**
 * `./dev start` as a process (main.ts, as `pnpm start` runs it): a busy port is one line naming the
 * flag; with free ports, a delivery, its resend and a badly signed copy, sent by the simulator's
 * admin API, each come out as one timestamped line (a JSON line under `--json`) made from the host's
 * receipts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { holdPort } from "@taskjuice/intercom-bundle/testing"
import { type RunningCli, runCli, startCli, userErrorProblems } from "@taskjuice/intercom-testkit"
import { afterAll, describe, expect, it, vi } from "vitest"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

// Each test runs the whole sandbox as a process: seconds on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 })

const dirs: Array<string> = []
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-start-"))
  dirs.push(dir)
  return dir
}
const running: Array<RunningCli> = []
afterAll(async () => {
  await Promise.all(running.map((cli) => cli.stop()))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe("./dev start with a busy port", () => {
  it.each([
    ["--port", ["--sim-port", "0"]],
    ["--sim-port", ["--port", "0"]]
  ])("%s in use: one line naming the port and the flag, exit 2, no stack", async (flag, others) => {
    const { port, release } = await holdPort()
    try {
      const result = await runCli(main, [...others, flag, String(port), "--once", "--state-dir", freshDir()])
      expect(userErrorProblems(result.stderr)).toEqual([])
      expect(result.stderr.trim()).toBe(
        `Error: port ${port} on 127.0.0.1 is in use; pass ${flag} 0 for any free port, or another ${flag}`
      )
      expect(result.code).toBe(2)
    } finally {
      await release()
    }
  })
})

/** What the test needs from a running sandbox: its simulator and the admin token the run left. */
const startRunning = async (json: boolean) => {
  const stateDir = freshDir()
  const cli = startCli(main, [
    "--sim-port",
    "0",
    "--port",
    "0",
    "--state-dir",
    stateDir,
    ...(json ? ["--json"] : [])
  ])
  running.push(cli)
  const ready = await cli.waitForLine(
    (line) => (json ? line.includes('"event":"running"') : line.startsWith("  Intercom simulator")),
    90_000
  )
  const simulator = json
    ? (JSON.parse(ready) as { simulator: string }).simulator
    : (/http:\/\/[\d.:]+/.exec(ready)?.[0] ?? "")
  const adminToken = readFileSync(join(stateDir, "admin-token"), "utf8").trim()
  const admin = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${simulator}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-sim-admin-token": adminToken },
      body: JSON.stringify(body)
    })
    expect(response.status).toBe(200)
    return (await response.json()) as T
  }
  // A new contact's notification, then the same notification again, then again with a bad signature.
  const triggered = await admin<{ notifications: Array<{ id: string; topic: string }> }>("/_sim/trigger", {
    topic: "contact.user.created"
  })
  const notification = triggered.notifications.find((sent) => sent.topic === "contact.user.created")
  expect(notification).toBeDefined()
  const id = notification?.id ?? ""
  await admin(`/_sim/notifications/${id}/resend`, {})
  await admin(`/_sim/notifications/${id}/resend`, { signature: "invalid" })
  return { cli, id, after: cli.lines.indexOf(ready) }
}

const stamp = /^\d{2}:\d{2}:\d{2}\.\d{3} {2}/

describe("./dev start's event lines", () => {
  it("prints one timestamped line per delivery, activation, duplicate and rejection", async () => {
    const { cli, id } = await startRunning(false)
    const rejected = await cli.waitForLine((line) => line.includes("rejected") && line.includes("HTTP 401"))
    const lines = cli.lines.filter((line) => line.includes(id))
    // The activation's line comes after the answer, so it may follow the resend's.
    expect(lines).toHaveLength(3)
    const labelled = (label: string) =>
      lines.filter((line) => stamp.test(line) && line.slice(14).startsWith(label))
    expect(labelled("received ")).toEqual([
      expect.stringMatching(
        new RegExp(`received {3}contact\\.user\\.created ${id} from workspace \\w+: HTTP 200, 1 activation$`)
      )
    ])
    expect(labelled("activation ")).toEqual([
      expect.stringMatching(
        new RegExp(
          `activation intercom/contact-created for conn_\\S+ \\(contact\\.user\\.created ${id}, cursor \\d+\\)$`
        )
      )
    ])
    expect(labelled("duplicate ")).toEqual([
      expect.stringMatching(
        new RegExp(
          `duplicate  contact\\.user\\.created ${id} from workspace \\w+: HTTP 200, already received, nothing activated$`
        )
      )
    ])
    // Nothing of an unverified body is read, so the rejection names the check that failed, not the notification.
    expect(rejected).toMatch(
      new RegExp(`${stamp.source}rejected   HTTP 401 UNAUTHENTICATED \\(\\w+\\): .*signature`)
    )
    // One line per event: no payloads.
    expect(cli.lines.every((line) => line.length < 400)).toBe(true)
  })

  it("--json prints the same events as JSON lines with stable fields", async () => {
    const { cli, id } = await startRunning(true)
    await cli.waitForLine((line) => line.includes('"outcome":"refused"'))
    const events = cli.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    const about = events.filter((event) => event.notificationId === id)
    // The activation's line comes after the answer, so it may follow the resend's.
    expect(about.map((event) => `${event.event} ${event.outcome ?? ""}`.trim()).sort()).toEqual([
      "activation",
      "delivery accepted",
      "delivery duplicate"
    ])
    expect(about.find((event) => event.outcome === "accepted")).toMatchObject({
      event: "delivery",
      status: 200,
      topic: "contact.user.created",
      notificationId: id,
      activations: 1
    })
    const activation = about.find((event) => event.event === "activation")
    expect(activation).toMatchObject({
      triggerKey: "intercom/contact-created",
      topic: "contact.user.created"
    })
    expect(activation).not.toHaveProperty("payload")
    const refused = events.find((event) => event.outcome === "refused")
    expect(refused).toMatchObject({ event: "delivery", status: 401, code: "UNAUTHENTICATED" })
    expect(typeof refused?.reason).toBe("string")
    for (const event of [...about, refused]) {
      expect(new Date(String(event?.time)).toISOString()).toBe(event?.time)
    }
    // The scripted run's report is one of the lines too.
    expect(events.find((event) => event.event === "report")).toMatchObject({ ok: true })
    // A signal stops both servers, and that is a clean exit.
    expect(await cli.stop("SIGINT")).toBe(0)
  })
})
