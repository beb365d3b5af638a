#!/usr/bin/env node
/**
 * `intercom-codegen <command>`: `pnpm generate`, `pnpm codegen …` and `pnpm regenerate …` land here.
 */
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { generate } from "./Generate.ts"
import { buildVersion, loadPins, pinnedVersions, UnknownVersion } from "./Pins.ts"

const defaultOutDir = fileURLToPath(new URL("../../client/src/generated", import.meta.url))

const usage = `Usage: intercom-codegen <command> [options]

Commands:
  generate [--version X] [--out DIR] [--json]   generate the typed client for a pinned version
                                                (default: INTERCOM_API_VERSION, else the pin's default)

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
    const version = values.version ?? buildVersion(pins)
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
