import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { pinsPath } from "../src/Pins.ts"
import { type Command, RegenerateFailed, regenerate, withDefault, workspaceRoot } from "../src/Regenerate.ts"
import { generatedVersion } from "./support/Generated.ts"
import { tscBinary } from "./support/Typecheck.ts"

const realPins = readFileSync(pinsPath, "utf8")
// Other work may add changesets meanwhile: watch only the files a regenerate to 2.16 would write.
const watched = [
  join(workspaceRoot, ".changeset/intercom-api-2.16.md"),
  join(workspaceRoot, "specs/intercom/reports/2.11-to-2.16.md")
]
const contentOf = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, "utf8") : undefined
const realWatched = watched.map(contentOf)
const scratch = mkdtempSync(join(tmpdir(), "intercom-regenerate-test-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A throwaway copy of what regenerate touches: pins.json, the generated client, reports, changesets. */
const sandbox = (name: string) => {
  const root = join(scratch, name)
  const outDir = join(root, "generated")
  cpSync(generatedVersion("2.11").outDir, outDir, { recursive: true })
  writeFileSync(join(root, "pins.json"), realPins)
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }))
  writeFileSync(
    join(root, "tsconfig.json"),
    JSON.stringify({
      extends: join(workspaceRoot, "tsconfig.base.json"),
      compilerOptions: { types: [] },
      include: ["generated/*.ts"]
    })
  )
  const typecheck: Command = { command: tscBinary, args: ["--noEmit", "-p", join(root, "tsconfig.json")] }
  return {
    root,
    outDir,
    pinsPath: join(root, "pins.json"),
    reportsDir: join(root, "reports"),
    changesetDir: join(root, "changesets"),
    typecheck
  }
}

/**
 * Stands in for `pnpm test`: passes only if the version the build would use (INTERCOM_API_VERSION,
 * else the pin's default, as turbo sees them) is `expected` and the generated client is on it.
 */
const versionCheck = (paths: { pinsPath: string; outDir: string }, expected: string): Command => ({
  command: process.execPath,
  args: [
    "-e",
    `const fs = require("node:fs")
const version = process.env.INTERCOM_API_VERSION ?? JSON.parse(fs.readFileSync(${JSON.stringify(paths.pinsPath)}, "utf8")).default
const client = fs.readFileSync(${JSON.stringify(join(paths.outDir, "version.ts"))}, "utf8")
if (version !== ${JSON.stringify(expected)} || !client.includes('apiVersion = "' + version + '"')) {
  console.error("build would use " + version + ", expected ${expected}")
  process.exit(1)
}`
  ]
})

const apiVersionOf = (outDir: string): string | undefined =>
  /apiVersion = "([^"]+)"/.exec(readFileSync(join(outDir, "version.ts"), "utf8"))?.[1]

describe("regenerate", () => {
  it("moves the default pin, regenerates, checks, and writes the report and the changeset", async () => {
    const box = sandbox("full")
    const log: Array<string> = []
    const result = await regenerate({
      ...box,
      version: "2.16",
      dryRun: false,
      test: versionCheck(box, "2.16"),
      stdio: "pipe",
      log: (line) => log.push(line)
    })

    expect(result).toMatchObject({ from: "2.11", to: "2.16", dryRun: false })
    expect(readFileSync(box.pinsPath, "utf8")).toBe(withDefault(realPins, "2.16"))
    expect(JSON.parse(readFileSync(box.pinsPath, "utf8")).default).toBe("2.16")
    expect(apiVersionOf(box.outDir)).toBe("2.16")

    const report = readFileSync(join(box.reportsDir, "2.11-to-2.16.md"), "utf8")
    expect(report).toContain("# Intercom API 2.11 → 2.16")
    expect(report).toContain("`contact.owner_id` | type integer → string")

    const changeset = readFileSync(join(box.changesetDir, "intercom-api-2.16.md"), "utf8")
    expect(
      changeset.startsWith(
        '---\n"@taskjuice/intercom-client": minor\n"@taskjuice/intercom-core": minor\n---\n'
      )
    ).toBe(true)
    expect(changeset).toContain("Build against Intercom API 2.16 (was 2.11)")
    expect(changeset).toContain("`contact.owner_id`: type integer → string")
    expect(changeset).toContain("`conversation.priority`")
    expect(log.at(-1)).toContain("intercom-api-2.16.md")
  })

  it("--dry-run does everything but edit pins.json and write a changeset, and restores the client", async () => {
    const box = sandbox("dry")
    const result = await regenerate({
      ...box,
      version: "2.16",
      dryRun: true,
      test: versionCheck(box, "2.16"),
      stdio: "pipe"
    })
    expect(result.changesetPath).toBeUndefined()
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(existsSync(box.changesetDir)).toBe(false)
    expect(existsSync(join(box.reportsDir, "2.11-to-2.16.md"))).toBe(true)
    expect(apiVersionOf(box.outDir)).toBe("2.11")
  })

  it("when the tests fail, puts the pin and the client back, writes the report, and no changeset", async () => {
    const box = sandbox("failing")
    const failure = await regenerate({
      ...box,
      version: "2.16",
      dryRun: false,
      // The tests of a build still on 2.11 would pass; on 2.16 this check fails, as real tests may.
      test: versionCheck(box, "2.11"),
      stdio: "pipe"
    }).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(RegenerateFailed)
    expect((failure as RegenerateFailed).step).toBe("tests")
    expect((failure as Error).message).toContain("build would use 2.16, expected 2.11")
    expect((failure as Error).message).toContain("the pin and the generated client are back on 2.11")
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(apiVersionOf(box.outDir)).toBe("2.11")
    expect(existsSync(box.changesetDir)).toBe(false)
    expect(existsSync(join(box.reportsDir, "2.11-to-2.16.md"))).toBe(true)
  })

  it("refuses to move to the version that is already the default", async () => {
    const box = sandbox("same")
    await expect(regenerate({ ...box, version: "2.11", dryRun: true, stdio: "pipe" })).rejects.toThrow(
      "Intercom 2.11 is already the pinned default"
    )
  })

  it("left the repository's pins.json, changeset and report as they were", () => {
    expect(readFileSync(pinsPath, "utf8")).toBe(realPins)
    expect(watched.map(contentOf)).toEqual(realWatched)
  })
})
