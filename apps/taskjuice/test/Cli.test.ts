import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { apiVersion } from "@taskjuice/intercom-client"
import { assert, describe, it } from "vitest"
import { builtEntry } from "../src/testing/BuiltEntry.ts"

const pins = JSON.parse(
  await readFile(new URL("../../../specs/intercom/pins.json", import.meta.url), "utf8")
) as { readonly default: string }

/** What `pnpm taskjuice` runs: the built CLI. */
const bin = builtEntry("bin")

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: "pipe" })
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

describe("pnpm taskjuice", () => {
  it("serve: listens, serves the manifest, keeps the secret out of its output, stops on SIGTERM", async () => {
    const secret = "cli-secret-never-printed"
    const runtimeToken = "cli-runtime-token-never-printed"
    const server = run(
      ["serve", "--port", "0", "--client-id", "cli-id", "--intercom-base-url", "http://127.0.0.1:9"],
      {
        INTERCOM_CLIENT_SECRET: secret,
        TASKJUICE_RUNTIME_TOKEN: runtimeToken
      }
    )
    const ready = await new Promise<{ url: string; webhookUrl: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ready line: ${JSON.stringify(server.output())}`)),
        // Starting takes seconds on a busy 2-core machine.
        20_000
      )
      server.child.stdout.on("data", () => {
        const line = server.output().stdout.split("\n")[0]
        if (line === undefined || !server.output().stdout.includes("\n")) return
        clearTimeout(timer)
        resolve(JSON.parse(line) as { url: string; webhookUrl: string })
      })
    })
    assert.strictEqual(ready.webhookUrl, `${ready.url}/webhooks/intercom`)
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

  // The committed page documents the default build.
  it.skipIf(apiVersion !== pins.default)("docs --check: the committed page is current", async () => {
    const check = run(["docs", "--check"])
    assert.strictEqual(await check.exited, 0, check.output().stderr)
  })
})
