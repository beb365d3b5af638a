/**
 * Where the built entries are (see `build.ts`), for whatever runs the bundle the way TaskJuice's runtime
 * would: in a process of its own, from `dist/`. A build older than its sources is refused, naming the
 * source that changed and the command that rebuilds, so a test never runs yesterday's code by mistake.
 */
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The whole-process entries: the runtime, the CLI (`pnpm taskjuice`), and a host process for tests. */
export type BuiltEntryName = "runtime" | "bin" | "host-process"

const packageRoot = fileURLToPath(new URL("../..", import.meta.url))
const rebuild = "pnpm --filter @taskjuice/intercom-bundle build"

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Each source's digest, by its path relative to the package (as esbuild names its inputs). */
export const digestSources = async (
  sources: ReadonlyArray<string>
): Promise<Readonly<Record<string, string>>> =>
  Object.fromEntries(
    await Promise.all(
      sources.map(async (source) => [source, digest(await readFile(join(packageRoot, source)))] as const)
    )
  )

/** The source that differs from what the build was made from, if any. */
const changedSource = (recorded: Readonly<Record<string, string>>): string | undefined => {
  for (const [source, sha256] of Object.entries(recorded)) {
    const path = join(packageRoot, source)
    if (!existsSync(path) || digest(readFileSync(path)) !== sha256) return source
  }
  return undefined
}

/** The absolute path of a built entry, once it is known to be built from the current sources. */
export const builtEntry = (name: BuiltEntryName): string => {
  const entry = join(packageRoot, "dist", `${name}.js`)
  const record = join(packageRoot, "dist", "sources.json")
  if (!existsSync(entry) || !existsSync(record)) {
    throw new Error(`the bundle's dist/${name}.js is not built; run: ${rebuild}`)
  }
  const changed = changedSource(JSON.parse(readFileSync(record, "utf8")) as Record<string, string>)
  if (changed !== undefined) {
    throw new Error(`the bundle's dist/ is older than ${changed}; run: ${rebuild}`)
  }
  return entry
}
