/**
 * The pinned Intercom OpenAPI descriptions (`specs/intercom/pins.json`): which versions exist,
 * where each one comes from, its sha256, the overlays that fix it, and the build's version.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export interface SpecPin {
  readonly version: string
  readonly url: string
  readonly sha256: string
  /** Overlay names, applied in order, from `specs/intercom/overlays/<name>.yaml`. */
  readonly overlays: ReadonlyArray<string>
}

export interface Pins {
  readonly source: { readonly repository: string; readonly commit: string }
  /** The version the whole build uses unless `INTERCOM_API_VERSION` says otherwise. */
  readonly default: string
  readonly versions: Readonly<Record<string, Omit<SpecPin, "version">>>
}

export const specsRoot: string = fileURLToPath(new URL("../../../specs/intercom/", import.meta.url))
export const pinsPath: string = `${specsRoot}pins.json`

export class UnknownVersion extends Error {
  readonly _tag = "UnknownVersion"
  readonly version: string
  readonly known: ReadonlyArray<string>
  constructor(version: string, known: ReadonlyArray<string>) {
    super(`Unknown Intercom API version "${version}". Pinned versions: ${known.join(", ")}.`)
    this.version = version
    this.known = known
  }
}

export const loadPins = (path: string = pinsPath): Pins => JSON.parse(readFileSync(path, "utf8")) as Pins

export const pinnedVersions = (pins: Pins = loadPins()): ReadonlyArray<string> => Object.keys(pins.versions)

export const pinFor = (version: string, pins: Pins = loadPins()): SpecPin => {
  const pin = pins.versions[version]
  if (pin === undefined) throw new UnknownVersion(version, pinnedVersions(pins))
  return { version, ...pin }
}

/** The version this build targets: `INTERCOM_API_VERSION`, else the pinned default. */
export const buildVersion = (pins: Pins = loadPins(), env: NodeJS.ProcessEnv = process.env): string => {
  const version = env.INTERCOM_API_VERSION?.trim() || pins.default
  return pinFor(version, pins).version
}
