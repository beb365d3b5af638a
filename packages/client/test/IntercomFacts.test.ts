import { describe, expect, it } from "vitest"
import {
  apiVersion,
  compareVersions,
  intercomIdShapes,
  intercomVersions,
  isIntercomId,
  isIntercomVersion,
  isPathSegmentSafe,
  isPinnedVersion,
  newestPinnedVersion,
  pinnedVersions,
  rateLimitHeaders,
  readRateLimit,
  windowAllowance
} from "../src/index.ts"

describe("Intercom versions and their order", () => {
  it("orders numerically, with Preview and Unstable after every numbered version", () => {
    const shuffled = ["2.11", "Unstable", "2.9", "1.4", "2.10", "Preview", "2.16", "2.0"]
    expect([...shuffled].sort(compareVersions)).toEqual([
      "1.4",
      "2.0",
      "2.9",
      "2.10",
      "2.11",
      "2.16",
      "Unstable",
      "Preview"
    ])
    expect(compareVersions("Preview", "Unstable")).toBe(0)
  })

  it("knows every pinned version, the build's own among them, and what Intercom answers to", () => {
    expect(pinnedVersions).toEqual(["2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16"])
    expect(isPinnedVersion(apiVersion)).toBe(true)
    expect(newestPinnedVersion).toBe("2.16")
    for (const version of [...pinnedVersions, "1.0", "2.0", "2.9", "Preview", "Unstable"]) {
      expect(isIntercomVersion(version), version).toBe(true)
    }
    for (const version of ["9.9", "2.17", "", "latest"])
      expect(isIntercomVersion(version), version).toBe(false)
    expect([...intercomVersions].sort(compareVersions)).toEqual(intercomVersions)
  })
})

describe("rate-limit headers", () => {
  it("reads what it writes", () => {
    const reading = { limit: 167, remaining: 12, resetAt: 1_700_000_010 }
    expect(readRateLimit(new Headers(rateLimitHeaders(reading)))).toEqual(reading)
  })

  it("spreads a per-minute budget over 10-second windows, rounding up as Intercom does", () => {
    expect(windowAllowance(1000)).toBe(167)
    expect(windowAllowance(10_000)).toBe(1667)
    expect(windowAllowance(60)).toBe(10)
    expect(windowAllowance(1)).toBe(1)
  })
})

describe("id shapes", () => {
  it.each([
    ["contact", "667d60968a68186f43bafd9c"],
    ["company", "667d607c8a68186f43bafd1e"],
    ["conversation", "335"],
    ["admin", "991267390"],
    ["tag", "102"],
    ["workspace", "ecahpwf5"],
    ["notification", "notif_9b1f8a9c-1c44-4e6c-a57a-0e0b2e5d1f00"]
  ] as const)("accepts a %s id such as %s", (kind, id) => {
    expect(isIntercomId(kind, id)).toBe(true)
    expect(isPathSegmentSafe(id)).toBe(true)
  })

  it.each([".", "..", "../me", "a/b", "a b", " 335", "335\n", "%2e%2e", ""])(
    "refuses %j for every kind",
    (id) => {
      for (const kind of Object.keys(intercomIdShapes) as Array<keyof typeof intercomIdShapes>) {
        expect(isIntercomId(kind, id), kind).toBe(false)
      }
      expect(isPathSegmentSafe(id)).toBe(false)
    }
  )
})
