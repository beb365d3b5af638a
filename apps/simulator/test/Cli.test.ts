import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { checkSignature, WebhookSignatureError } from "@taskjuice/intercom-core"
import { type RunningCli, runCli, startCli, userErrorProblems } from "@taskjuice/intercom-testkit"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { exitCodes } from "../src/index.ts"
import { type Receiver, startReceiver } from "./Receiver.ts"

const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
const bundleBin = fileURLToPath(new URL("../../taskjuice/src/bin.ts", import.meta.url))
const secret = "cli-test-client-secret"

const stateDirs: Array<string> = []
const freshStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "sim-cli-"))
  stateDirs.push(dir)
  return dir
}

/** A parsed JSON line, read loosely. */
interface Json {
  readonly [key: string]: Json
  readonly [index: number]: Json
}
const lastJson = (text: string) => JSON.parse(text.trim().split("\n").at(-1)!) as Json

let receiver: Receiver
let server: RunningCli
let base: string
let stateDir: string
/** `./dev sim serve --json` on a free port; resolves with the process and its URL once it is ready. */
const startServe = async (args: ReadonlyArray<string>) => {
  const running = startCli(bin, ["serve", "--port", "0", "--json", ...args])
  const ready = JSON.parse(await running.waitForLine((line) => line.includes('"ready"'), 90_000)) as {
    url: string
  }
  return { running, url: ready.url }
}

/** `./dev sim …` against the test's simulator, reading its admin token from its state directory. */
const sim = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runCli(bin, args, { env })
const remote = () => ["--sim", base, "--state-dir", stateDir]

beforeAll(async () => {
  receiver = await startReceiver()
  stateDir = freshStateDir()
  const started = await startServe([
    "--client-secret",
    secret,
    "--webhook-url",
    receiver.url,
    "--seed",
    "cli",
    "--state-dir",
    stateDir
  ])
  server = started.running
  base = started.url
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await receiver?.close()
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true })
})

// Each command is its own node process; give them room on a busy machine.
vi.setConfig({ testTimeout: 120_000 })

describe("./dev sim serve", () => {
  it("reports ready as JSON without printing the client secret, then one JSON line per delivery", async () => {
    const ready = JSON.parse(server.lines[0]!) as Record<string, unknown>
    expect(ready).toMatchObject({
      event: "ready",
      url: base,
      clientId: "sim_client_id",
      rateLimitPerMinute: 1000,
      clientSecret: { source: "flag", file: null }
    })
    expect(ready.workspace).toMatch(/^\w+$/)
    const triggered = await sim(["trigger", "contact.user.created", ...remote()])
    expect(triggered.code).toBe(0)
    const line = await server.waitForLine((text) => text.includes('"delivery"'))
    expect(JSON.parse(line)).toMatchObject({ event: "delivery", topic: "contact.user.created", status: 200 })
    expect(server.lines.join("\n")).not.toContain(secret)
  })

  it("with no flags works: it generates a client secret into the state directory (0600), says how to read it, and never prints it", async () => {
    const dir = freshStateDir()
    const first = startCli(bin, ["serve", "--port", "0", "--state-dir", dir])
    try {
      await first.waitForLine((line) => line.startsWith("  rate limit"))
      const file = join(dir, "client-secret")
      const generated = readFileSync(file, "utf8").trim()
      expect(generated.length).toBeGreaterThanOrEqual(32)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, "access-token")).mode & 0o777).toBe(0o600)
      const banner = first.lines.join("\n")
      expect(banner).toMatch(/^Intercom simulator ready at http:\/\/127\.0\.0\.1:\d+ /)
      expect(banner).toContain(`client secret  generated, in ${file} (cat ${file})`)
      expect(banner).not.toContain(generated)
      expect(banner).not.toContain(readFileSync(join(dir, "access-token"), "utf8").trim())
    } finally {
      expect(await first.stop()).toBe(0)
    }
    expect(first.lines.at(-1)).toBe("Simulator stopped.")
    const again = startCli(bin, ["serve", "--port", "0", "--state-dir", dir])
    try {
      await again.waitForLine((line) => line.includes("client secret  the last run's"))
    } finally {
      await again.stop("SIGINT")
    }
  })

  it("refuses an API version Intercom does not have, naming the pinned ones (exit 2)", async () => {
    const run = await sim(["serve", "--port", "0", "--api-version", "9.9", "--state-dir", freshStateDir()])
    expect(run.code).toBe(exitCodes.user_input)
    expect(userErrorProblems(run.stderr)).toEqual([])
    expect(run.stderr).toMatch(
      /^Error: unknown Intercom API version "9\.9"; valid versions: 2\.10, 2\.11, .*2\.16/
    )
  })

  it("says a busy port is in use in one line (exit 2), not an EADDRINUSE stack", async () => {
    const busy: Server = createServer()
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const run = await sim(["serve", "--port", String(port), "--state-dir", freshStateDir()])
      expect(run.code).toBe(exitCodes.user_input)
      expect(userErrorProblems(run.stderr)).toEqual([])
      expect(run.stderr).toBe(
        `Error: port ${port} on 127.0.0.1 is in use; pass --port 0 for any free port, or another --port\n`
      )
    } finally {
      busy.close()
    }
  })

  it("reports a state file it cannot open as a filesystem error (exit 6)", async () => {
    const run = await sim([
      "serve",
      "--port",
      "0",
      "--client-secret",
      "x",
      "--state-file",
      "/nonexistent-dir/state.sqlite",
      "--state-dir",
      freshStateDir()
    ])
    expect(run.code).toBe(exitCodes.filesystem)
    expect(userErrorProblems(run.stderr)).toEqual([])
    expect(run.stderr).toContain("Error: cannot open the state file /nonexistent-dir/state.sqlite")
  })
})

describe("./dev sim trigger", () => {
  it("asks the running simulator to cause the event and says what it did, one line per delivery (text and --json)", async () => {
    const before = receiver.requests.length
    const human = await sim(["trigger", "contact.user.created", ...remote()])
    expect(human.code).toBe(0)
    expect(human.stderr).toBe("")
    expect(human.stdout).toMatch(
      /^Triggered contact\.user\.created \(notif_[^)]+\): contact [0-9a-f]{24} \([^)]+@[^)]+\), app_id \w+\n {2}→ POST .* \[200\] [\d.]+ ms, attempt 1, signature both\n$/
    )
    const machine = await sim([
      "trigger",
      "contact.lead.created",
      ...remote(),
      "--json",
      "--override",
      "item.name=Grace"
    ])
    expect(machine.code).toBe(0)
    const output = lastJson(machine.stdout)
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

  it("warns when nobody received it (no subscription)", async () => {
    const dir = freshStateDir()
    const { running: bare, url } = await startServe(["--state-dir", dir])
    try {
      const run = await sim(["trigger", "ping", "--sim", url, "--state-dir", dir])
      expect(run.code).toBe(0)
      expect(run.stderr).toMatch(
        /^Warning: nobody received ping \(ping_[^)]+\): the simulator has no subscription for it; .*--webhook-url URL.*listen --forward-to URL/
      )
    } finally {
      await bare.stop()
    }
  })

  it("warns when the bundle ignored it because no connection carries its app_id (through the simulator and sent directly)", async () => {
    const bundle = startCli(
      bundleBin,
      [
        "serve",
        "--json",
        "--port",
        "0",
        "--state",
        "memory",
        "--client-id",
        "sim_client_id",
        "--client-secret",
        secret
      ],
      {
        env: { TASKJUICE_RUNTIME_TOKEN: "runtime-token-of-the-sim-cli-test" }
      }
    )
    try {
      const listening = JSON.parse(
        await bundle.waitForLine((line) => line.includes("webhookUrl"), 90_000)
      ) as {
        webhookUrl: string
      }
      const through = await sim([
        "trigger",
        "contact.user.created",
        ...remote(),
        "--forward-to",
        listening.webhookUrl
      ])
      expect(through.code).toBe(0)
      expect(through.stdout).toContain("[200]")
      expect(through.stderr).toMatch(
        /^Warning: http:\/\/.*\/webhooks\/intercom ignored contact\.user\.created \(notif_[^)]+\): no connection carries workspace "\w+" \(the notification's app_id\); connect the simulator's workspace first/
      )
      const direct = await sim([
        "trigger",
        "contact.user.created",
        "--forward-to",
        listening.webhookUrl,
        "--client-secret",
        secret
      ])
      expect(direct.code).toBe(0)
      expect(direct.stderr).toContain("Warning: app_id is the fixture's")
      expect(direct.stderr).toContain("ignored contact.user.created")
    } finally {
      await bundle.stop()
    }
  })

  it("--forward-to without --sim signs the fixture and sends it directly (--signature, --override, --count, --app-id)", async () => {
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
          "--app-id",
          "ws_given",
          "--json"
        ],
        { INTERCOM_CLIENT_SECRET: secret }
      )
      expect(run.code).toBe(0)
      expect(lastJson(run.stdout).notifications).toHaveLength(2)
      await other.waitFor(2)
      for (const request of other.requests) {
        expect(request.headers["x-hub-signature"]).toBeUndefined()
        expect(checkSignature(request.body, request.headers, Redacted.make(secret))).toEqual(["sha256"])
        expect((request.json.data as { item: { title: string } }).item.title).toBe("Overridden")
        expect(request.json.app_id).toBe("ws_given")
      }
      expect(other.requests[0]!.json.id).not.toBe(other.requests[1]!.json.id)
      const noSecret = await sim([
        "trigger",
        "ping",
        "--forward-to",
        other.url,
        "--state-dir",
        freshStateDir()
      ])
      expect(noSecret.code).toBe(exitCodes.user_input)
      expect(noSecret.stderr).toBe(
        "Error: sending without a simulator needs the client secret that signs it; pass --client-secret or set INTERCOM_CLIENT_SECRET, or pass --sim URL to send through a running simulator\n"
      )
    } finally {
      await other.close()
    }
  })

  it("exits 5 when the receiver refuses the delivery", async () => {
    const refusing = await startReceiver()
    refusing.fallback = { status: 500 }
    try {
      const run = await sim(["trigger", "ping", "--forward-to", refusing.url, "--client-secret", secret])
      expect(run.code).toBe(exitCodes.delivery)
      expect(run.stdout).toContain("[500]")
      expect(run.stderr).toContain("Error: 1 of 1 delivery attempt(s) failed (no answer, or not 2xx)")
    } finally {
      await refusing.close()
    }
  })
})

describe("./dev sim listen", () => {
  // Its own simulator: the subscriptions listen adds must not reach the others' tests.
  let listenDir: string
  let listenServer: RunningCli
  let listenBase: string
  const remote = () => ["--sim", listenBase, "--state-dir", listenDir]
  /** The URLs the simulator delivers to now, as its admin API lists them. */
  const subscribedUrls = async () => {
    const answer = await fetch(`${listenBase}/_sim/subscriptions`, {
      headers: { "x-sim-admin-token": readFileSync(join(listenDir, "admin-token"), "utf8") }
    })
    return ((await answer.json()) as { subscriptions: Array<{ url: string }> }).subscriptions.map(
      (subscription) => subscription.url
    )
  }
  beforeAll(async () => {
    listenDir = freshStateDir()
    const started = await startServe(["--client-secret", secret, "--state-dir", listenDir])
    listenServer = started.running
    listenBase = started.url
  }, 120_000)
  afterAll(() => listenServer?.stop())

  it("subscribes --forward-to on the running simulator and prints one line per delivery to it (--events filters; --json lines)", async () => {
    const local = await startReceiver()
    const listening = startCli(bin, [
      "listen",
      "--forward-to",
      local.url,
      "--events",
      "conversation.user.created",
      "--json",
      ...remote()
    ])
    try {
      const ready = JSON.parse(await listening.waitForLine((line) => line.includes('"ready"'))) as Record<
        string,
        unknown
      >
      expect(ready).toMatchObject({ event: "ready", url: local.url, topics: ["conversation.user.created"] })
      expect(await subscribedUrls()).toContain(local.url)
      expect((await sim(["trigger", "contact.user.created", ...remote()])).code).toBe(0)
      expect((await sim(["trigger", "conversation.user.created", ...remote()])).code).toBe(0)
      const line = JSON.parse(await listening.waitForLine((text) => text.includes('"delivery"'))) as Record<
        string,
        unknown
      >
      expect(line).toMatchObject({ topic: "conversation.user.created", url: local.url, status: 200 })
      await local.waitFor(1)
      expect(local.requests.map((request) => request.json.topic)).toEqual(["conversation.user.created"])
      expect(
        checkSignature(local.requests[0]!.body, local.requests[0]!.headers, Redacted.make(secret))
      ).not.toBeInstanceOf(WebhookSignatureError)
    } finally {
      expect(await listening.stop("SIGINT")).toBe(0)
      await local.close()
    }
    expect(listening.lines.filter((line) => line.includes('"delivery"'))).toHaveLength(1)
    // Stopped by SIGINT, it removed the subscription it added.
    expect(await subscribedUrls()).not.toContain(local.url)
  })

  it("prints a human line per delivery, with a failing receiver's answer", async () => {
    const local = await startReceiver()
    local.fallback = { status: 401 }
    const listening = startCli(bin, ["listen", "--forward-to", local.url, ...remote()])
    try {
      expect(await listening.waitForLine((line) => line.startsWith("Ready: "))).toContain(
        `delivers every topic to ${local.url}`
      )
      await sim(["trigger", "ping", ...remote()])
      const line = await listening.waitForLine((text) => text.includes("ping"))
      expect(line).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} {2}ping \(ping_[^)]+\) {2}→ POST .* \[401\] [\d.]+ ms, attempt 1, signature both \(HTTP 401\), retry at \d\d:\d\d:\d\d\.\d{3} {2}answer: ok$/
      )
      expect(await subscribedUrls()).toContain(local.url)
    } finally {
      expect(await listening.stop("SIGTERM")).toBe(0)
      await local.close()
    }
    // Stopped by SIGTERM, it removed its subscription too, and said nothing of one left behind.
    expect(await subscribedUrls()).not.toContain(local.url)
    expect(listening.stderr()).not.toContain("stays subscribed")
  })
})

describe("./dev sim resend and deliveries", () => {
  it("deliveries lists attempts with status and latency; resend sends one again", async () => {
    await sim(["trigger", "conversation.user.created", ...remote()])
    const listed = await sim([
      "deliveries",
      ...remote(),
      "--json",
      "--topic",
      "conversation.user.created",
      "--limit",
      "5"
    ])
    expect(listed.code).toBe(0)
    const deliveries = lastJson(listed.stdout).deliveries as unknown as ReadonlyArray<Record<string, unknown>>
    expect(deliveries.length).toBeGreaterThan(0)
    expect(deliveries[0]).toMatchObject({ topic: "conversation.user.created", status: 200 })
    expect(typeof deliveries[0]!.latencyMs).toBe("number")
    const human = await sim(["deliveries", ...remote()])
    expect(human.stdout).toMatch(/conversation\.user\.created\s+200\s+[\d.]+ ms\s+#1/)

    const notificationId = deliveries[0]!.notificationId as string
    const resent = await sim(["resend", notificationId, ...remote(), "--json"])
    expect(resent.code).toBe(0)
    expect(lastJson(resent.stdout).notifications?.[0]?.deliveries?.[0]).toMatchObject({
      notificationId,
      attempt: 2,
      status: 200
    })
    const text = await sim(["resend", notificationId, ...remote()])
    expect(text.stdout).toContain(`Resent conversation.user.created (${notificationId})`)
  })

  it("deliveries --topic of an unknown topic names the valid ones and exits 2 (not 'No deliveries yet')", async () => {
    const run = await sim(["deliveries", "--topic", "contact.user.craeted", ...remote()])
    expect(run.code).toBe(exitCodes.user_input)
    expect(run.stdout).toBe("")
    expect(userErrorProblems(run.stderr)).toEqual([])
    expect(run.stderr).toMatch(
      /^Error: unknown topic "contact\.user\.craeted"; did you mean contact\.user\.created\? Valid topics: .*conversation\.user\.replied/
    )
  })

  it("exit codes by category: unknown notification 4, unreachable simulator 3", async () => {
    const missing = await sim(["resend", "notif_missing", ...remote()])
    expect(missing.code).toBe(exitCodes.api)
    expect(userErrorProblems(missing.stderr)).toEqual([])
    expect(missing.stderr).toContain("No notification with id")
    expect(missing.stderr).toContain("./dev sim deliveries lists the notifications it keeps")
    const unreachable = await sim(["deliveries", "--sim", "http://127.0.0.1:9", "--json"])
    expect(unreachable.code).toBe(exitCodes.network)
    expect(userErrorProblems(unreachable.stderr, { json: true })).toEqual([])
    expect(lastJson(unreachable.stderr).error).toMatchObject({
      category: "network",
      exitCode: 3,
      message:
        "cannot reach the simulator at http://127.0.0.1:9 (ECONNREFUSED); start it with ./dev sim serve, or pass --sim URL"
    })
  })

  it("topics lists the triggerable topics, from the simulator or the fixtures", async () => {
    const local = await sim(["topics", "--json"])
    expect(lastJson(local.stdout).topics).toEqual(expect.arrayContaining(["ping", "contact.user.created"]))
    const fromSim = await sim(["topics", ...remote()])
    expect(fromSim.stdout.split("\n")).toContain("conversation.admin.single.created")
  })
})

describe("every user error is one line with the fix, no stack trace, exit 2", () => {
  it.each([
    [
      ["trigger", "ping", "--forward-too", "http://x.example"],
      "unknown flag --forward-too for ./dev sim trigger; did you mean --forward-to?"
    ],
    [["trigger", "ping", "--count", "abc"], '--count must be a whole number from 1 to 10000, got "abc"'],
    [["trigger", "ping", "--count", "0"], '--count must be a whole number from 1 to 10000, got "0"'],
    [["deliveries", "--limit", "-1"], '--limit must be a whole number of at least 1, got "-1"'],
    [
      ["trigger", "ping", "--signature", "sha265"],
      '--signature must be one of sha1, sha256, both, invalid, got "sha265"; did you mean sha256?'
    ],
    [["trigger", "ping", "--override", "novalue"], 'Invalid override "novalue": expected path=value'],
    [["serve", "--fault", "POST /contacts:404"], 'Invalid fault "POST /contacts:404"'],
    [["serve", "--port", "70000"], '--port must be a whole number from 0 to 65535, got "70000"'],
    [["trigger", "ping", "--forward-to", "localhost:3000"], "--forward-to must be an absolute http(s) URL"],
    [
      ["triger", "ping"],
      'unknown command "triger" for ./dev sim; did you mean trigger? Valid commands: serve, trigger, listen, resend, deliveries, topics'
    ],
    [
      ["trigger", "nope", "--forward-to", "http://127.0.0.1:9/", "--client-secret", "x"],
      'unknown topic "nope"; valid topics: '
    ],
    [["trigger"], "trigger needs a topic; valid topics: contact.lead.created, contact.user.created"],
    [["resend"], "resend needs a notification id; ./dev sim deliveries lists them"],
    [["listen"], "listen needs --forward-to URL"]
  ])("%j", async (args, message) => {
    const run = await sim(args)
    expect(run.code).toBe(exitCodes.user_input)
    expect(userErrorProblems(run.stderr)).toEqual([])
    expect(run.stderr).toContain(`Error: ${message}`)
    const json = await sim([...args, "--json"])
    expect(json.code).toBe(exitCodes.user_input)
    expect(userErrorProblems(json.stderr, { json: true })).toEqual([])
    expect(lastJson(json.stderr).error).toMatchObject({ category: "user_input", exitCode: 2 })
  })

  it("listen --events with an unknown topic names the valid ones", async () => {
    const run = await sim([
      "listen",
      "--forward-to",
      receiver.url,
      "--events",
      "ping,contact.usr.created",
      ...remote()
    ])
    expect(run.code).toBe(exitCodes.user_input)
    expect(run.stderr).toMatch(
      /^Error: unknown topic "contact\.usr\.created"; did you mean contact\.user\.created\?/
    )
  })
})

describe("help", () => {
  it("with no arguments prints the help and exits 2; --help exits 0; it lists the commands, examples and exit codes, and teaches ./dev sim", async () => {
    const bare = await sim([])
    expect(bare.code).toBe(exitCodes.user_input)
    const help = await sim(["--help"])
    expect(help.code).toBe(0)
    expect(bare.stdout).toBe(help.stdout)
    expect(help.stdout).toContain("./dev sim <subcommand> [flags]")
    for (const command of ["serve", "trigger", "listen", "resend", "deliveries", "topics"]) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, "m"))
    }
    expect(help.stdout).toContain("EXAMPLES")
    expect(help.stdout).toMatch(
      /EXIT CODES\n {2}0 +ok .*\n {2}1 +internal .*\n {2}2 +user_input .*\n {2}3 +network .*\n {2}4 +api .*\n {2}5 +delivery .*\n {2}6 +filesystem /
    )
    expect(help.stdout).not.toContain("pnpm sim")
  })

  it("each command's help has its flags, examples and the exit codes; --help --json is data", async () => {
    const help = await sim(["serve", "--help"])
    expect(help.stdout).toContain("--host HOST")
    expect(help.stdout).not.toContain("--hostname")
    expect(help.stdout).toContain("./dev sim serve --webhook-url")
    expect(help.stdout).toContain("EXIT CODES")
    const json = await sim(["listen", "--help", "--json"])
    const doc = JSON.parse(json.stdout).help as { flags: Array<{ name: string }>; exitCodes: unknown }
    expect(doc.flags.map((flag) => flag.name)).toEqual(
      expect.arrayContaining(["--forward-to", "--events", "--sim"])
    )
    expect(doc.exitCodes).toEqual(exitCodes)
  })
})
