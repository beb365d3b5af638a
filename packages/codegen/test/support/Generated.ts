/** Reads what the global setup generated: the patched document of a version, or its folder. */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { inject } from "vitest"
import type { GeneratedVersion } from "./GenerateAll.ts"

export const generatedVersion = (version: string): GeneratedVersion => {
  const found = inject("generated").find((entry) => entry.version === version)
  if (found === undefined) throw new Error(`The global setup did not generate Intercom ${version}`)
  if (found.error !== undefined) throw new Error(`Generating Intercom ${version} failed: ${found.error}`)
  return found
}

const documents = new Map<string, Record<string, unknown>>()

/** The overlay-patched, validated document of a version: the `spec.json` the generator wrote. */
export const patchedDocument = (version: string): Record<string, unknown> => {
  let document = documents.get(version)
  if (document === undefined) {
    document = JSON.parse(
      readFileSync(join(generatedVersion(version).outDir, "spec.json"), "utf8")
    ) as Record<string, unknown>
    documents.set(version, document)
  }
  return document
}
