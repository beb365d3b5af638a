/**
 * Vitest global setup: generates every pinned version once into a temporary folder and hands the
 * outcome to the test files, so that no file pays for generation again. A failure is recorded,
 * not thrown, so that the test for that version fails with the generator's own message.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { generate } from "../../src/Generate.ts"
import { pinnedVersions } from "../../src/Pins.ts"

export interface GeneratedVersion {
  readonly version: string
  readonly outDir: string
  readonly error?: string
  readonly operations?: number
  readonly totalMs?: number
}

declare module "vitest" {
  export interface ProvidedContext {
    readonly generated: ReadonlyArray<GeneratedVersion>
    readonly generatedRoot: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), "intercom-codegen-test-"))
  const generated: Array<GeneratedVersion> = []
  for (const version of pinnedVersions()) {
    const outDir = join(root, version)
    try {
      const result = await generate({ version, outDir })
      generated.push({
        version,
        outDir,
        operations: result.operations,
        totalMs: Object.values(result.timings).reduce((a, b) => a + b, 0)
      })
    } catch (error) {
      generated.push({ version, outDir, error: error instanceof Error ? error.message : String(error) })
    }
  }
  project.provide("generated", generated)
  project.provide("generatedRoot", root)
  return () => rmSync(root, { recursive: true, force: true })
}
