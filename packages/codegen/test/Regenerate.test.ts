import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { renderDiffMarkdown } from "../src/DiffMarkdown.ts"
import { loadPins, pinnedVersions, pinsPath } from "../src/Pins.ts"
import {
  type Command,
  RegenerateFailed,
  type Rendering,
  regenerate,
  withDefault,
  workspaceRoot
} from "../src/Regenerate.ts"
import { generatedVersion } from "./support/Generated.ts"
import { tscBinary } from "./support/Typecheck.ts"

const realPins = readFileSync(pinsPath, "utf8")
/** The pins' default, and the newest other pinned version: what these runs move between. */
const from = loadPins().default
const to =
  pinnedVersions()
    .filter((version) => version !== from)
    .at(-1) ?? from

// Other work may add changesets meanwhile: watch only the files a regenerate to `to` would write.
const watched = [
  `.changeset/intercom-api-${to}.md`,
  `specs/intercom/reports/${from}-to-${to}.md`,
  "apps/taskjuice/docs/intercom.md",
  `apps/taskjuice/test/__snapshots__/manifest-${to}.json.snap`
].map((path) => join(workspaceRoot, path))
const contentOf = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, "utf8") : undefined
const realWatched = watched.map(contentOf)
const scratch = mkdtempSync(join(tmpdir(), "intercom-regenerate-test-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A node one-liner as a command. */
const script = (source: string): Command => ({ command: process.execPath, args: ["-e", source] })

/**
 * A throwaway copy of what regenerate touches: pins.json, the generated client, reports, changesets,
 * and a rendered file standing in for the bundle's, whose command writes the client's version and
 * the pin's default it saw. Every step also appends to `steps.log` (kept after the run), so a test
 * can see what ran against which version.
 */
const sandbox = (name: string, { failing }: { readonly failing?: "render" | "tests" } = {}) => {
  const root = join(scratch, name)
  const outDir = join(root, "generated")
  cpSync(generatedVersion(from).outDir, outDir, { recursive: true })
  writeFileSync(join(root, "pins.json"), realPins)
  writeFileSync(join(root, "rendered.txt"), "as committed\n")
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }))
  writeFileSync(
    join(root, "tsconfig.json"),
    JSON.stringify({
      extends: join(workspaceRoot, "tsconfig.base.json"),
      compilerOptions: { types: [] },
      include: ["generated/*.ts"]
    })
  )
  const paths = { pinsPath: join(root, "pins.json"), outDir, log: join(root, "steps.log") }
  // What a command sees: INTERCOM_API_VERSION, the pin's default (which the bundle's docs checks
  // read) and the generated client.
  const seen = `const fs = require("node:fs")
const env = process.env.INTERCOM_API_VERSION ?? "-"
const pinned = JSON.parse(fs.readFileSync(${JSON.stringify(paths.pinsPath)}, "utf8")).default
const client = /apiVersion = "([^"]+)"/.exec(fs.readFileSync(${JSON.stringify(join(outDir, "version.ts"))}, "utf8"))[1]`
  const step = (label: string, fails: boolean): Command =>
    script(`${seen}
fs.appendFileSync(${JSON.stringify(paths.log)}, "${label} env=" + env + " pin=" + pinned + " client=" + client + "\\n")
${label === "render" ? `fs.writeFileSync("rendered.txt", pinned + " " + client + "\\n")` : ""}
if (${fails}) { console.error("${label} fails on " + client); process.exit(1) }`)
  const renderings = (version: string): ReadonlyArray<Rendering> => [
    {
      name: `the rendered file for ${version}`,
      command: step("render", failing === "render"),
      files: ["rendered.txt"]
    }
  ]
  const typecheck: Command = { command: tscBinary, args: ["--noEmit", "-p", join(root, "tsconfig.json")] }
  return {
    root,
    outDir,
    pinsPath: paths.pinsPath,
    reportsDir: join(root, "reports"),
    changesetDir: join(root, "changesets"),
    renderings,
    typecheck,
    test: step("test", failing === "tests"),
    stdio: "pipe" as const,
    steps: () => (existsSync(paths.log) ? readFileSync(paths.log, "utf8").trim().split("\n") : []),
    rendered: () => readFileSync(join(root, "rendered.txt"), "utf8")
  }
}

const apiVersionOf = (outDir: string): string | undefined =>
  /apiVersion = "([^"]+)"/.exec(readFileSync(join(outDir, "version.ts"), "utf8"))?.[1]

describe(`regenerate (from the pins' default ${from} to ${to})`, () => {
  it("moves the default pin, regenerates, re-renders, checks, and writes the report and the changeset", async () => {
    const box = sandbox("full")
    const log: Array<string> = []
    const result = await regenerate({ ...box, version: to, dryRun: false, log: (line) => log.push(line) })

    expect(result).toMatchObject({ from, to, dryRun: false })
    expect(readFileSync(box.pinsPath, "utf8")).toBe(withDefault(realPins, to))
    expect(JSON.parse(readFileSync(box.pinsPath, "utf8")).default).toBe(to)
    expect(apiVersionOf(box.outDir)).toBe(to)
    // The rendering ran after the pin and the client moved, and the checks after it.
    expect(box.rendered()).toBe(`${to} ${to}\n`)
    expect(box.steps()).toEqual([`render env=- pin=${to} client=${to}`, `test env=- pin=${to} client=${to}`])

    const report = readFileSync(join(box.reportsDir, `${from}-to-${to}.md`), "utf8")
    expect(report).toBe(renderDiffMarkdown(result.report))
    expect(report).toContain(`# Intercom API ${from} → ${to}`)

    const changeset = readFileSync(join(box.changesetDir, `intercom-api-${to}.md`), "utf8")
    expect(
      changeset.startsWith(
        '---\n"@taskjuice/intercom-client": minor\n"@taskjuice/intercom-core": minor\n---\n'
      )
    ).toBe(true)
    expect(changeset).toContain(`Build against Intercom API ${to} (was ${from})`)
    const breaking = result.report.changes.find(
      (change) => change.impact === "breaking" && change.kind !== "required-removed"
    )
    if (breaking !== undefined) expect(changeset).toContain(`\`${breaking.location}\`: ${breaking.summary}`)
    expect(log.at(-1)).toContain(`intercom-api-${to}.md`)
  })

  it("--dry-run runs exactly the steps and checks of the real run, then puts everything back", async () => {
    const real = sandbox("real-for-dry")
    await regenerate({ ...real, version: to, dryRun: false })
    const box = sandbox("dry")
    const result = await regenerate({ ...box, version: to, dryRun: true })

    // Each step saw the moved pin and the regenerated client, as in the real run: a check that reads
    // the pin (the bundle's docs checks do) no longer skips.
    expect(box.steps()).toEqual(real.steps())
    expect(box.steps()).toHaveLength(2)
    expect(result.changesetPath).toBeUndefined()
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(apiVersionOf(box.outDir)).toBe(from)
    expect(box.rendered()).toBe("as committed\n")
    expect(existsSync(box.changesetDir)).toBe(false)
    expect(existsSync(join(box.reportsDir, `${from}-to-${to}.md`))).toBe(true)
  })

  it("--dry-run fails when a check fails on the new version, and still puts everything back", async () => {
    const box = sandbox("dry-failing", { failing: "tests" })
    const failure = await regenerate({ ...box, version: to, dryRun: true }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RegenerateFailed)
    expect((failure as Error).message).toContain(`test fails on ${to}`)
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(box.rendered()).toBe("as committed\n")
  })

  it("when the tests fail, puts the pin, the client and the rendered file back, writes the report, and no changeset", async () => {
    const box = sandbox("failing", { failing: "tests" })
    const failure = await regenerate({ ...box, version: to, dryRun: false }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RegenerateFailed)
    expect((failure as RegenerateFailed).step).toBe("tests")
    expect((failure as Error).message).toContain(`test fails on ${to}`)
    expect((failure as Error).message).toContain(
      `the pin, the generated client and the rendered file for ${to} are back as they were on ${from}`
    )
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(apiVersionOf(box.outDir)).toBe(from)
    expect(box.rendered()).toBe("as committed\n")
    expect(existsSync(box.changesetDir)).toBe(false)
    expect(existsSync(join(box.reportsDir, `${from}-to-${to}.md`))).toBe(true)
  })

  it("when a rendering fails, stops there (no checks run) and puts everything back", async () => {
    const box = sandbox("render-failing", { failing: "render" })
    const failure = await regenerate({ ...box, version: to, dryRun: false }).catch((error: unknown) => error)
    expect((failure as RegenerateFailed).step).toBe(`re-rendering the rendered file for ${to}`)
    expect(box.steps()).toEqual([`render env=- pin=${to} client=${to}`])
    expect(readFileSync(box.pinsPath, "utf8")).toBe(realPins)
    expect(box.rendered()).toBe("as committed\n")
  })

  it("removes a rendered file that did not exist before a dry run", async () => {
    const box = sandbox("absent")
    rmSync(join(box.root, "rendered.txt"))
    await regenerate({ ...box, version: to, dryRun: true })
    expect(existsSync(join(box.root, "rendered.txt"))).toBe(false)
  })

  it("refuses to move to the version that is already the default", async () => {
    const box = sandbox("same")
    await expect(regenerate({ ...box, version: from, dryRun: true })).rejects.toThrow(
      `Intercom ${from} is already the pinned default`
    )
  })

  it("left the repository's pins.json, changeset, report, docs page and manifest snapshot as they were", () => {
    expect(readFileSync(pinsPath, "utf8")).toBe(realPins)
    expect(watched.map(contentOf)).toEqual(realWatched)
  })
})
