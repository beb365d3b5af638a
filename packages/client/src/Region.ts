/**
 * Intercom hosts each workspace in one region; every region has its own API host.
 */
export type Region = "us" | "eu" | "au"

export const regions: ReadonlyArray<Region> = ["us", "eu", "au"]

export const apiHosts: Readonly<Record<Region, string>> = {
  us: "https://api.intercom.io",
  eu: "https://api.eu.intercom.io",
  au: "https://api.au.intercom.io"
}

/** Where a person approves an OAuth app; the code exchange goes to the region's API host. */
export const oauthAuthorizeUrls: Readonly<Record<Region, string>> = {
  us: "https://app.intercom.com/oauth",
  eu: "https://app.eu.intercom.com/oauth",
  au: "https://app.au.intercom.com/oauth"
}

/**
 * Reads `app.region` from `GET /me`. Intercom documents only "US"; EU workspaces have been seen to
 * answer "Europe", so names are matched loosely. Unknown values yield `undefined`, never a guess.
 */
export const regionFromAppRegion = (value: string | null | undefined): Region | undefined => {
  const normalized = value?.trim().toLowerCase()
  if (normalized === undefined || normalized === "") return undefined
  if (["us", "usa", "united states"].includes(normalized)) return "us"
  if (["eu", "europe", "ie", "ireland"].includes(normalized)) return "eu"
  if (["au", "australia"].includes(normalized)) return "au"
  return undefined
}
