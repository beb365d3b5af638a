#!/usr/bin/env node
/**
 * `intercom-codegen <command>`: `pnpm generate`, `pnpm codegen …` and `pnpm regenerate …` land here.
 * Commands load their modules lazily, so a mistyped command answers at once.
 */
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { buildVersion, loadPins, pinFor, pinnedVersions, UnknownVersion } from "./Pins.ts"

const defaultOutDir = fileURLToPath(new URL("../../client/src/generated", import.meta.url))

const usage = `Usage: intercom-codegen <command> [options]

Commands:
  generate [--version X] [--out DIR] [--json]   generate the typed client for a pinned version
                                                (default: INTERCOM_API_VERSION, else the pin's default)
  diff <from> <to> [--json]                     what changes between two versions for the operations,
                                                schemas, actions and triggers in specs/intercom/usage.json
  regenerate --version X [--dry-run]            make X the pinned default: diff, regenerate, typecheck,
                                                test, write specs/intercom/reports/<from>-to-<X>.md and a
                                                changeset (--dry-run: no pin edit, no changeset)

Pinned versions: ${pinnedVersions().join(", ")}`

class UsageError extends Error {}

const commands: Record<string, (args: ReadonlyArray<string>) => Promise<void>> = {
  generate: async (args) => {
    const { values } = parseArgs({
      args: [...args],
      options: {
        version: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean", default: false }
      },
      strict: true
    })
    const pins = loadPins()
    const version = pinFor(values.version ?? buildVersion(pins), pins).version
    const { generate } = await import("./Generate.ts")
    const result = await generate({ version, outDir: values.out ?? defaultOutDir })
    if (values.json) {
      console.log(JSON.stringify(result, null, 2))
      return
    }
    const total = Object.values(result.timings).reduce((a, b) => a + b, 0)
    console.log(
      `Generated Intercom ${result.version} (${result.origin}, sha256 ${result.sha256.slice(0, 12)}…): ` +
        `${result.operations} operations, ${result.applied.length} overlay fixes, ${Math.round(total)} ms → ${values.out ?? defaultOutDir}`
    )
  },

  diff: async (args) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true
    })
    const [from, to, ...extra] = positionals
    if (from === undefined || to === undefined || extra.length > 0) {
      throw new UsageError(
        `diff takes two versions, e.g. \`diff 2.11 2.16\`. Pinned versions: ${pinnedVersions().join(", ")}.`
      )
    }
    const pins = loadPins()
    for (const version of [from, to])
      if (pins.versions[version] === undefined) throw new UnknownVersion(version, pinnedVersions(pins))
    const { diffVersions } = await import("./SpecDiff.ts")
    const report = await diffVersions(from, to, { pins })
    if (values.json) {
      console.log(JSON.stringify(report, null, 2))
      return
    }
    const { renderDiffMarkdown } = await import("./DiffMarkdown.ts")
    process.stdout.write(renderDiffMarkdown(report))
  },

  regenerate: async (args) => {
    const { values } = parseArgs({
      args: [...args],
      options: { version: { type: "string" }, "dry-run": { type: "boolean", default: false } },
      strict: true
    })
    if (values.version === undefined) {
      throw new UsageError(`regenerate needs --version X. Pinned versions: ${pinnedVersions().join(", ")}.`)
    }
    const { AlreadyDefault, regenerate } = await import("./Regenerate.ts")
    try {
      const result = await regenerate({
        version: values.version,
        dryRun: values["dry-run"],
        outDir: defaultOutDir,
        log: (line) => console.log(line)
      })
      console.log(
        `${result.dryRun ? "Dry run passed" : "Done"}: Intercom ${result.from} → ${result.to}, ` +
          `${result.report.summary.breaking} breaking and ${result.report.summary.additive} additive changes.`
      )
    } catch (error) {
      if (error instanceof AlreadyDefault) throw new UsageError(error.message)
      throw error
    }
  }
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(usage)
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (command === undefined) {
    console.error(
      `Unknown command "${name}". Valid commands: ${Object.keys(commands).join(", ")}.\n\n${usage}`
    )
    return 2
  }
  try {
    await command(rest)
    return 0
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`intercom-codegen ${name}: ${message}`)
    const usageMistake =
      error instanceof UsageError ||
      error instanceof UnknownVersion ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true
    return usageMistake ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
