/**
 * `Intercom-Version`: which versions the simulator answers, and how a version changes the shape of
 * what it returns. Only the differences that touch the operations the integration uses are modelled
 * (see shared research §6): each flag below names one of them.
 */

export interface VersionProfile {
  readonly version: string
  /** 2.16 turned `contact.owner_id` from an integer into a string. */
  readonly ownerIdAsString: boolean
  /** 2.16 replaced `priority|not_priority` with `none|low|medium|high|urgent`. */
  readonly priorityLevels: boolean
  /** 2.16 answers `0` for an unassigned conversation instead of `null`. */
  readonly unassignedAsZero: boolean
  /** `formatted_phone` exists only in 2.11 and Preview. */
  readonly formattedPhone: boolean
  /** 2.12+ add `enabled_push_messaging` to the contact responses. */
  readonly enabledPushMessaging: boolean
}

/** Versions Intercom calls by name rather than number; both mean "newest". */
const previewNames = new Set(["Preview", "Unstable"])

/** `[major, minor]`; Preview sorts after every numbered version. */
const parse = (version: string): readonly [number, number] => {
  if (previewNames.has(version)) return [Number.MAX_SAFE_INTEGER, 0]
  const [major, minor] = version.split(".").map(Number)
  return [major ?? 0, minor ?? 0]
}

export const compareVersions = (a: string, b: string): number => {
  const [aMajor, aMinor] = parse(a)
  const [bMajor, bMinor] = parse(b)
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor
}

const atLeast = (version: string, floor: string): boolean => compareVersions(version, floor) >= 0

export const versionProfile = (version: string): VersionProfile => ({
  version,
  ownerIdAsString: atLeast(version, "2.16"),
  priorityLevels: atLeast(version, "2.16"),
  unassignedAsZero: atLeast(version, "2.16"),
  formattedPhone: version === "2.11" || previewNames.has(version),
  enabledPushMessaging: atLeast(version, "2.12")
})

/**
 * Whether a version can be served: it must be one the spec's `intercom_version` enum knows (or
 * Preview), and 2.0 or later, because the Contacts API the integration uses begins at 2.0.
 */
export const isServableVersion = (version: string, known: ReadonlySet<string>): boolean =>
  (known.has(version) || previewNames.has(version)) && atLeast(version, "2.0")
