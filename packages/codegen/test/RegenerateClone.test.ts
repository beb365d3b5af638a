/**
 * Regeneration end to end, in a temporary clone of this working tree: the README's commands and
 * `regenerate` to the newest other pin and back, with the bundle's own docs page and manifest
 * snapshot re-rendered, and `git status` at the end holding only the reports and changesets.
 *
 * The clone is the working tree as it is (tracked and new files, committed there), with `../shared`
 * reachable beside it (a link to the mirror), no INTERCOM_SPECS_DIR, `node_modules` installed offline
 * from the store, and `.toolchain` linked so the README's PATH export works. The default run checks
 * each move with the bundle's manifest snapshot and docs page tests and the client's typecheck (one to
 * two minutes in all on a loaded 2-core machine); INTERCOM_REGENERATE_FULL=1 also runs the real
 * `pnpm regenerate` (every typecheck and test of the clone, several minutes) to the newest pin and back.
 */
import { spawnSync } from "node:child_process"
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadPins, pinnedVersions } from "../src/Pins.ts"
import { workspaceRoot } from "../src/Regenerate.ts"
import { siblingSpecsDir } from "../src/SpecResolver.ts"

const from = loadPins().default
const to =
  pinnedVersions()
    .filter((version) => version !== from)
    .at(-1) ?? from
const full = process.env.INTERCOM_REGENERATE_FULL === "1"

const place = mkdtempSync(join(tmpdir(), "intercom-regenerate-clone-"))
const clone = join(place, "checkout")
afterAll(() => rmSync(place, { recursive: true, force: true }))

interface Ran {
  readonly status: number | null
  readonly output: string
}

/** The environment after the README's PATH export, in the clone: no mirror variable, no version. */
const readmeEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(clone, ".toolchain/node/node_modules/.bin")}:${join(clone, ".toolchain/pnpm/bin")}:${process.env.PATH}`
  }
  delete env.INTERCOM_SPECS_DIR
  delete env.INTERCOM_API_VERSION
  return env
}

const inClone = (command: string, args: ReadonlyArray<string>, cwd = clone): Ran => {
  const result = spawnSync(command, [...args], { cwd, env: readmeEnv(), encoding: "utf8" })
  return {
    status: result.status,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ?? ""}`
  }
}

const succeeded = (ran: Ran): string => {
  expect(ran.status, ran.output.split("\n").slice(-40).join("\n")).toBe(0)
  return ran.output
}

const git = (...args: ReadonlyArray<string>): string => succeeded(inClone("git", args))
const gitIn = (cwd: string, ...args: ReadonlyArray<string>): string => succeeded(inClone("git", args, cwd))

/** The working tree as it is: every tracked file as it stands (deleted ones gone) and every new one. */
const copyWorkingTree = (): void => {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: workspaceRoot,
    encoding: "utf8"
  }).stdout
  for (const path of listed.split("\0").filter((each) => each !== "")) {
    const source = join(workspaceRoot, path)
    const target = join(clone, path)
    if (!existsSync(source)) {
      rmSync(target, { force: true })
      continue
    }
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(source, target)
  }
}

const readInClone = (path: string): string => readFileSync(join(clone, path), "utf8")
const committedInClone = (path: string): string | undefined => {
  const shown = inClone("git", ["show", `HEAD:${path}`])
  return shown.status === 0 ? shown.output : undefined
}
const apiVersionInClone = (): string | undefined =>
  /apiVersion = "([^"]+)"/.exec(readInClone("packages/client/src/generated/version.ts"))?.[1]

/**
 * The clone's own `regenerate`, checked by the bundle's manifest snapshot and docs page tests and the
 * client's typecheck, instead of every package's typecheck and tests.
 */
const regenerateInClone = (version: string): string => {
  const options = {
    version,
    dryRun: false,
    outDir: join(clone, "packages/client/src/generated"),
    // The regenerated client against its own surface and type tests; the core's and the bundle's
    // typecheck is the full run's (below), and CI's for every pinned version.
    typecheck: { command: "pnpm", args: ["--filter", "@taskjuice/intercom-client", "typecheck"] },
    test: {
      command: "pnpm",
      args: [
        "exec",
        "vitest",
        "run",
        "test/Manifest.test.ts",
        "--testNamePattern",
        "matches the snapshot|is the page rendered from the current manifest"
      ],
      cwd: "apps/taskjuice"
    },
    stdio: "pipe"
  }
  const program = `const { regenerate } = await import(${JSON.stringify(join(clone, "packages/codegen/src/Regenerate.ts"))})
await regenerate({ ...${JSON.stringify(options)}, log: (line) => console.log(line) })`
  return succeeded(inClone(process.execPath, ["--input-type=module", "-e", program]))
}

const snapshotPath = (version: string) => `apps/taskjuice/test/__snapshots__/manifest-${version}.json.snap`
const docsPage = "apps/taskjuice/docs/intercom.md"

beforeAll(() => {
  gitIn(place, "clone", "--quiet", "--no-hardlinks", workspaceRoot, clone)
  copyWorkingTree()
  // The toolchain link below is no part of the tree, as .toolchain is not in a checkout.
  appendFileSync(join(clone, ".git", "info", "exclude"), "\n/.toolchain\n")
  git("add", "--all")
  git(
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@example.invalid",
    "commit",
    "--quiet",
    "--allow-empty",
    "-m",
    "the working tree"
  )
  // ../shared beside the clone, as beside a checkout; the toolchain where the README's export looks.
  mkdirSync(join(place, "shared", "specs"), { recursive: true })
  symlinkSync(
    realpathSync(process.env.INTERCOM_SPECS_DIR ?? siblingSpecsDir()),
    join(place, "shared", "specs", "intercom")
  )
  symlinkSync(realpathSync(join(workspaceRoot, ".toolchain")), join(clone, ".toolchain"))
  succeeded(
    inClone("pnpm", ["install", "--offline", "--frozen-lockfile", "--trust-lockfile", "--reporter=silent"])
  )
}, 300_000)

describe(`regenerate in a temporary clone, ${from} → ${to} → ${from}`, () => {
  it("the README's pnpm generate finds ../shared beside the clone, with no INTERCOM_SPECS_DIR", () => {
    const output = succeeded(inClone("pnpm", ["generate"]))
    expect(output).toContain(`Generated Intercom ${from} (mirror`)
    expect(apiVersionInClone()).toBe(from)
  })

  it(`to ${to}: the pin, the client, the docs page and the manifest snapshot move; the bundle's tests pass`, () => {
    const output = regenerateInClone(to)
    expect(output).toContain("Re-rendering the docs page…")
    expect(JSON.parse(readInClone("specs/intercom/pins.json")).default).toBe(to)
    expect(apiVersionInClone()).toBe(to)
    expect(readInClone(docsPage)).toContain(`Every request uses Intercom API version ${to}.`)
    // A committed snapshot and report are re-rendered as committed.
    const committedSnapshot = committedInClone(snapshotPath(to))
    if (committedSnapshot !== undefined) expect(readInClone(snapshotPath(to))).toBe(committedSnapshot)
    const report = `specs/intercom/reports/${from}-to-${to}.md`
    const committedReport = committedInClone(report)
    if (committedReport !== undefined) expect(readInClone(report)).toBe(committedReport)
    expect(existsSync(join(clone, `.changeset/intercom-api-${to}.md`))).toBe(true)
  }, 300_000)

  it(`back to ${from}: everything as committed, but the reports and changesets the two runs wrote`, () => {
    regenerateInClone(from)
    expect(apiVersionInClone()).toBe(from)
    expect(readInClone("specs/intercom/pins.json")).toBe(committedInClone("specs/intercom/pins.json"))
    expect(readInClone(docsPage)).toBe(committedInClone(docsPage))
    const written = [
      `.changeset/intercom-api-${from}.md`,
      `.changeset/intercom-api-${to}.md`,
      `specs/intercom/reports/${to}-to-${from}.md`,
      ...[snapshotPath(to), `specs/intercom/reports/${from}-to-${to}.md`].filter(
        (path) => committedInClone(path) === undefined
      )
    ]
      .map((path) => `?? ${path}`)
      .sort()
    const status = git("status", "--porcelain", "--untracked-files=all").trim().split("\n").filter(Boolean)
    expect(status.sort()).toEqual(written)
  }, 300_000)

  it.runIf(full)(
    `the real pnpm regenerate (every typecheck and test) to ${to} and back`,
    () => {
      for (const version of [to, from]) {
        const output = succeeded(inClone("pnpm", ["regenerate", "--version", version]))
        expect(output).toContain(`Done: Intercom`)
      }
      expect(readInClone(docsPage)).toBe(committedInClone(docsPage))
    },
    3_600_000
  )
})
