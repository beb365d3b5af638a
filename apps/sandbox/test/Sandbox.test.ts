import { spawnSync } from "node:child_process"
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
    const result = spawnSync(process.execPath, [main, "--once", "--json", "--sim-port", "0", "--port", "0"], {
      encoding: "utf8",
      timeout: 60_000
    })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout) as SandboxReport
    expect(report.ok).toBe(true)
    expect(report.actions).toHaveLength(9)
  }, 60_000)

  it("refuses a bad port with the flag's name and the valid range", () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
    const result = spawnSync(process.execPath, [main, "--once", "--port", "99999"], { encoding: "utf8" })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain("--port must be a port number from 0 to 65535")
  }, 30_000)
})
