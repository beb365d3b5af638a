/**
 * The pinned descriptions the twin serves, one per version, as the simulator's `generate` step wrote
 * them (`src/generated/descriptions/`: every pin resolved and patched by the codegen's `prepareSpec`).
 * Each is read and compiled on first use, once per process: a compiled version never changes, so the
 * simulators of one process (a test suite starts dozens) share it; the operation tables are small and
 * read at start.
 */
import { readFileSync } from "node:fs"
import { isPinnedVersion, pinnedVersions } from "@taskjuice/intercom-client"
import type { OpenApiDocument } from "./SpecSchemas.ts"
import { VersionSpec } from "./VersionSpec.ts"

export interface OperationEntry {
  readonly method: string
  readonly path: string
}

/** Per version, operationId → method and path template. */
export type OperationTables = Readonly<Record<string, Readonly<Record<string, OperationEntry>>>>

const folder = new URL("../generated/descriptions/", import.meta.url)

/** The descriptions were never generated (a fresh checkout before `pnpm generate`). */
export class DescriptionsMissing extends Error {
  override readonly name = "DescriptionsMissing"
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(new URL(file, folder), "utf8"))
  } catch (error) {
    throw new DescriptionsMissing(
      `The simulator's descriptions are missing (${new URL(file, folder).pathname}): run \`pnpm generate\` first (${(error as Error).message})`
    )
  }
}

/** Compiled versions and the operation tables, shared by every simulator of the process. */
const loaded = new Map<string, VersionSpec>()
let tables: OperationTables | undefined

export class Descriptions {
  /** Every version served, oldest first. */
  readonly versions: ReadonlyArray<string> = pinnedVersions
  readonly operations: OperationTables

  constructor() {
    tables ??= readJson("operations.json") as OperationTables
    this.operations = tables
  }

  /** Whether the twin holds a description of that version. */
  serves(version: string): boolean {
    return isPinnedVersion(version)
  }

  /** One version's description, compiled on first use. */
  get(version: string): VersionSpec {
    let spec = loaded.get(version)
    if (spec === undefined) {
      if (!this.serves(version)) throw new RangeError(`No pinned description of Intercom ${version}`)
      spec = new VersionSpec(version, readJson(`${version}.json`) as OpenApiDocument)
      loaded.set(version, spec)
    }
    return spec
  }
}
