/**
 * Moves the build to another pinned Intercom version in one step: diff against the current
 * default, update the pin's default, regenerate the client, re-render what the bundle renders from
 * the build (its docs page and its manifest snapshot, by its own commands), typecheck, run the
 * tests, write the diff report and a changeset describing the API change.
 *
 * It succeeds completely or changes nothing but the report: when a step fails, the pin, the
 * generated client and the rendered files go back to what they were. A dry run is the same run,
 * step for step and check for check, put back at the end and without a changeset.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { renderDiffMarkdown } from "./DiffMarkdown.ts"
import { generate } from "./Generate.ts"
import { pinsPath as defaultPinsPath, loadPins, pinFor, specsRoot } from "./Pins.ts"
import { type Change, type DiffReport, diffVersions } from "./SpecDiff.ts"
import type { ResolveOptions } from "./SpecResolver.ts"

export const workspaceRoot: string = fileURLToPath(new URL("../../../", import.meta.url))

export interface Command {
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** Where it runs, relative to the root (the root itself by default). */
  readonly cwd?: string
}

/** A file the bundle renders from the build, such as its docs page, made by the bundle's own command. */
export interface Rendering {
  readonly name: string
  readonly command: Command
  /** What the command writes, relative to the root: put back when the run fails or is a dry run. */
  readonly files: ReadonlyArray<string>
}

/**
 * What the bundle renders from the build for `version`: the docs page (`taskjuice docs`) and the
 * manifest snapshot (its own test, told to update it). Both run as processes, after the client is
 * generated for `version` and the pin says so.
 */
export const bundleRenderings = (version: string): ReadonlyArray<Rendering> => [
  {
    name: "the docs page",
    command: { command: process.execPath, args: ["apps/taskjuice/src/bin.ts", "docs"] },
    files: ["apps/taskjuice/docs/intercom.md"]
  },
  {
    name: `the manifest snapshot for ${version}`,
    command: {
      command: "pnpm",
      args: [
        "exec",
        "vitest",
        "run",
        "test/Manifest.test.ts",
        "--update",
        "--testNamePattern",
        "matches the snapshot"
      ],
      cwd: "apps/taskjuice"
    },
    files: [`apps/taskjuice/test/__snapshots__/manifest-${version}.json.snap`]
  }
]

export interface RegenerateOptions extends ResolveOptions {
  readonly version: string
  /** The whole run, then everything put back, and no changeset. */
  readonly dryRun: boolean
  readonly pinsPath?: string
  /** The generated client folder (packages/client/src/generated). */
  readonly outDir: string
  readonly reportsDir?: string
  readonly changesetDir?: string
  /** Where commands run and paths in the report and changeset are relative to. */
  readonly root?: string
  /** What is re-rendered for the version (default: `bundleRenderings`). */
  readonly renderings?: (version: string) => ReadonlyArray<Rendering>
  readonly typecheck?: Command
  readonly test?: Command
  /** `inherit` shows the commands' output as they run; `pipe` keeps it for the error message. */
  readonly stdio?: "inherit" | "pipe"
  readonly log?: (line: string) => void
}

export interface RegenerateResult {
  readonly from: string
  readonly to: string
  readonly dryRun: boolean
  readonly report: DiffReport
  readonly reportPath: string
  readonly changesetPath: string | undefined
}

export class RegenerateFailed extends Error {
  readonly _tag = "RegenerateFailed"
  readonly step: string
  constructor(step: string, message: string) {
    super(message)
    this.step = step
  }
}

export class AlreadyDefault extends Error {
  readonly _tag = "AlreadyDefault"
  constructor(version: string) {
    super(
      `Intercom ${version} is already the pinned default. Use \`pnpm generate\` and \`pnpm test\` to rebuild it, ` +
        "or `pnpm codegen diff <from> <to>` to compare two versions."
    )
  }
}

const defaultTypecheck: Command = { command: "pnpm", args: ["typecheck"] }
const defaultTest: Command = { command: "pnpm", args: ["test"] }

/** Rewrites only the `default` line, so the rest of pins.json keeps its layout. */
export const withDefault = (pinsText: string, version: string): string => {
  const pattern = /("default"\s*:\s*)"[^"]*"/
  if (!pattern.test(pinsText)) throw new RegenerateFailed("pin", 'pins.json has no "default" entry to update')
  return pinsText.replace(pattern, `$1${JSON.stringify(version)}`)
}

const listed = (changes: ReadonlyArray<Change>, limit: number): ReadonlyArray<string> => [
  ...changes
    .slice(0, limit)
    .map((change) => `- \`${change.location}\`: ${change.summary} (${change.touches.join(", ")})`),
  ...(changes.length > limit ? [`- … and ${changes.length - limit} more in the report`] : [])
]

/** The changeset body: the version move and the API change, from the report. */
export const changesetText = (report: DiffReport, reportPath: string): string => {
  const breaking = report.changes.filter((change) => change.impact === "breaking")
  const relaxed = breaking.filter((change) => change.kind === "required-removed")
  const otherBreaking = breaking.filter((change) => change.kind !== "required-removed")
  const additive = report.changes.filter((change) => change.impact === "additive")
  return [
    "---",
    // 0.x packages: a minor bump is the breaking one.
    '"@taskjuice/intercom-client": minor',
    '"@taskjuice/intercom-core": minor',
    "---",
    "",
    `Build against Intercom API ${report.to.version} (was ${report.from.version}). For what this integration uses, ` +
      `${report.summary.breaking} breaking and ${report.summary.additive} additive changes; the full list is in \`${reportPath}\`.`,
    "",
    ...(otherBreaking.length > 0 ? ["Breaking:", "", ...listed(otherBreaking, 25), ""] : []),
    ...(relaxed.length > 0
      ? [
          `Fields no longer marked required (the generated types turn them optional) in ${relaxed.length} schemas: ` +
            `${relaxed.map((change) => `\`${change.location}\` (${change.removed?.length ?? 0})`).join(", ")}.`,
          ""
        ]
      : []),
    ...(additive.length > 0 ? ["Additive:", "", ...listed(additive, 15), ""] : [])
  ].join("\n")
}

interface RunContext {
  readonly root: string
  readonly env: NodeJS.ProcessEnv
  readonly stdio: "inherit" | "pipe"
}

const run = (step: string, command: Command, context: RunContext): void => {
  const result = spawnSync(command.command, [...command.args], {
    cwd: join(context.root, command.cwd ?? "."),
    env: context.env,
    stdio: context.stdio,
    encoding: "utf8"
  })
  if (result.status === 0) return
  const output =
    context.stdio === "pipe" ? `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n") : []
  const tail = output.length > 0 ? `\n${output.slice(-30).join("\n")}` : ""
  const why =
    result.error?.message ??
    (result.signal === null ? `exit code ${result.status}` : `stopped by ${result.signal}`)
  throw new RegenerateFailed(
    step,
    `${step} failed (\`${[command.command, ...command.args].join(" ")}\`: ${why})${tail}`
  )
}

/** The files a run may change, as they were before it: the pin and each rendered file (or its absence). */
const snapshotOf = (paths: ReadonlyArray<string>): ReadonlyMap<string, string | undefined> =>
  new Map(
    paths.map((path) => {
      try {
        return [path, readFileSync(path, "utf8")]
      } catch {
        return [path, undefined]
      }
    })
  )

const putBack = (saved: ReadonlyMap<string, string | undefined>): void => {
  for (const [path, content] of saved) {
    if (content === undefined) rmSync(path, { force: true })
    else writeFileSync(path, content)
  }
}

/**
 * Ctrl-C (or a SIGTERM) during the run stops the step that runs, which then fails, so that what it
 * changed is put back before the process exits.
 */
const whileRunning = async <A>(body: () => Promise<A>): Promise<A> => {
  const keepRunning = () => {}
  process.on("SIGINT", keepRunning)
  process.on("SIGTERM", keepRunning)
  try {
    return await body()
  } finally {
    process.off("SIGINT", keepRunning)
    process.off("SIGTERM", keepRunning)
  }
}

const resolveOptionsOf = (options: ResolveOptions): ResolveOptions => ({
  ...(options.specsDir === undefined ? {} : { specsDir: options.specsDir }),
  ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  ...(options.env === undefined ? {} : { env: options.env }),
  ...(options.checkoutRoot === undefined ? {} : { checkoutRoot: options.checkoutRoot })
})

/** One run, decided before anything changes. */
interface Plan {
  readonly from: string
  readonly to: string
  readonly dryRun: boolean
  readonly root: string
  readonly pinsPath: string
  readonly outDir: string
  readonly resolve: ResolveOptions
  readonly renderings: ReadonlyArray<Rendering>
  readonly typecheck: Command
  readonly test: Command
  readonly context: RunContext
  readonly log: (line: string) => void
}

const planOf = (options: RegenerateOptions): Plan => {
  const root = options.root ?? workspaceRoot
  const pinsPath = options.pinsPath ?? defaultPinsPath
  const pins = loadPins(pinsPath)
  const to = pinFor(options.version, pins).version
  if (pins.default === to) throw new AlreadyDefault(to)
  // The pin says which version the build uses: the commands must not be told otherwise.
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.INTERCOM_API_VERSION
  return {
    from: pins.default,
    to,
    dryRun: options.dryRun,
    root,
    pinsPath,
    outDir: options.outDir,
    resolve: resolveOptionsOf(options),
    renderings: (options.renderings ?? bundleRenderings)(to),
    typecheck: options.typecheck ?? defaultTypecheck,
    test: options.test ?? defaultTest,
    context: { root, env, stdio: options.stdio ?? "inherit" },
    log: options.log ?? (() => {})
  }
}

/** The run itself: the pin, the client, the rendered files, the typecheck and the tests. */
const moveTo = async (plan: Plan, pinsText: string): Promise<void> => {
  const { to, log, context } = plan
  writeFileSync(plan.pinsPath, withDefault(pinsText, to))
  log(
    `Set the pinned default to ${to} in ${relative(plan.root, plan.pinsPath)}${plan.dryRun ? " (for this dry run)" : ""}.`
  )
  log(`Generating the client for ${to}…`)
  await generate({ ...plan.resolve, pins: loadPins(plan.pinsPath), version: to, outDir: plan.outDir })
  for (const rendering of plan.renderings) {
    log(`Re-rendering ${rendering.name}…`)
    run(`re-rendering ${rendering.name}`, rendering.command, context)
  }
  log("Typechecking…")
  run("typecheck", plan.typecheck, context)
  log("Running the tests…")
  run("tests", plan.test, context)
}

/** `a`, `a and b`, `a, b and c`. */
const inWords = (names: ReadonlyArray<string>): string =>
  names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`

const failure = (plan: Plan, error: unknown, reportPath: string): RegenerateFailed => {
  const { from, to } = plan
  const message = error instanceof Error ? error.message : String(error)
  const changed = inWords(["the pin", "the generated client", ...plan.renderings.map((each) => each.name)])
  return new RegenerateFailed(
    error instanceof RegenerateFailed ? error.step : "generate",
    `${message}\nNothing changed: ${changed} are back as they were on ${from}. ` +
      `See ${relative(plan.root, reportPath)} for what changed; fix the code with \`INTERCOM_API_VERSION=${to} pnpm test\`, ` +
      `then run \`pnpm regenerate --version ${to}\` again.`
  )
}

export const regenerate = async (options: RegenerateOptions): Promise<RegenerateResult> => {
  const plan = planOf(options)
  const { from, to, dryRun, root, log } = plan
  const pinsText = readFileSync(plan.pinsPath, "utf8")
  const saved = snapshotOf([
    plan.pinsPath,
    ...plan.renderings.flatMap((each) => each.files.map((file) => join(root, file)))
  ])
  const restore = async () => {
    putBack(saved)
    await generate({ ...plan.resolve, pins: loadPins(plan.pinsPath), version: from, outDir: plan.outDir })
  }

  log(`Comparing Intercom ${from} and ${to} for what this integration uses…`)
  const report = await diffVersions(from, to, { ...plan.resolve, pins: loadPins(plan.pinsPath) })
  const reportsDir = options.reportsDir ?? join(specsRoot, "reports")
  const reportPath = join(reportsDir, `${from}-to-${to}.md`)
  const writeReport = () => {
    mkdirSync(reportsDir, { recursive: true })
    writeFileSync(reportPath, renderDiffMarkdown(report))
    log(
      `Wrote ${relative(root, reportPath)} (${report.summary.breaking} breaking, ${report.summary.additive} additive).`
    )
  }

  await whileRunning(() =>
    moveTo(plan, pinsText).catch(async (error: unknown) => {
      writeReport()
      await restore()
      throw failure(plan, error, reportPath)
    })
  )
  writeReport()
  if (dryRun) {
    await restore()
    log(
      `Dry run: every step passed; the pin, the client and the rendered files are back on ${from}, no changeset.`
    )
    return { from, to, dryRun, report, reportPath, changesetPath: undefined }
  }
  const changesetPath = join(options.changesetDir ?? join(root, ".changeset"), `intercom-api-${to}.md`)
  mkdirSync(dirname(changesetPath), { recursive: true })
  writeFileSync(changesetPath, changesetText(report, relative(root, reportPath)))
  log(`Wrote ${relative(root, changesetPath)}.`)
  return { from, to, dryRun, report, reportPath, changesetPath }
}
