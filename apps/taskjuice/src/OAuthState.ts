/**
 * The OAuth `state` value: Intercom echoes it back on the redirect, and the callback accepts only a
 * state this bundle issued (HMAC-signed), that has not expired, and that has not been used before.
 * That defeats forged and replayed callbacks (CSRF) without any session store shared between hosts
 * beyond the used-nonce set. The signing key is derived from the client secret, so there is no
 * second secret to configure, and the state itself carries nothing secret.
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { Region } from "@taskjuice/intercom-client"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"

/** What the callback needs to know about the authorization it completes. */
export interface OAuthStateClaims {
  readonly region: Region
  /** Reconnecting an existing connection keeps its id (and must land on the same workspace). */
  readonly connectionId?: string | undefined
  /** The runtime's own binding (e.g. the TaskJuice workspace or user), handed back unchanged. */
  readonly context?: string | undefined
  /**
   * The browser that started the flow: a digest of the secret in its signed cookie. The callback
   * must come with that cookie, so a link started elsewhere cannot be completed here (login CSRF).
   */
  readonly browser?: string | undefined
}

const stateFailureMessages = {
  Missing: "The OAuth callback carries no state.",
  Malformed: "The OAuth state is not one this bundle issues.",
  Mismatch: "The OAuth state's signature does not match: it was not issued by this bundle.",
  Expired: "The OAuth state has expired; start the connection again.",
  Reused: "The OAuth state was already used; start the connection again."
} as const

export class OAuthStateInvalid extends Data.TaggedError("OAuthStateInvalid")<{
  readonly reason: keyof typeof stateFailureMessages
}> {
  override get message(): string {
    return stateFailureMessages[this.reason]
  }
}

/** Long enough for a person to sign in and approve; Intercom's code itself lives about 5 minutes. */
export const defaultStateLifetime = Duration.minutes(10)

const regionValues: ReadonlyArray<string> = ["us", "eu", "au"]

interface Payload {
  readonly n: string
  readonly e: number
  readonly r: Region
  readonly k?: string
  readonly c?: string
  readonly b?: string
}

const isPayload = (value: unknown): value is Payload => {
  if (typeof value !== "object" || value === null) return false
  const record = value as Record<string, unknown>
  return (
    typeof record.n === "string" &&
    typeof record.e === "number" &&
    typeof record.r === "string" &&
    regionValues.includes(record.r) &&
    (record.k === undefined || typeof record.k === "string") &&
    (record.c === undefined || typeof record.c === "string") &&
    (record.b === undefined || typeof record.b === "string")
  )
}

export interface OAuthStates {
  readonly issue: (claims: OAuthStateClaims, nowMs: number) => string
  /** Checks the state and consumes it: a second call with the same state fails with `Reused`. */
  readonly consume: (state: string | null | undefined, nowMs: number) => OAuthStateClaims | OAuthStateInvalid
}

/** Keys derived from the client secret, one per purpose, so a value signed for one is no good for another. */
export const derivedKey = (clientSecret: Redacted.Redacted<string>, purpose: string): Buffer =>
  createHmac("sha256", Redacted.value(clientSecret)).update(`taskjuice-intercom/${purpose}/v1`).digest()

export const makeOAuthStates = (options: {
  readonly clientSecret: Redacted.Redacted<string>
  readonly lifetime?: Duration.Input
  /** What the signed values are for (the OAuth state, or the runtime's start ticket). */
  readonly purpose?: string
}): OAuthStates => {
  const key = derivedKey(options.clientSecret, options.purpose ?? "oauth-state")
  const lifetimeMs = Duration.toMillis(Duration.fromInputUnsafe(options.lifetime ?? defaultStateLifetime))
  const used = new Map<string, number>()
  const signature = (body: string) => createHmac("sha256", key).update(body).digest()

  // Nonces are kept in the order they were used, and each expires at most one lifetime after its use,
  // so forgetting can stop at the first live one: an expired nonce behind it goes within a lifetime
  // (an expired state is refused before the set is consulted), and no callback scans the whole set.
  const forgetExpired = (nowMs: number) => {
    for (const [nonce, expiresAt] of used) {
      if (expiresAt > nowMs) break
      used.delete(nonce)
    }
  }

  return {
    issue: (claims, nowMs) => {
      const payload: Payload = {
        n: randomBytes(16).toString("base64url"),
        e: nowMs + lifetimeMs,
        r: claims.region,
        ...(claims.connectionId === undefined ? {} : { k: claims.connectionId }),
        ...(claims.context === undefined ? {} : { c: claims.context }),
        ...(claims.browser === undefined ? {} : { b: claims.browser })
      }
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url")
      return `${body}.${signature(body).toString("base64url")}`
    },
    consume: (state, nowMs) => {
      if (state === null || state === undefined || state === "")
        return new OAuthStateInvalid({ reason: "Missing" })
      const [body, mac, ...rest] = state.split(".")
      if (body === undefined || mac === undefined || rest.length > 0)
        return new OAuthStateInvalid({ reason: "Malformed" })
      const expected = signature(body)
      const given = Buffer.from(mac, "base64url")
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return new OAuthStateInvalid({ reason: "Mismatch" })
      }
      let payload: unknown
      try {
        payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"))
      } catch {
        return new OAuthStateInvalid({ reason: "Malformed" })
      }
      if (!isPayload(payload)) return new OAuthStateInvalid({ reason: "Malformed" })
      forgetExpired(nowMs)
      if (payload.e <= nowMs) return new OAuthStateInvalid({ reason: "Expired" })
      if (used.has(payload.n)) return new OAuthStateInvalid({ reason: "Reused" })
      used.set(payload.n, payload.e)
      return {
        region: payload.r,
        ...(payload.k === undefined ? {} : { connectionId: payload.k }),
        ...(payload.c === undefined ? {} : { context: payload.c }),
        ...(payload.b === undefined ? {} : { browser: payload.b })
      }
    }
  }
}
