import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { exitCodes } from "@taskjuice/intercom-cli"
import { apiVersion } from "@taskjuice/intercom-client"
import { generateStateKey } from "@taskjuice/intercom-state"
import { type CliOptions, runCli, stackFrame, startCli, userErrorProblems } from "@taskjuice/intercom-testkit"
import { afterAll, assert, beforeAll, describe, expect, it, vi } from "vitest"
import { builtEntry } from "../src/testing/BuiltEntry.ts"
import { holdPort } from "../src/testing/Ports.ts"

const pins = JSON.parse(
  await readFile(new URL("../../../specs/intercom/pins.json", import.meta.url), "utf8")
) as { readonly default: string }

/** What `./dev taskjuice` runs: the built CLI. */
const bin = builtEntry("bin")

// Each run's state in a directory of its own, never in the checkout.
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "taskjuice-cli-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** `./dev taskjuice …` to its end, in the test's directory, with only the variables given (and PATH). */
const taskjuice = (args: ReadonlyArray<string>, env: CliOptions["env"] = {}) =>
  runCli(bin, args, { env, cwd: dir })

const serveEnv = { INTERCOM_CLIENT_SECRET: "s", TASKJUICE_RUNTIME_TOKEN: "a-runtime-token-long-enough" }

/** Asserts a user error: one `Error: ` line, no stack trace, the category's exit code, nothing on stdout. */
const expectUserError = (
  result: { readonly code: number | null; readonly stdout: string; readonly stderr: string },
  line: string,
  code: number = exitCodes.user_input
) => {
  expect(userErrorProblems(result.stderr)).toEqual([])
  expect(result.stderr).toBe(`Error: ${line}\n`)
  expect(result.code).toBe(code)
}

// Every test runs the CLI as a process (some run it twice): seconds each on a busy machine.
vi.setConfig({ testTimeout: 120_000 })

describe("./dev taskjuice: the kit's conventions", () => {
  it("with no arguments prints its help and exits 2, as ./dev sim does", async () => {
    const result = await taskjuice([])
    expect(result.code).toBe(exitCodes.user_input)
    expect(result.stdout).toContain("USAGE\n  ./dev taskjuice <subcommand> [flags]")
    for (const command of ["serve", "manifest", "docs"]) expect(result.stdout).toContain(`  ${command}  `)
  })

  it("every help page documents the exit codes and has examples", async () => {
    for (const args of [["--help"], ["serve", "--help"], ["manifest", "--help"], ["docs", "--help"]]) {
      const result = await taskjuice(args)
      expect(result.code, args.join(" ")).toBe(0)
      expect(result.stdout).toContain("EXAMPLES\n")
      expect(result.stdout).toContain("EXIT CODES\n")
      for (const [name, code] of Object.entries(exitCodes)) {
        expect(result.stdout).toMatch(new RegExp(`^ {2}${code} +${name} +\\S`, "m"))
      }
    }
    const serve = await taskjuice(["serve", "--help"])
    // The kit's names and defaults: --host, not --hostname; port 4020, as ./dev start uses.
    expect(serve.stdout).toContain("--host HOST")
    expect(serve.stdout).not.toContain("--hostname")
    expect(serve.stdout).toContain("default 4020")
    const json = await taskjuice(["serve", "--help", "--json"])
    const help = JSON.parse(json.stdout) as { help: { flags: Array<{ name: string }>; exitCodes: unknown } }
    expect(help.help.exitCodes).toEqual(exitCodes)
    expect(help.help.flags.map((flag) => flag.name)).toContain("--runtime-token-file")
  })

  it.each([
    [["--bogus"], "unknown flag --bogus for ./dev taskjuice; see ./dev taskjuice --help"],
    [
      ["serve", "--bogus"],
      "unknown flag --bogus for ./dev taskjuice serve; valid flags: --state, --workers, --host, --port, "
    ],
    [
      ["serve", "--hostname", "0.0.0.0"],
      "unknown flag --hostname for ./dev taskjuice serve; did you mean --host? "
    ],
    [["serve", "--prot", "0"], "unknown flag --prot for ./dev taskjuice serve; did you mean --port? "],
    [
      ["serv"],
      'unknown command "serv" for ./dev taskjuice; did you mean serve? Valid commands: serve, manifest, docs'
    ]
  ])(
    "%j is one line: what was wrong, the did-you-mean or the valid flags, exit 2, no stack",
    async (args, start) => {
      const result = await taskjuice(args)
      expect(userErrorProblems(result.stderr)).toEqual([])
      expect(result.stderr.startsWith(`Error: ${start}`), result.stderr).toBe(true)
      expect(result.code).toBe(exitCodes.user_input)
      expect(result.stdout).toBe("")
    }
  )

  it("a bad value names the flag and its range; under --json the error is one JSON object", async () => {
    expectUserError(
      await taskjuice(["serve", "--max-json-depth", "deep"], serveEnv),
      '--max-json-depth must be a whole number of at least 1, got "deep"'
    )
    const result = await taskjuice(["serve", "--workers", "0", "--json"], serveEnv)
    expect(userErrorProblems(result.stderr, { json: true })).toEqual([])
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: {
        category: "user_input",
        exitCode: 2,
        message: '--workers must be a whole number from 1 to 64, got "0"'
      }
    })
    expect(result.code).toBe(exitCodes.user_input)
  })

  it("manifest --json is one line of JSON; without it, indented", async () => {
    const json = await taskjuice(["manifest", "--json"])
    expect(json.code).toBe(0)
    expect(json.stdout.trimEnd().split("\n")).toHaveLength(1)
    expect((JSON.parse(json.stdout) as { app: { key: string } }).app.key).toBe("intercom")
    const text = await taskjuice(["manifest"])
    expect(JSON.parse(text.stdout)).toEqual(JSON.parse(json.stdout))
    expect(text.stdout.split("\n").length).toBeGreaterThan(10)
  })
})

describe("./dev taskjuice serve", () => {
  it("listens (a JSON line under --json), serves the manifest, keeps the secrets out of its output, stops on SIGTERM", async () => {
    const secret = "cli-secret-never-printed"
    const runtimeToken = "cli-runtime-token-never-printed"
    const server = startCli(
      bin,
      [
        "serve",
        "--json",
        "--port",
        "0",
        "--client-id",
        "cli-id",
        "--intercom-base-url",
        "http://127.0.0.1:9"
      ],
      {
        cwd: dir,
        env: {
          INTERCOM_CLIENT_SECRET: secret,
          TASKJUICE_RUNTIME_TOKEN: runtimeToken,
          TASKJUICE_STATE_KEY: generateStateKey()
        }
      }
    )
    try {
      const ready = JSON.parse(
        await server.waitForLine((line) => line.includes('"listening"'), 90_000)
      ) as Record<string, string>
      assert.strictEqual(ready.webhookUrl, `${ready.url}/webhooks/intercom`)
      // The embedded default: a SQLite file under the working directory.
      assert.strictEqual(ready.state, "sqlite:.taskjuice/state.sqlite")
      assert.isTrue(existsSync(join(dir, ".taskjuice", "state.sqlite")))
      const authorization = `Bearer ${runtimeToken}`
      assert.strictEqual((await fetch(`${ready.url}/manifest`)).status, 401)
      const manifest = (await (
        await fetch(`${ready.url}/manifest`, { headers: { authorization } })
      ).json()) as { app: { key: string } }
      assert.strictEqual(manifest.app.key, "intercom")
      const start = await fetch(`${ready.url}/oauth/start`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: "{}"
      })
      const { url } = (await start.json()) as { url: string }
      const begin = await fetch(url, { redirect: "manual" })
      assert.match(begin.headers.get("location") ?? "", /^http:\/\/127\.0\.0\.1:9\/oauth\?client_id=cli-id&/)
      // A delivery it cannot verify is one JSON line, with when, what it answered and why.
      const refused = await fetch(ready.webhookUrl ?? "", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature": "sha1=0000" },
        body: "{}"
      })
      assert.strictEqual(refused.status, 401)
      const line = JSON.parse(
        await server.waitForLine((text) => text.includes('"outcome":"refused"'))
      ) as Record<string, unknown>
      expect(line).toMatchObject({ event: "delivery", status: 401, code: "UNAUTHENTICATED" })
      expect(new Date(String(line.time)).toISOString()).toBe(line.time)
      // Every line it printed is JSON.
      for (const printed of server.lines) JSON.parse(printed)
    } finally {
      assert.strictEqual(await server.stop("SIGTERM"), 0)
    }
    const output = server.lines.join("\n") + server.stderr()
    assert.notInclude(output, secret)
    assert.notInclude(output, runtimeToken)
  })

  it("prints people's lines without --json: where it listens, then one timestamped line per event", async () => {
    const server = startCli(bin, ["serve", "--port", "0", "--state", "memory", "--client-id", "x"], {
      cwd: dir,
      env: serveEnv
    })
    try {
      const ready = await server.waitForLine(
        (line) => line.startsWith("TaskJuice bundle host listening at"),
        90_000
      )
      const url = /http:\/\/[\d.:]+/.exec(ready)?.[0] ?? ""
      expect(server.lines).toContain(
        `  webhook endpoint  ${url}/webhooks/intercom (register it in Intercom's Developer Hub)`
      )
      await fetch(`${url}/webhooks/intercom`, { method: "POST", body: "{}" })
      const refused = await server.waitForLine((line) => line.includes("rejected"))
      expect(refused).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} {2}rejected {3}HTTP 401 UNAUTHENTICATED \(\w+\): \S/)
    } finally {
      expect(await server.stop("SIGINT")).toBe(0)
    }
  })

  it("a busy port is one line naming the port and the flag, no stack", async () => {
    const { port, release } = await holdPort()
    try {
      for (const flag of ["--port", "--public-port"]) {
        const ports =
          flag === "--port" ? ["--port", String(port)] : ["--port", "0", "--public-port", String(port)]
        const result = await taskjuice(["serve", "--state", "memory", "--client-id", "x", ...ports], serveEnv)
        expectUserError(
          result,
          `port ${port} on 127.0.0.1 is in use; pass ${flag} 0 for any free port, or another ${flag}`
        )
        expect(result.stdout).not.toMatch(stackFrame)
      }
    } finally {
      await release()
    }
  })

  it("refuses to start without a client id or a client secret, naming the flag and the variable", async () => {
    expectUserError(
      await taskjuice(["serve"], serveEnv),
      "--client-id (or INTERCOM_CLIENT_ID) is required; pass the OAuth app's client id from Intercom's Developer Hub"
    )
    expectUserError(
      await taskjuice(["serve", "--client-id", "x"], { INTERCOM_CLIENT_SECRET: "" }),
      "--client-secret (or INTERCOM_CLIENT_SECRET) is required; set INTERCOM_CLIENT_SECRET to the OAuth app's client secret"
    )
  })

  it("refuses to start without a runtime token, saying how to give one and make one", async () => {
    expectUserError(
      await taskjuice(["serve", "--client-id", "x"], {
        INTERCOM_CLIENT_SECRET: "s",
        TASKJUICE_RUNTIME_TOKEN: ""
      }),
      "a runtime token is required; set TASKJUICE_RUNTIME_TOKEN or pass --runtime-token-file FILE; make one with: openssl rand -base64 32"
    )
    const missing = join(dir, "no-such-token")
    expectUserError(
      await taskjuice(["serve", "--client-id", "x", "--runtime-token-file", missing], {
        INTERCOM_CLIENT_SECRET: "s"
      }),
      `--runtime-token-file: cannot read "${missing}" (ENOENT); pass a file you can read, holding the token on one line`,
      exitCodes.filesystem
    )
  })

  it("without TASKJUICE_STATE_KEY refuses in one line, naming the variable and how to make a key", async () => {
    const result = await taskjuice(["serve", "--client-id", "x"], serveEnv)
    expect(userErrorProblems(result.stderr)).toEqual([])
    expect(result.code).toBe(exitCodes.user_input)
    expect(result.stderr).toContain("TASKJUICE_STATE_KEY is not set")
    expect(result.stderr).toContain("openssl rand -base64 32")
  })

  it("a malformed key or state location is refused in one line with the reason and the valid forms", async () => {
    const badKey = await taskjuice(["serve", "--client-id", "x", "--state", "redis://127.0.0.1:1/0"], {
      ...serveEnv,
      TASKJUICE_STATE_KEY: "c2hvcnQ="
    })
    expect(userErrorProblems(badKey.stderr)).toEqual([])
    expect(badKey.code).toBe(exitCodes.user_input)
    expect(badKey.stderr).toContain("TASKJUICE_STATE_KEY decodes to 5 bytes; AES-256 needs exactly 32")
    const badState = await taskjuice(["serve", "--client-id", "x"], {
      ...serveEnv,
      TASKJUICE_STATE: "postgres://db"
    })
    expect(userErrorProblems(badState.stderr)).toEqual([])
    expect(badState.code).toBe(exitCodes.user_input)
    expect(badState.stderr).toContain('TASKJUICE_STATE "postgres://db" is not a state location')
    expect(badState.stderr).toContain("sqlite:PATH")
    expect(badState.stderr).toContain("redis://HOST:PORT/DB")
  })

  it("an unreachable Redis is one line with the fix, exit 3 (network), no stack", async () => {
    const result = await taskjuice(
      ["serve", "--client-id", "x", "--port", "0", "--state", "redis://127.0.0.1:1/0"],
      {
        ...serveEnv,
        TASKJUICE_STATE_KEY: generateStateKey()
      }
    )
    expectUserError(
      result,
      "The redis state store failed during connect to 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; start Redis at redis://127.0.0.1:1/0, or pass --state sqlite:PATH to keep the state in a file",
      exitCodes.network
    )
    expect(result.stdout).not.toMatch(stackFrame)
  })

  it("several workers need a state they share, so memory is refused for --workers 2", async () => {
    expectUserError(
      await taskjuice(["serve", "--client-id", "x", "--state", "memory", "--workers", "2"], serveEnv),
      "--workers 2 needs a state the workers share: memory is each process's own; pass --state sqlite:PATH or --state redis://HOST:PORT/DB"
    )
  })
})

describe("./dev taskjuice docs", () => {
  // The committed page documents the default build.
  it.skipIf(apiVersion !== pins.default)("--check: the committed page is current", async () => {
    const check = await taskjuice(["docs", "--check"])
    expect(check.stderr).toBe("")
    expect(check.code).toBe(0)
    expect(check.stdout).toBe("docs/intercom.md is up to date\n")
    const json = await taskjuice(["docs", "--check", "--json"])
    expect(JSON.parse(json.stdout)).toEqual({ path: "docs/intercom.md", upToDate: true })
  })
})
