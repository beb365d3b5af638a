/**
 * Moves the build to another pinned Intercom version in one step: diff against the current
 * default, update the pin's default, regenerate, typecheck, run the tests, write the diff report
 * and a changeset describing the API change. It succeeds completely or changes nothing but the
 * report: when a check fails, the pin and the generated client go back to the previous version.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
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
}

export interface RegenerateOptions extends ResolveOptions {
  readonly version: string
  /** Everything but editing pins.json and writing the changeset; the client is restored afterwards. */
  readonly dryRun: boolean
  readonly pinsPath?: string
  /** The generated client folder (packages/client/src/generated). */
  readonly outDir: string
  readonly reportsDir?: string
  readonly changesetDir?: string
  /** Where commands run and paths in the report and changeset are relative to. */
  readonly root?: string
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

const run = (
  step: string,
  command: Command,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly stdio: "inherit" | "pipe" }
): void => {
  const result = spawnSync(command.command, [...command.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: options.stdio,
    encoding: "utf8"
  })
  if (result.status === 0) return
  const output =
    options.stdio === "pipe" ? `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n") : []
  const tail = output.length > 0 ? `\n${output.slice(-30).join("\n")}` : ""
  const why = result.error?.message ?? `exit code ${result.status ?? result.signal}`
  throw new RegenerateFailed(
    step,
    `${step} failed (\`${[command.command, ...command.args].join(" ")}\`: ${why})${tail}`
  )
}

export const regenerate = async (options: RegenerateOptions): Promise<RegenerateResult> => {
  const log = options.log ?? (() => {})
  const root = options.root ?? workspaceRoot
  const pinsPath = options.pinsPath ?? defaultPinsPath
  const reportsDir = options.reportsDir ?? join(specsRoot, "reports")
  const changesetDir = options.changesetDir ?? join(root, ".changeset")
  const stdio = options.stdio ?? "inherit"
  const resolve: ResolveOptions = {
    ...(options.specsDir === undefined ? {} : { specsDir: options.specsDir }),
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch })
  }

  const originalPinsText = readFileSync(pinsPath, "utf8")
  const pins = loadPins(pinsPath)
  const from = pins.default
  const to = pinFor(options.version, pins).version
  if (from === to) throw new AlreadyDefault(to)

  log(`Comparing Intercom ${from} and ${to} for what this integration uses…`)
  const report = await diffVersions(from, to, { ...resolve, pins })
  const reportPath = join(reportsDir, `${from}-to-${to}.md`)
  const writeReport = () => {
    mkdirSync(reportsDir, { recursive: true })
    writeFileSync(reportPath, renderDiffMarkdown(report))
    log(
      `Wrote ${relative(root, reportPath)} (${report.summary.breaking} breaking, ${report.summary.additive} additive).`
    )
  }

  // With the pin untouched (dry run), the version reaches turbo and the tests through the environment.
  const env: NodeJS.ProcessEnv = { ...process.env }
  if (options.dryRun) env.INTERCOM_API_VERSION = to
  else delete env.INTERCOM_API_VERSION

  const restore = async () => {
    writeFileSync(pinsPath, originalPinsText)
    await generate({ ...resolve, pins: loadPins(pinsPath), version: from, outDir: options.outDir })
  }

  try {
    if (!options.dryRun) {
      writeFileSync(pinsPath, withDefault(originalPinsText, to))
      log(`Set the pinned default to ${to} in ${relative(root, pinsPath)}.`)
    }
    log(`Generating the client for ${to}…`)
    await generate({ ...resolve, pins: loadPins(pinsPath), version: to, outDir: options.outDir })
    log("Typechecking…")
    run("typecheck", options.typecheck ?? defaultTypecheck, { cwd: root, env, stdio })
    log("Running the tests…")
    run("tests", options.test ?? defaultTest, { cwd: root, env, stdio })
  } catch (error) {
    writeReport()
    await restore()
    const message = error instanceof Error ? error.message : String(error)
    throw new RegenerateFailed(
      error instanceof RegenerateFailed ? error.step : "generate",
      `${message}\nNothing changed: the pin and the generated client are back on ${from}. ` +
        `See ${relative(root, reportPath)} for what changed; fix the code with \`INTERCOM_API_VERSION=${to} pnpm test\`, ` +
        `then run \`pnpm regenerate --version ${to}\` again.`
    )
  }

  writeReport()
  let changesetPath: string | undefined
  if (options.dryRun) {
    await restore()
    log(`Dry run: pins.json untouched, no changeset; the generated client is back on ${from}.`)
  } else {
    changesetPath = join(changesetDir, `intercom-api-${to}.md`)
    mkdirSync(changesetDir, { recursive: true })
    writeFileSync(changesetPath, changesetText(report, relative(root, reportPath)))
    log(`Wrote ${relative(root, changesetPath)}.`)
  }
  return { from, to, dryRun: options.dryRun, report, reportPath, changesetPath }
}
