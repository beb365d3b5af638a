/**
 * Signing and verifying Intercom webhook deliveries: one symmetric module, shared by the simulator (which
 * signs) and the TaskJuice bundle (which verifies).
 *
 * Intercom signs with HMAC-SHA1 of the raw body keyed by the app's client secret and sends
 * `X-Hub-Signature: sha1=<hex>`. TaskJuice's docs promise an HMAC-SHA256 hex digest, which we accept as
 * `X-Hub-Signature-256: sha256=<hex>`. Verification runs on the raw bytes, before any parsing.
 *
 * Rules when verifying:
 * - The headers considered are every signature header present; with `requireSha256` only
 *   `x-hub-signature-256` is considered (a SHA-1 header is then neither needed nor trusted).
 * - Every considered header must verify, and all with the same secret: a valid SHA-1 signature cannot
 *   vouch for a tampered SHA-256 one (no downgrade by adding or keeping a weaker header).
 * - Each header carries exactly one algorithm, named by the header (`sha1` in `x-hub-signature`,
 *   `sha256` in `x-hub-signature-256`), as lower- or upper-case hex of the exact digest length.
 * - Several secrets may be given so a client secret can be rotated; empty secrets never verify.
 * - Digests are compared in constant time.
 *
 * @since 0.1.0
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * The HMAC algorithms a delivery can be signed with.
 *
 * @since 0.1.0
 * @category models
 */
export type SignatureAlgorithm = "sha1" | "sha256"

/**
 * The header carrying each algorithm's signature (lower-case, as Node and `Headers` present them).
 * `sha1` is what Intercom really sends; `sha256` is what TaskJuice's docs promise.
 *
 * @since 0.1.0
 * @category constants
 */
export const signatureHeaders = {
  sha1: "x-hub-signature",
  sha256: "x-hub-signature-256"
} as const satisfies Record<SignatureAlgorithm, string>

/**
 * A signature header name.
 *
 * @since 0.1.0
 * @category models
 */
export type SignatureHeader = (typeof signatureHeaders)[SignatureAlgorithm]

const digestHexLength: Record<SignatureAlgorithm, number> = { sha1: 40, sha256: 64 }

/**
 * The incoming request headers, in any of the usual shapes: a fetch `Headers` (or anything with `get`),
 * or a record such as Node's `IncomingHttpHeaders`. Look-ups are case-insensitive.
 *
 * @since 0.1.0
 * @category models
 */
export type WebhookHeaders =
  | { readonly get: (name: string) => string | null }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * What a verification may additionally demand.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerificationPolicy {
  /** Accept only `x-hub-signature-256`; a delivery with only a SHA-1 signature is rejected. */
  readonly requireSha256?: boolean | undefined
}

/**
 * No signature header was present (or, under `requireSha256`, no SHA-256 one).
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingHeader extends Data.TaggedClass("MissingHeader")<{
  /** The headers that were looked for. */
  readonly headers: ReadonlyArray<SignatureHeader>
  readonly requiredByPolicy: boolean
}> {
  /** A resend of the same request fails the same way. */
  readonly retryable = false
}

/**
 * A signature header is present but is not `<algorithm>=<hex digest>` (empty, repeated, no `=`,
 * wrong length or not hex).
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedHeader extends Data.TaggedClass("MalformedHeader")<{
  readonly header: SignatureHeader
  readonly problem: string
}> {
  readonly retryable = false
}

/**
 * A signature header names an algorithm other than the one its header carries.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownAlgorithm extends Data.TaggedClass("UnknownAlgorithm")<{
  readonly header: SignatureHeader
  /** The algorithm the header named, as sent (at most 32 characters). */
  readonly algorithm: string
  readonly expected: SignatureAlgorithm
}> {
  readonly retryable = false
}

/**
 * Well-formed signatures that no configured secret reproduces: the body, a header or the secret differ.
 *
 * @since 0.1.0
 * @category errors
 */
export class Mismatch extends Data.TaggedClass("Mismatch")<{
  readonly headers: ReadonlyArray<SignatureHeader>
  readonly secretsTried: number
}> {
  readonly retryable = false
}

/**
 * Why a delivery's signature was refused.
 *
 * @since 0.1.0
 * @category errors
 */
export type WebhookSignatureReason = MissingHeader | MalformedHeader | UnknownAlgorithm | Mismatch

/**
 * A delivery failed signature verification. Never carries a secret or a digest, only header names and
 * what was wrong with them.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookSignatureError extends Data.TaggedError("WebhookSignatureError")<{
  readonly reason: WebhookSignatureReason
}> {
  get retryable(): boolean {
    return this.reason.retryable
  }

  override get message(): string {
    return describeSignatureReason(this.reason)
  }
}

const keyOf = (secret: Redacted.Redacted<string> | string): string =>
  typeof secret === "string" ? secret : Redacted.value(secret)

const hmac = (algorithm: SignatureAlgorithm, key: string, body: Uint8Array | string): Buffer =>
  createHmac(algorithm, key).update(body).digest()

/**
 * Signs a body as Intercom does: the value for `signatureHeaders[algorithm]`, e.g. `sha1=<40 hex>`.
 * Sign the exact bytes you send.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string> | string,
  algorithm: SignatureAlgorithm
): string => `${algorithm}=${hmac(algorithm, keyOf(secret), body).toString("hex")}`

/**
 * Both signature headers for a body, ready to merge into a request (what the simulator sends when asked
 * to sign with both schemes).
 *
 * @since 0.1.0
 * @category signing
 */
export const signAll = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string> | string,
  algorithms: ReadonlyArray<SignatureAlgorithm> = ["sha1", "sha256"]
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const algorithm of algorithms) headers[signatureHeaders[algorithm]] = sign(body, secret, algorithm)
  return headers
}

type HeaderValue = string | ReadonlyArray<string> | undefined

const readHeader = (headers: WebhookHeaders, name: string): HeaderValue => {
  if (typeof headers.get === "function")
    return (headers.get as (name: string) => string | null)(name) ?? undefined
  const record = headers as Readonly<Record<string, HeaderValue>>
  const direct = record[name]
  if (direct !== undefined) return direct
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key]
  return undefined
}

type Secrets = Redacted.Redacted<string> | NonEmptyReadonlyArray<Redacted.Redacted<string>>

const isSecretList = (secrets: Secrets): secrets is NonEmptyReadonlyArray<Redacted.Redacted<string>> =>
  Array.isArray(secrets)

const hexDigest = /^[0-9a-fA-F]+$/

interface ParsedSignature {
  readonly algorithm: SignatureAlgorithm
  readonly header: SignatureHeader
  readonly digest: Buffer
}

const parseHeader = (
  algorithm: SignatureAlgorithm,
  raw: string | ReadonlyArray<string>
): ParsedSignature | MalformedHeader | UnknownAlgorithm => {
  const header = signatureHeaders[algorithm]
  if (typeof raw !== "string") {
    if (raw.length !== 1) return new MalformedHeader({ header, problem: `sent ${raw.length} times` })
    raw = raw[0]!
  }
  const value = raw.trim()
  if (value === "") return new MalformedHeader({ header, problem: "empty" })
  if (value.includes(",")) return new MalformedHeader({ header, problem: "holds more than one value" })
  const separator = value.indexOf("=")
  if (separator <= 0) return new MalformedHeader({ header, problem: `expected "${algorithm}=<hex digest>"` })
  const named = value.slice(0, separator).toLowerCase()
  if (named !== algorithm)
    return new UnknownAlgorithm({ header, algorithm: named.slice(0, 32), expected: algorithm })
  const hex = value.slice(separator + 1)
  if (hex.length !== digestHexLength[algorithm] || !hexDigest.test(hex)) {
    return new MalformedHeader({
      header,
      problem: `expected ${digestHexLength[algorithm]} hex characters after "${algorithm}=", got ${hex.length} characters`
    })
  }
  return { algorithm, header, digest: Buffer.from(hex, "hex") }
}

/**
 * The synchronous core of {@link verifySignature}: the algorithms verified, or why not.
 *
 * @since 0.1.0
 * @category verifying
 */
export const checkSignature = (
  body: Uint8Array,
  headers: WebhookHeaders,
  secrets: Secrets,
  policy?: VerificationPolicy
): ReadonlyArray<SignatureAlgorithm> | WebhookSignatureError => {
  const requireSha256 = policy?.requireSha256 === true
  const considered: ReadonlyArray<SignatureAlgorithm> = requireSha256 ? ["sha256"] : ["sha256", "sha1"]
  const signatures: Array<ParsedSignature> = []
  for (const algorithm of considered) {
    const raw = readHeader(headers, signatureHeaders[algorithm])
    if (raw === undefined) continue
    const parsed = parseHeader(algorithm, raw)
    if (parsed instanceof MalformedHeader || parsed instanceof UnknownAlgorithm) {
      return new WebhookSignatureError({ reason: parsed })
    }
    signatures.push(parsed)
  }
  if (signatures.length === 0) {
    return new WebhookSignatureError({
      reason: new MissingHeader({
        headers: considered.map((a) => signatureHeaders[a]),
        requiredByPolicy: requireSha256
      })
    })
  }
  const keys = (isSecretList(secrets) ? secrets : [secrets]).map((secret) => Redacted.value(secret))
  for (const key of keys) {
    if (key === "") continue
    let allMatch = true
    for (const signature of signatures) {
      // Evaluate every header even after a miss so timing does not reveal which one failed.
      allMatch = timingSafeEqual(hmac(signature.algorithm, key, body), signature.digest) && allMatch
    }
    if (allMatch) return signatures.map((s) => s.algorithm)
  }
  return new WebhookSignatureError({
    reason: new Mismatch({ headers: signatures.map((s) => s.header), secretsTried: keys.length })
  })
}

/**
 * Verifies a delivery's signature on its raw body bytes, before anything parses them. Succeeds with the
 * algorithms that were verified; fails with a {@link WebhookSignatureError} whose reason says what was
 * wrong. See the module header for the rules.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verifySignature = (
  body: Uint8Array,
  headers: WebhookHeaders,
  secrets: Redacted.Redacted<string> | NonEmptyReadonlyArray<Redacted.Redacted<string>>,
  policy?: VerificationPolicy
): Effect.Effect<ReadonlyArray<SignatureAlgorithm>, WebhookSignatureError> =>
  Effect.suspend(() => {
    const result = checkSignature(body, headers, secrets, policy)
    return result instanceof WebhookSignatureError ? Effect.fail(result) : Effect.succeed(result)
  })

function describeSignatureReason(reason: WebhookSignatureReason): string {
  switch (reason._tag) {
    case "MissingHeader":
      return reason.requiredByPolicy
        ? `Webhook signature missing: ${reason.headers.join(", ")} is required by policy`
        : `Webhook signature missing: expected ${reason.headers.join(" or ")}`
    case "MalformedHeader":
      return `Webhook signature header ${reason.header} is malformed: ${reason.problem}`
    case "UnknownAlgorithm":
      return `Webhook signature header ${reason.header} names algorithm "${reason.algorithm}", expected "${reason.expected}"`
    case "Mismatch":
      return `Webhook signature does not match (${reason.headers.join(", ")}; ${reason.secretsTried} secret(s) tried)`
  }
}
