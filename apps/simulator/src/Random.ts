/**
 * A seeded pseudo-random source, so a run with the same seed makes the same fault decisions and the
 * same ids in the same order. Without a seed it starts from a random one.
 */
import { randomBytes } from "node:crypto"

export interface Random {
  /** The seed this source started from (print it to reproduce a run). */
  readonly seed: number
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [0, maxExclusive). */
  readonly int: (maxExclusive: number) => number
  /** `length` lower-case hex digits. */
  readonly hex: (length: number) => string
  /** `length` characters of [a-z0-9], like Intercom's workspace id codes. */
  readonly alphanumeric: (length: number) => string
}

/** FNV-1a, so a seed given as text ("demo") is as good as a number. */
const hashSeed = (seed: number | string): number => {
  if (typeof seed === "number" && Number.isInteger(seed)) return seed >>> 0
  let hash = 0x811c9dc5
  for (const char of String(seed)) {
    hash ^= char.codePointAt(0) ?? 0
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const hexDigits = "0123456789abcdef"
const alphanumericDigits = "abcdefghijklmnopqrstuvwxyz0123456789"

/** mulberry32: tiny, fast and good enough for simulation (not for secrets). */
export const makeRandom = (seed?: number | string): Random => {
  const start = seed === undefined ? randomBytes(4).readUInt32LE(0) : hashSeed(seed)
  let state = start
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive)
  const pick = (alphabet: string, length: number): string => {
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)]
    return out
  }
  return {
    seed: start,
    next,
    int,
    hex: (length) => pick(hexDigits, length),
    alphanumeric: (length) => pick(alphanumericDigits, length)
  }
}
