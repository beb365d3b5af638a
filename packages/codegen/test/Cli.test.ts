import { describe, expect, it } from "vitest"
import { pinnedVersions } from "../src/Pins.ts"
import { runCli } from "./support/Cli.ts"

describe("the intercom-codegen command line", () => {
  it("an unknown command exits 2 and lists the valid commands", () => {
    const result = runCli(["generat"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('Unknown command "generat". Valid commands: generate, diff, regenerate.')
  })

  it("an unknown version exits 2 and lists the pinned versions", () => {
    const result = runCli(["generate", "--version", "2.9", "--out", "/nonexistent/never-written"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(
      `Unknown Intercom API version "2.9". Pinned versions: ${pinnedVersions().join(", ")}.`
    )
  })

  it("an unknown option exits 2", () => {
    const result = runCli(["generate", "--verison", "2.11"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain("--verison")
  })
})

describe("intercom-codegen diff", () => {
  it("prints the report as JSON with --json", () => {
    const result = runCli(["diff", "2.15", "2.16", "--json"])
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout) as { changes: Array<{ location: string; kind: string }> }
    expect(report.changes).toContainEqual(
      expect.objectContaining({ location: "contact.owner_id", kind: "type-changed" })
    )
  })

  it("needs two versions, and names the pinned ones when one is unknown", () => {
    expect(runCli(["diff", "2.11"])).toMatchObject({ status: 2 })
    const unknown = runCli(["diff", "2.11", "2.17"])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain(
      `Unknown Intercom API version "2.17". Pinned versions: ${pinnedVersions().join(", ")}.`
    )
  })
})

describe("intercom-codegen regenerate (argument errors; the run itself is in Regenerate.test.ts)", () => {
  it("needs --version and rejects an unknown one, exit code 2", () => {
    const missing = runCli(["regenerate"])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain("regenerate needs --version X. Pinned versions: 2.10")
    const unknown = runCli(["regenerate", "--version", "3.0", "--dry-run"])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('Unknown Intercom API version "3.0"')
  })
})
