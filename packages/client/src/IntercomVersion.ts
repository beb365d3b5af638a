/**
 * Intercom's API versions and their order: the one home of that fact for the core, the bundle and the
 * simulator. Intercom serves every version at once, chosen per request by the `Intercom-Version`
 * header (the app's configured version applies without it); this build's own is `apiVersion`.
 */
import { apiVersion, defaultPinnedVersion, describedVersions, pinnedVersions } from "./generated/version.ts"

export { apiVersion, defaultPinnedVersion, pinnedVersions }

/** The header that selects the version of one request. */
export const versionHeader = "Intercom-Version"

/** Intercom's names for its moving, newest version; both sort after every numbered one. */
export const namedVersions: ReadonlyArray<string> = ["Preview", "Unstable"]

const parts = (version: string): readonly [number, number] => {
  if (namedVersions.includes(version)) return [Number.POSITIVE_INFINITY, 0]
  const [major, minor] = version.split(".").map(Number)
  return [major ?? 0, minor ?? 0]
}

/** Orders "2.9" before "2.11" (numerically, not as text), and Preview or Unstable after all numbered versions. */
export const compareVersions = (left: string, right: string): number => {
  const [leftMajor, leftMinor] = parts(left)
  const [rightMajor, rightMinor] = parts(right)
  if (leftMajor !== rightMajor) return leftMajor < rightMajor ? -1 : 1
  if (leftMinor !== rightMinor) return leftMinor < rightMinor ? -1 : 1
  return 0
}

/** Whether `version` is `floor` or newer. */
export const isAtLeast = (version: string, floor: string): boolean => compareVersions(version, floor) >= 0

/**
 * Every `Intercom-Version` Intercom answers to, oldest first: what this build's description lists
 * (1.0 to its own, and a named one) together with every pinned version, since Intercom serves the newer
 * ones too.
 */
export const intercomVersions: ReadonlyArray<string> = [
  ...new Set([...describedVersions, ...pinnedVersions, ...namedVersions])
].sort(compareVersions)

/** Whether Intercom has a version of that name. */
export const isIntercomVersion = (version: string): boolean => intercomVersions.includes(version)

/** Whether we hold a pinned description of that version (and so can type, validate and serve it). */
export const isPinnedVersion = (version: string): version is (typeof pinnedVersions)[number] =>
  (pinnedVersions as ReadonlyArray<string>).includes(version)

/** The newest pinned version. */
export const newestPinnedVersion: string = [...pinnedVersions].sort(compareVersions).at(-1) ?? apiVersion
