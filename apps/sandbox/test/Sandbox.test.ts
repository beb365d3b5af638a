import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runSandbox, type Sandbox, type SandboxReport, sandboxTopics, startSandbox } from "../src/Sandbox.ts"

describe("the sandbox wires the simulator to the bundle", () => {
  let sandbox: Sandbox
  let report: SandboxReport

  beforeAll(async () => {
    sandbox = await startSandbox()
    report = await runSandbox(sandbox)
  }, 60_000)
  afterAll(() => sandbox.close())

  it("connects the workspace through the simulated OAuth", () => {
    expect(report.connection.id).toMatch(/\S/)
    expect(report.connection.workspaceId).toMatch(/\S/)
  })

  it("activates each trigger from its signed webhooks, and nothing for ping", () => {
    const activated = Object.fromEntries(report.triggers.map((run) => [run.topic, run.activated]))
    expect(activated).toEqual({
      "conversation.user.created": ["intercom/conversation-created"],
      "conversation.admin.single.created": ["intercom/conversation-created"],
      "conversation.user.replied": ["intercom/conversation-user-replied"],
      "contact.user.created": ["intercom/contact-created"],
      "contact.lead.created": ["intercom/contact-created"],
      ping: []
    })
    expect(report.triggers.map((run) => run.deliveryStatus)).toEqual(sandboxTopics.map(() => 200))
  })

  it("runs every action once through the bundle's HTTP routes", () => {
    expect(report.actions.filter((run) => !run.ok)).toEqual([])
    expect(new Set(report.actions.map((run) => run.key))).toEqual(
      new Set(sandbox.bundle.manifest.actions.map((action: { key: string }) => action.key))
    )
    expect(report.ok).toBe(true)
  })

  it("delivers the actions' own changes as webhooks too", () => {
    const topics = sandbox.simulator.deliveries().map((delivery) => delivery.topic)
    expect(topics).toContain("contact.user.created")
    expect(topics).toContain("conversation.user.replied")
  })
})

describe("pnpm start --once", () => {
  it("prints the run and exits 0 when everything worked", () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
    const stateDir = mkdtempSync(join(tmpdir(), "sandbox-once-"))
    const args = ["--once", "--json", "--sim-port", "0", "--port", "0", "--state-dir", stateDir]
    const result = spawnSync(process.execPath, [main, ...args], {
      encoding: "utf8",
      timeout: 60_000
    })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    // One JSON object per line: the host's events as they happened, then the report.
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string })
    const report = lines.find((line) => line.event === "report") as unknown as SandboxReport
    expect(report.ok).toBe(true)
    expect(report.actions).toHaveLength(9)
    expect(lines.filter((line) => line.event === "activation").length).toBeGreaterThanOrEqual(5)
    rmSync(stateDir, { recursive: true, force: true })
  }, 60_000)

  it("refuses a bad port with the flag's name and the valid range", () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
    const result = spawnSync(process.execPath, [main, "--once", "--port", "99999"], { encoding: "utf8" })
    expect(result.status).toBe(2)
    expect(result.stderr).toBe('Error: --port must be a whole number from 0 to 65535, got "99999"\n')
  }, 30_000)
})
