import { describe, expect, it } from "vitest"
import { pinnedVersions } from "../src/Pins.ts"
import { runCli } from "./support/Cli.ts"

describe("the intercom-codegen command line", () => {
  it("an unknown command exits 2 and lists the valid commands", () => {
    const result = runCli(["generat"])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('Unknown command "generat". Valid commands: generate')
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
