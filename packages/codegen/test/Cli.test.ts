import { userErrorProblems } from "@taskjuice/intercom-testkit"
import { describe, expect, it, vi } from "vitest"
import { pinnedVersions } from "../src/Pins.ts"
import { runCli } from "./support/Cli.ts"

// Each command is its own node process; give them room on a busy machine.
vi.setConfig({ testTimeout: 120_000 })

const pinned = pinnedVersions().join(", ")

/** A user error: exit 2, one line on stderr starting with `Error: `, no stack trace. */
const expectUserError = (result: { code: number | null; stderr: string }, message: string) => {
  expect(result.code).toBe(2)
  expect(userErrorProblems(result.stderr)).toEqual([])
  expect(result.stderr).toContain(`Error: ${message}`)
}

describe("the intercom-codegen command line", () => {
  it("an unknown command exits 2, suggests the nearest and lists the valid commands", async () => {
    expectUserError(
      await runCli(["generat"]),
      'unknown command "generat" for ./dev codegen; did you mean generate? Valid commands: generate, diff, regenerate'
    )
  })

  it("an unknown version exits 2 and lists the pinned versions", async () => {
    expectUserError(
      await runCli(["generate", "--version", "2.9", "--out", "/nonexistent/never-written"]),
      `unknown Intercom API version "2.9"; valid pinned versions: ${pinned}`
    )
  })

  it("an unknown option exits 2 with a did-you-mean", async () => {
    expectUserError(
      await runCli(["generate", "--verison", "2.11"]),
      "unknown flag --verison for ./dev codegen generate; did you mean --version?"
    )
  })

  it("with no arguments prints the help and exits 2; a command's --help exits 0 with its flags, examples and exit codes", async () => {
    const bare = await runCli([])
    expect(bare.code).toBe(2)
    for (const command of ["generate", "diff", "regenerate"])
      expect(bare.stdout).toMatch(new RegExp(`^ {2}${command} `, "m"))
    expect(bare.stdout).toMatch(/EXIT CODES\n {2}0 +ok/)
    const generate = await runCli(["generate", "--help"])
    expect(generate.code).toBe(0)
    expect(generate.stdout).toContain("--version VERSION")
    expect(generate.stdout).toContain("./dev generate --version 2.16 --json")
    expect(generate.stdout).toMatch(/EXIT CODES\n {2}0 +ok/)
  })
})

describe("intercom-codegen diff", () => {
  it("prints the report as JSON with --json", async () => {
    const result = await runCli(["diff", "2.15", "2.16", "--json"])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as { changes: Array<{ location: string; kind: string }> }
    expect(report.changes).toContainEqual(
      expect.objectContaining({ location: "contact.owner_id", kind: "type-changed" })
    )
  })

  it("needs two versions, and names the pinned ones when one is unknown", async () => {
    expectUserError(
      await runCli(["diff", "2.11"]),
      `diff takes two versions; valid pinned versions: ${pinned}`
    )
    expectUserError(
      await runCli(["diff", "2.11", "2.17"]),
      `unknown Intercom API version "2.17"; valid pinned versions: ${pinned}`
    )
    expectUserError(
      await runCli(["diff", "2.11", "2.16", "2.15"]),
      'unexpected argument "2.15" for ./dev codegen diff'
    )
    const json = await runCli(["diff", "2.11", "2.17", "--json"])
    expect(json.code).toBe(2)
    expect(userErrorProblems(json.stderr, { json: true })).toEqual([])
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { category: "user_input", exitCode: 2, choices: pinnedVersions() }
    })
  })
})

describe("intercom-codegen regenerate (argument errors; the run itself is in Regenerate.test.ts)", () => {
  it("needs --version and rejects an unknown one, exit code 2", async () => {
    expectUserError(
      await runCli(["regenerate"]),
      `regenerate needs --version; valid pinned versions: ${pinned}`
    )
    expectUserError(
      await runCli(["regenerate", "--version", "3.0", "--dry-run"]),
      'unknown Intercom API version "3.0"'
    )
  })
})
