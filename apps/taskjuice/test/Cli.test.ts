import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { apiVersion } from "@taskjuice/intercom-client"
import { generateStateKey } from "@taskjuice/intercom-state"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { builtEntry } from "../src/testing/BuiltEntry.ts"

const pins = JSON.parse(
  await readFile(new URL("../../../specs/intercom/pins.json", import.meta.url), "utf8")
) as { readonly default: string }

/** What `pnpm taskjuice` runs: the built CLI. */
const bin = builtEntry("bin")

// Each run's state in a directory of its own, never in the checkout.
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "taskjuice-cli-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, TASKJUICE_STATE: "", TASKJUICE_STATE_KEY: "", ...env },
    cwd: dir,
    stdio: "pipe"
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

// Every test runs the CLI as a process (some run it twice): seconds each on a busy machine.
describe("pnpm taskjuice", { timeout: 120_000 }, () => {
  it("serve: listens, serves the manifest, keeps the secret out of its output, stops on SIGTERM", async () => {
    const secret = "cli-secret-never-printed"
    const runtimeToken = "cli-runtime-token-never-printed"
    const server = run(
      ["serve", "--port", "0", "--client-id", "cli-id", "--intercom-base-url", "http://127.0.0.1:9"],
      {
        INTERCOM_CLIENT_SECRET: secret,
        TASKJUICE_RUNTIME_TOKEN: runtimeToken,
        TASKJUICE_STATE_KEY: generateStateKey()
      }
    )
    const ready = await new Promise<{ url: string; webhookUrl: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ready line: ${JSON.stringify(server.output())}`)),
        // Starting takes seconds on a busy 2-core machine.
        90_000
      )
      server.child.stdout.on("data", () => {
        const line = server.output().stdout.split("\n")[0]
        if (line === undefined || !server.output().stdout.includes("\n")) return
        clearTimeout(timer)
        resolve(JSON.parse(line) as { url: string; webhookUrl: string })
      })
    })
    assert.strictEqual(ready.webhookUrl, `${ready.url}/webhooks/intercom`)
    // The embedded default: a SQLite file under the working directory.
    assert.strictEqual((ready as { state?: string }).state, "sqlite:.taskjuice/state.sqlite")
    assert.isTrue(existsSync(join(dir, ".taskjuice", "state.sqlite")))
    const authorization = `Bearer ${runtimeToken}`
    assert.strictEqual((await fetch(`${ready.url}/manifest`)).status, 401)
    const manifest = (await (
      await fetch(`${ready.url}/manifest`, { headers: { authorization } })
    ).json()) as {
      app: { key: string }
    }
    assert.strictEqual(manifest.app.key, "intercom")
    const start = await fetch(`${ready.url}/oauth/start`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: "{}"
    })
    const { url } = (await start.json()) as { url: string }
    const begin = await fetch(url, { redirect: "manual" })
    assert.match(begin.headers.get("location") ?? "", /^http:\/\/127\.0\.0\.1:9\/oauth\?client_id=cli-id&/)
    server.child.kill("SIGTERM")
    assert.strictEqual(await server.exited, 0)
    const { stdout, stderr } = server.output()
    assert.notInclude(stdout + stderr, secret)
    assert.notInclude(stdout + stderr, runtimeToken)
  })

  it("serve: refuses to start without a client secret, naming the flag", async () => {
    const server = run(["serve", "--client-id", "x"], { INTERCOM_CLIENT_SECRET: "" })
    assert.strictEqual(await server.exited, 2)
    assert.include(server.output().stderr, "--client-secret (or INTERCOM_CLIENT_SECRET) is required")
  })

  it("serve: refuses to start without a runtime token, saying how to give one and make one", async () => {
    const server = run(["serve", "--client-id", "x", "--port", "0"], {
      INTERCOM_CLIENT_SECRET: "s",
      TASKJUICE_RUNTIME_TOKEN: ""
    })
    assert.strictEqual(await server.exited, 2)
    assert.include(server.output().stderr, "set TASKJUICE_RUNTIME_TOKEN or pass --runtime-token-file")
    assert.include(server.output().stderr, "openssl rand -base64 32")
  })

  it("serve: a limit flag out of range is refused with its name and range", async () => {
    const server = run(["serve", "--client-id", "x", "--port", "0", "--max-json-depth", "deep"], {
      INTERCOM_CLIENT_SECRET: "s",
      TASKJUICE_RUNTIME_TOKEN: "a-runtime-token-long-enough"
    })
    assert.strictEqual(await server.exited, 2)
    assert.include(server.output().stderr, "--max-json-depth: expected 1–")
  })

  const serveEnv = { INTERCOM_CLIENT_SECRET: "s", TASKJUICE_RUNTIME_TOKEN: "a-runtime-token-long-enough" }

  it("serve: without TASKJUICE_STATE_KEY refuses in one line, naming the variable and how to make a key", async () => {
    const server = run(["serve", "--client-id", "x", "--port", "0"], serveEnv)
    assert.strictEqual(await server.exited, 2)
    const { stderr } = server.output()
    assert.lengthOf(stderr.trim().split("\n"), 1)
    assert.include(stderr, "TASKJUICE_STATE_KEY is not set")
    assert.include(stderr, "openssl rand -base64 32")
    assert.notInclude(stderr, "    at ")
  })

  it("serve: a malformed key or state location is refused in one line with the reason and the valid forms", async () => {
    const badKey = run(["serve", "--client-id", "x", "--port", "0", "--state", "redis://127.0.0.1:1/0"], {
      ...serveEnv,
      TASKJUICE_STATE_KEY: "c2hvcnQ="
    })
    assert.strictEqual(await badKey.exited, 2)
    assert.include(badKey.output().stderr, "TASKJUICE_STATE_KEY decodes to 5 bytes; AES-256 needs exactly 32")
    const badState = run(["serve", "--client-id", "x", "--port", "0"], {
      ...serveEnv,
      TASKJUICE_STATE: "postgres://db"
    })
    assert.strictEqual(await badState.exited, 2)
    const { stderr } = badState.output()
    assert.lengthOf(stderr.trim().split("\n"), 1)
    assert.include(stderr, 'TASKJUICE_STATE "postgres://db" is not a state location')
    assert.include(stderr, "sqlite:PATH")
    assert.include(stderr, "redis://HOST:PORT/DB")
  })

  it("serve: an unreachable Redis fails in one line, with no stack", async () => {
    const server = run(["serve", "--client-id", "x", "--port", "0", "--state", "redis://127.0.0.1:1/0"], {
      ...serveEnv,
      TASKJUICE_STATE_KEY: generateStateKey()
    })
    assert.strictEqual(await server.exited, 1)
    const { stdout, stderr } = server.output()
    assert.include(stderr, "The redis state store failed during connect to 127.0.0.1:1: connect ECONNREFUSED")
    assert.notInclude(stdout + stderr, "    at ")
  })

  it("serve: several workers need a state they share, so memory is refused for --workers 2", async () => {
    const server = run(
      ["serve", "--client-id", "x", "--port", "0", "--state", "memory", "--workers", "2"],
      serveEnv
    )
    assert.strictEqual(await server.exited, 2)
    assert.include(server.output().stderr, "--workers 2 needs a state the workers share")
  })

  // The committed page documents the default build.
  it.skipIf(apiVersion !== pins.default)("docs --check: the committed page is current", async () => {
    const check = run(["docs", "--check"])
    assert.strictEqual(await check.exited, 0, check.output().stderr)
  })
})
