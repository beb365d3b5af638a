/**
 * Finds the bytes of a pinned description and proves they are the pinned ones. A local mirror
 * wins: `INTERCOM_SPECS_DIR` if set, else `../shared/specs/intercom` beside the checkout when it
 * holds the version (so `pnpm generate` works offline without `./dev`); otherwise a verified
 * download cache; otherwise the pinned URL. Whatever the source, a file whose sha256 differs from
 * the pin is refused, never used.
 */
import { createHash } from "node:crypto"
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { SpecPin } from "./Pins.ts"

export type SpecOrigin = "mirror" | "cache" | "download"

export interface ResolvedSpec {
  readonly pin: SpecPin
  readonly text: string
  readonly sha256: string
  readonly origin: SpecOrigin
  readonly location: string
}

export interface ResolveOptions {
  /**
   * Folder holding `<version>/api.intercom.io.yaml`; defaults to `INTERCOM_SPECS_DIR`, else the
   * mirror beside the checkout. `null` ignores any mirror and goes to the download cache and the
   * pinned URL.
   */
  readonly specsDir?: string | null | undefined
  /** Where `INTERCOM_SPECS_DIR` is read; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv
  /** The checkout whose sibling `shared/specs/intercom` is the default mirror; defaults to this repository. */
  readonly checkoutRoot?: string
  /** Where verified downloads are kept; defaults to `.cache/specs` at the repository root. */
  readonly cacheDir?: string
  readonly fetch?: typeof globalThis.fetch
}

export class SpecHashMismatch extends Error {
  readonly _tag = "SpecHashMismatch"
  readonly expected: string
  readonly actual: string
  readonly location: string
  constructor(pin: SpecPin, actual: string, location: string) {
    super(
      `Intercom ${pin.version} description at ${location} does not match its pin: expected sha256 ${pin.sha256}, got ${actual}. ` +
        "Refusing to use an unpinned file; fix the mirror or update specs/intercom/pins.json on purpose."
    )
    this.expected = pin.sha256
    this.actual = actual
    this.location = location
  }
}

export class SpecMirrorMissing extends Error {
  readonly _tag = "SpecMirrorMissing"
  readonly location: string
  constructor(pin: SpecPin, location: string, specsDir: string) {
    super(
      `Intercom ${pin.version} description not found at ${location} (INTERCOM_SPECS_DIR=${specsDir}). ` +
        "Point INTERCOM_SPECS_DIR at a folder with <version>/api.intercom.io.yaml, or unset it to download the pinned file."
    )
    this.location = location
  }
}

export class SpecDownloadFailed extends Error {
  readonly _tag = "SpecDownloadFailed"
  readonly url: string
  constructor(pin: SpecPin, reason: string) {
    super(
      `Could not download the Intercom ${pin.version} description from ${pin.url}: ${reason}. ` +
        "Put a mirror of the descriptions beside the checkout (../shared/specs/intercom/<version>/api.intercom.io.yaml), or set INTERCOM_SPECS_DIR to one."
    )
    this.url = pin.url
  }
}

export const sha256Hex = (bytes: Uint8Array | string): string =>
  createHash("sha256").update(bytes).digest("hex")

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))
const defaultCacheDir = join(repositoryRoot, ".cache", "specs")

/** The mirror that sits beside a checkout: `<checkout>/../shared/specs/intercom`. */
export const siblingSpecsDir = (checkoutRoot: string = repositoryRoot): string =>
  join(checkoutRoot, "..", "shared", "specs", "intercom")

const readIfPresent = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const verified = (pin: SpecPin, bytes: Buffer, origin: SpecOrigin, location: string): ResolvedSpec => {
  const actual = sha256Hex(bytes)
  if (actual !== pin.sha256) throw new SpecHashMismatch(pin, actual, location)
  return { pin, text: bytes.toString("utf8"), sha256: actual, origin, location }
}

const specFileIn = (specsDir: string, pin: SpecPin): string =>
  join(specsDir, pin.version, "api.intercom.io.yaml")

/** The mirror's copy of the pin: an explicit mirror must hold it; the one beside the checkout may not. */
const fromMirror = (pin: SpecPin, options: ResolveOptions): ResolvedSpec | undefined => {
  if (options.specsDir === null) return undefined
  const explicit = options.specsDir ?? ((options.env ?? process.env).INTERCOM_SPECS_DIR || undefined)
  if (explicit !== undefined) {
    const location = specFileIn(explicit, pin)
    const bytes = readIfPresent(location)
    if (bytes === undefined) throw new SpecMirrorMissing(pin, location, explicit)
    return verified(pin, bytes, "mirror", location)
  }
  const location = specFileIn(siblingSpecsDir(options.checkoutRoot), pin)
  const bytes = readIfPresent(location)
  return bytes === undefined ? undefined : verified(pin, bytes, "mirror", location)
}

export const resolveSpec = async (pin: SpecPin, options: ResolveOptions = {}): Promise<ResolvedSpec> => {
  const mirrored = fromMirror(pin, options)
  if (mirrored !== undefined) return mirrored

  const cacheDir = options.cacheDir ?? defaultCacheDir
  const cached = join(cacheDir, pin.version, `${pin.sha256}.yaml`)
  const cachedBytes = readIfPresent(cached)
  if (cachedBytes !== undefined) return verified(pin, cachedBytes, "cache", cached)

  const doFetch = options.fetch ?? globalThis.fetch
  let bytes: Buffer
  try {
    const response = await doFetch(pin.url, { signal: AbortSignal.timeout(30_000) })
    if (!response.ok) throw new SpecDownloadFailed(pin, `HTTP ${response.status}`)
    bytes = Buffer.from(await response.arrayBuffer())
  } catch (error) {
    if (error instanceof SpecDownloadFailed) throw error
    throw new SpecDownloadFailed(pin, error instanceof Error ? error.message : String(error))
  }
  const spec = verified(pin, bytes, "download", pin.url)
  mkdirSync(join(cacheDir, pin.version), { recursive: true })
  writeFileSync(`${cached}.tmp`, bytes)
  renameSync(`${cached}.tmp`, cached)
  return spec
}
