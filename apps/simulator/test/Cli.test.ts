import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { checkSignature, WebhookSignatureError } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { exitCodes } from "../src/index.ts"
import { type Receiver, startReceiver } from "./Receiver.ts"

const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
const secret = "cli-test-client-secret"

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `pnpm sim …` as its own process (node on bin.ts, as the root script does). */
/** The run's state directory (its admin token), shared by `serve` and the commands that talk to it. */
const stateDir = mkdtempSync(join(tmpdir(), "intercom-sim-cli-"))

const sim = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", INTERCOM_SIM_STATE_DIR: stateDir, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** A parsed JSON line, read loosely. */
interface Json {
  readonly [key: string]: Json
  readonly [index: number]: Json
}
const json = (text: string) => JSON.parse(text.trim().split("\n").at(-1)!) as Json

let receiver: Receiver
let server: ChildProcess
let serverLines: Array<string>
let base: string

beforeAll(async () => {
  receiver = await startReceiver()
  server = spawn(
    process.execPath,
    [
      bin,
      "serve",
      "--port",
      "0",
      "--json",
      "--client-secret",
      secret,
      "--webhook-url",
      receiver.url,
      "--seed",
      "cli"
    ],
    {
      env: { PATH: process.env.PATH ?? "", INTERCOM_SIM_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  serverLines = []
  const lines = createInterface({ input: server.stdout! })
  base = await new Promise<string>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`serve exited early with ${code}`)))
    lines.on("line", (line) => {
      serverLines.push(line)
      const event = JSON.parse(line) as { event: string; url?: string }
      if (event.event === "ready") resolve(event.url!)
    })
  })
}, 30_000)

afterAll(async () => {
  server.kill("SIGTERM")
  await receiver.close()
})

// Each command is its own node process; give them room on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

describe("pnpm sim serve", () => {
  it("reports ready as JSON without printing the client secret", () => {
    const ready = JSON.parse(serverLines[0]!) as Record<string, unknown>
    expect(ready).toMatchObject({
      event: "ready",
      url: base,
      clientId: "sim_client_id",
      rateLimitPerMinute: 1000
    })
    expect(serverLines.join("\n")).not.toContain(secret)
  })

  it("needs the client secret (exit 2) and stops cleanly on SIGTERM (exit 0)", async () => {
    const missing = await sim(["serve", "--port", "0"])
    expect(missing.code).toBe(exitCodes.user_input)
    expect(missing.stderr).toContain("--client-secret")
    const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--client-secret", "x"], {
      env: {
        PATH: process.env.PATH ?? "",
        INTERCOM_SIM_STATE_DIR: mkdtempSync(join(tmpdir(), "intercom-sim-cli-"))
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const banner = await new Promise<string>((resolve) => {
      let text = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        text += chunk.toString()
        if (text.includes("rate limit")) resolve(text)
      })
    })
    expect(banner).toContain("Intercom simulator ready at http://127.0.0.1:")
    expect(banner).toContain("client secret ******** (--print-secret to show)")
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
  })

  it("reports a state file it cannot open as a filesystem error (exit 6)", async () => {
    const run = await sim([
      "serve",
      "--port",
      "0",
      "--client-secret",
      "x",
      "--state-file",
      "/nonexistent-dir/state.sqlite"
    ])
    expect(run.code).toBe(exitCodes.filesystem)
    expect(run.stderr).toContain("Cannot open the state file")
  })
})

describe("pnpm sim trigger", () => {
  it("asks the running simulator to cause the event, prints each delivery (human and --json)", async () => {
    const before = receiver.requests.length
    const human = await sim(["trigger", "contact.user.created", "--sim", base])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(
      /Triggered contact\.user\.created \(notif_[^)]+\)\n {2}→ POST .* \[200\] [\d.]+ ms, attempt 1, signature both/
    )
    const machine = await sim([
      "trigger",
      "contact.lead.created",
      "--sim",
      base,
      "--json",
      "--override",
      "item.name=Grace"
    ])
    expect(machine.code).toBe(0)
    const output = json(machine.stdout)
    expect(output.notifications?.[0]).toMatchObject({
      topic: "contact.lead.created",
      deliveries: [{ status: 200, ok: true }]
    })
    await receiver.waitFor(before + 2)
    const lead = receiver.requests.find((request) => request.json.topic === "contact.lead.created")!
    expect((lead.json.data as { item: { name: string } }).item.name).toBe("Grace")
    expect(checkSignature(lead.body, lead.headers, Redacted.make(secret))).not.toBeInstanceOf(
      WebhookSignatureError
    )
  })

  it("lists the valid topics for an unknown one (exit 2)", async () => {
    const run = await sim(["trigger", "user.created", "--sim", base])
    expect(run.code).toBe(exitCodes.user_input)
    expect(run.stderr).toContain('Unknown topic "user.created"')
    expect(run.stderr).toContain("conversation.user.replied")
    const direct = await sim([
      "trigger",
      "user.created",
      "--forward-to",
      receiver.url,
      "--client-secret",
      secret,
      "--json"
    ])
    expect(direct.code).toBe(exitCodes.user_input)
    expect(json(direct.stderr).error?.topics).toContain("contact.lead.created")
  })

  it("--forward-to without --sim signs the fixture and sends it directly (--signature, --override, --count)", async () => {
    const other = await startReceiver()
    try {
      const run = await sim(
        [
          "trigger",
          "conversation.user.replied",
          "--forward-to",
          other.url,
          "--signature",
          "sha256",
          "--override",
          "data.item.title=Overridden",
          "--count",
          "2",
          "--json"
        ],
        { INTERCOM_CLIENT_SECRET: secret }
      )
      expect(run.code).toBe(0)
      expect(json(run.stdout).notifications).toHaveLength(2)
      await other.waitFor(2)
      for (const request of other.requests) {
        expect(request.headers["x-hub-signature"]).toBeUndefined()
        expect(checkSignature(request.body, request.headers, Redacted.make(secret))).toEqual(["sha256"])
        expect((request.json.data as { item: { title: string } }).item.title).toBe("Overridden")
      }
      expect(other.requests[0]!.json.id).not.toBe(other.requests[1]!.json.id)
      const noSecret = await sim(["trigger", "ping", "--forward-to", other.url])
      expect(noSecret.code).toBe(exitCodes.user_input)
    } finally {
      await other.close()
    }
  })

  it("exits 5 when the receiver refuses the delivery, 2 on a bad flag value", async () => {
    const refusing = await startReceiver()
    refusing.fallback = { status: 500 }
    try {
      const run = await sim(["trigger", "ping", "--forward-to", refusing.url, "--client-secret", secret])
      expect(run.code).toBe(exitCodes.delivery)
      expect(run.stdout).toContain("[500]")
      expect(run.stderr).toContain("1 delivery attempt(s) failed")
    } finally {
      await refusing.close()
    }
    expect((await sim(["trigger", "ping", "--sim", base, "--signature", "md5"])).code).toBe(
      exitCodes.user_input
    )
    expect((await sim(["trigger", "ping", "--sim", base, "--override", "novalue"])).code).toBe(
      exitCodes.user_input
    )
  })
})

describe("pnpm sim resend and deliveries", () => {
  it("deliveries lists attempts with status and latency; resend sends one again", async () => {
    await sim(["trigger", "conversation.user.created", "--sim", base])
    const listed = await sim([
      "deliveries",
      "--sim",
      base,
      "--json",
      "--topic",
      "conversation.user.created",
      "--limit",
      "5"
    ])
    expect(listed.code).toBe(0)
    const deliveries = json(listed.stdout).deliveries as unknown as ReadonlyArray<Record<string, unknown>>
    expect(deliveries.length).toBeGreaterThan(0)
    expect(deliveries[0]).toMatchObject({ topic: "conversation.user.created", status: 200 })
    expect(typeof deliveries[0]!.latencyMs).toBe("number")
    const human = await sim(["deliveries", "--sim", base])
    expect(human.stdout).toMatch(/conversation\.user\.created\s+200\s+[\d.]+ ms\s+#1/)

    const notificationId = deliveries[0]!.notificationId as string
    const resent = await sim(["resend", notificationId, "--sim", base, "--json"])
    expect(resent.code).toBe(0)
    expect(json(resent.stdout).notifications?.[0]?.deliveries?.[0]).toMatchObject({
      notificationId,
      attempt: 2,
      status: 200
    })
    const text = await sim(["resend", notificationId, "--sim", base])
    expect(text.stdout).toContain(`Resent conversation.user.created (${notificationId})`)
  })

  it("exit codes by category: unknown notification 4, unreachable simulator 3, usage 2, help 0", async () => {
    const missing = await sim(["resend", "notif_missing", "--sim", base])
    expect(missing.code).toBe(exitCodes.api)
    expect(missing.stderr).toContain("No notification with id")
    const unreachable = await sim(["deliveries", "--sim", "http://127.0.0.1:9", "--json"])
    expect(unreachable.code).toBe(exitCodes.network)
    expect(json(unreachable.stderr).error?.category).toBe("network")
    expect((await sim(["launch"])).code).toBe(exitCodes.user_input)
    expect((await sim(["deliveries", "--bogus"])).code).toBe(exitCodes.user_input)
    expect((await sim([])).code).toBe(exitCodes.user_input)
    const help = await sim(["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("Usage: pnpm sim <command> [options]")
  })

  it("topics lists the triggerable topics, from the simulator or the fixtures", async () => {
    const local = await sim(["topics", "--json"])
    expect(json(local.stdout).topics).toEqual(expect.arrayContaining(["ping", "contact.user.created"]))
    const remote = await sim(["topics", "--sim", base])
    expect(remote.stdout.split("\n")).toContain("conversation.admin.single.created")
  })
})
