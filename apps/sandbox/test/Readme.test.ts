/**
 * The README's promises about the command lines: it names the four CLIs, and its `pnpm …` commands
 * work after its own PATH export, in a shell that has nothing else (no ./dev, no toolchain on PATH).
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const readme = readFileSync(`${root}README.md`, "utf8")

/** The README's own PATH export, as written. */
const pathExport = /`(export PATH=\$PWD\/\.toolchain[^`]*)`/.exec(readme)?.[1]

const afterExport = (command: string) =>
  promisify(execFile)("/bin/sh", ["-c", `${pathExport} && ${command}`], {
    cwd: root,
    // What a fresh shell has: the system's PATH, none of this run's (the toolchain is not on it).
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
    timeout: 90_000
  })

describe("the README", () => {
  it("names the four command lines, each with its ./dev form", () => {
    for (const cli of ["./dev start", "./dev sim", "./dev taskjuice", "./dev codegen"]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${cli.replace(/[./]/g, "\\$&")}[ \`]`, "m"))
    }
  })

  it("has a PATH export that puts the toolchain's node and pnpm first", () => {
    expect(pathExport).toBeDefined()
  })

  it.each([
    ["pnpm sim --help", /Exit codes/i],
    ["pnpm codegen --help", /Exit codes/i],
    ["pnpm codegen diff 2.11 2.16 --json", /"operations"|"changes"/]
  ])("%s works after the export, as written", { timeout: 120_000 }, async (command, expected) => {
    const { stdout } = await afterExport(command)
    expect(stdout).toMatch(expected)
  })
})
