/**
 * What one request, one connection and the host's memory may cost, each with a safe default that
 * `serve` can change, and the check that keeps a JSON body's shape within them. The JSON check reads
 * the raw bytes with a small state machine (no recursion, no parse), so a body nested 100,000 levels
 * deep is refused before anything parses, stores or logs it.
 */
import { webhookBodyLimitBytes } from "@taskjuice/intercom-core"
import { defaultInboxLimits } from "@taskjuice/intercom-state"

export interface HostLimits {
  /** Largest request body, in bytes. */
  readonly bodyBytes: number
  /** Deepest nesting of objects and arrays in a JSON body. */
  readonly jsonDepth: number
  /** Most object members plus array elements in a JSON body, counted over the whole document. */
  readonly jsonMembers: number
  /** Time to receive a request's headers, in milliseconds. */
  readonly headersTimeoutMs: number
  /** Time to receive a whole request, headers and body, in milliseconds. */
  readonly requestTimeoutMs: number
  /** Open connections per listener; more are closed as they arrive. */
  readonly connections: number
  /**
   * Bytes of unacknowledged activations the inbox holds (as stored JSON). Nothing is evicted to make
   * room: past it, deliveries are answered 503 (UNAVAILABLE) until the runtime acknowledges some.
   */
  readonly activationBytes: number
}

export const defaultLimits: HostLimits = {
  bodyBytes: webhookBodyLimitBytes,
  jsonDepth: 64,
  jsonMembers: 100_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  connections: 10_000,
  activationBytes: defaultInboxLimits.maxBytes
}

/** The name each limit has in errors, flags and the manifest. */
export type LimitName = keyof HostLimits

/** The `serve` flag that sets each limit. */
export const limitFlags: Readonly<Record<LimitName, string>> = {
  bodyBytes: "--max-body-bytes",
  jsonDepth: "--max-json-depth",
  jsonMembers: "--max-json-members",
  headersTimeoutMs: "--headers-timeout-ms",
  requestTimeoutMs: "--request-timeout-ms",
  connections: "--max-connections",
  activationBytes: "--max-activation-bytes"
}

/** A JSON body over a shape limit: which one, the limit, and where in the body it was crossed. */
export interface JsonShapeExceeded {
  readonly limit: "jsonDepth" | "jsonMembers"
  readonly max: number
  readonly offset: number
}

const quote = 0x22
const backslash = 0x5c
const openBrace = 0x7b
const openBracket = 0x5b
const closeBrace = 0x7d
const closeBracket = 0x5d
const comma = 0x2c
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

/** The offset of the quote that closes the string opened at `open`, or -1. */
const closingQuote = (bytes: Uint8Array, open: number): number => {
  let end = open
  for (;;) {
    end = bytes.indexOf(quote, end + 1)
    if (end === -1) return -1
    let backslashes = 0
    while (bytes[end - 1 - backslashes] === backslash) backslashes++
    if (backslashes % 2 === 0) return end
  }
}

/**
 * Checks nesting depth and member count on the raw bytes. It does not validate JSON (the parser does
 * that afterwards, on a body already known to be shallow and small); it only counts brackets and
 * commas outside strings. Members: for each non-empty object or array, its commas plus one.
 */
export const checkJsonShape = (
  bytes: Uint8Array,
  limits: Pick<HostLimits, "jsonDepth" | "jsonMembers">
): JsonShapeExceeded | undefined => {
  let depth = 0
  let members = 0
  let justOpened = false
  for (let offset = 0; offset < bytes.length; offset++) {
    const byte = bytes[offset]!
    if (isWhitespace(byte)) continue
    if (justOpened) {
      justOpened = false
      if (byte !== closeBrace && byte !== closeBracket) members++
    }
    if (byte === quote) {
      // Strings are most of a body: jump to the closing quote (one not escaped by an odd run of
      // backslashes) with a native search instead of a byte at a time.
      const end = closingQuote(bytes, offset)
      if (end === -1) return undefined // unterminated: the parser refuses it
      offset = end
    } else if (byte === openBrace || byte === openBracket) {
      depth++
      if (depth > limits.jsonDepth) return { limit: "jsonDepth", max: limits.jsonDepth, offset }
      justOpened = true
    } else if (byte === closeBrace || byte === closeBracket) depth--
    else if (byte === comma && depth > 0) members++
    if (members > limits.jsonMembers) return { limit: "jsonMembers", max: limits.jsonMembers, offset }
  }
  return undefined
}
