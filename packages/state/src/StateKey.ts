/**
 * The key ring that encrypts connection tokens at rest: AES-256-GCM (node:crypto) under the current key
 * (`TASKJUICE_STATE_KEY`, 32 random bytes in base64), with previous keys (`TASKJUICE_STATE_PREVIOUS_KEYS`,
 * comma-separated) still accepted for reading while a rotation settles. A sealed token names the key it
 * was sealed under by a short fingerprint, and is bound to its connection's identity (the AAD), so a
 * ciphertext copied onto another record does not open.
 *
 * @since 0.1.0
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes
} from "node:crypto"
import * as Redacted from "effect/Redacted"
import { StateKeyError } from "./StateError.ts"

/**
 * @since 0.1.0
 * @category constants
 */
export const keyVariable = "TASKJUICE_STATE_KEY"

/**
 * @since 0.1.0
 * @category constants
 */
export const previousKeysVariable = "TASKJUICE_STATE_PREVIOUS_KEYS"

/**
 * The keys a store seals and opens tokens with. `current` seals; every key opens.
 *
 * @since 0.1.0
 * @category models
 */
export interface StateKeys {
  readonly current: Redacted.Redacted<Uint8Array>
  readonly previous: ReadonlyArray<Redacted.Redacted<Uint8Array>>
}

const format = "v1"

const decodeKey = (text: string, variable: string): Redacted.Redacted<Uint8Array> | StateKeyError => {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    return new StateKeyError({ variable, reason: "is not base64" })
  }
  const bytes = Buffer.from(trimmed, "base64")
  if (bytes.length !== 32) {
    return new StateKeyError({
      variable,
      reason: `decodes to ${bytes.length} bytes; AES-256 needs exactly 32`
    })
  }
  return Redacted.make(new Uint8Array(bytes))
}

/**
 * Reads the key ring from the two variables' values (`undefined` when unset).
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseStateKeys = (
  current: string | undefined,
  previous?: string | undefined
): StateKeys | StateKeyError => {
  if (current === undefined || current.trim() === "") {
    return new StateKeyError({
      variable: keyVariable,
      reason: "is not set: the sqlite and redis state backends encrypt connection tokens with it"
    })
  }
  const currentKey = decodeKey(current, keyVariable)
  if (currentKey instanceof StateKeyError) return currentKey
  const previousKeys: Array<Redacted.Redacted<Uint8Array>> = []
  const entries = (previous ?? "").split(",").map((entry) => entry.trim())
  for (const [index, entry] of entries.entries()) {
    if (entry === "") continue
    const key = decodeKey(entry, `${previousKeysVariable} (entry ${index + 1})`)
    if (key instanceof StateKeyError) return key
    previousKeys.push(key)
  }
  return { current: currentKey, previous: previousKeys }
}

/**
 * Reads the key ring from an environment (default `process.env`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const stateKeysFromEnv = (
  env: Readonly<Record<string, string | undefined>> = process.env
): StateKeys | StateKeyError => parseStateKeys(env[keyVariable], env[previousKeysVariable])

/**
 * A fresh random key, base64: what to put in `TASKJUICE_STATE_KEY` (e.g. for a throwaway sandbox).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateStateKey = (): string => randomBytes(32).toString("base64")

const fingerprintOf = (key: Uint8Array): string =>
  createHash("sha256").update("taskjuice-state-key/v1").update(key).digest("base64url").slice(0, 11)

/**
 * What opening a sealed token found: the plaintext, and whether it was sealed under an older key (so the
 * caller re-seals it under the current one).
 *
 * @since 0.1.0
 * @category models
 */
export type Opened =
  | { readonly _tag: "Opened"; readonly plaintext: Redacted.Redacted<string>; readonly stale: boolean }
  | { readonly _tag: "UnknownKey" }
  | { readonly _tag: "Tampered" }

/**
 * Seals and opens tokens under a key ring.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sealer {
  readonly seal: (plaintext: Redacted.Redacted<string>, binding: string) => string
  readonly open: (sealed: string, binding: string) => Opened
}

/**
 * Tokens opened lately, by binding and sealed text: a webhook reads its workspace's connections on
 * every delivery, and opening each token anew was an eighth of the host's CPU. The same sealed text
 * under the same binding always opens to the same plaintext, so nothing kept here can be stale; a
 * record that changes is sealed anew (a fresh IV) and misses.
 */
const openedCapacity = 10_000

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeSealer = (keys: StateKeys): Sealer => {
  // Key objects made once: a cipher made from raw bytes imports its key again each time.
  const current = createSecretKey(Redacted.value(keys.current))
  const currentFingerprint = fingerprintOf(Redacted.value(keys.current))
  const byFingerprint = new Map<string, KeyObject>()
  for (const key of [...keys.previous].reverse())
    byFingerprint.set(fingerprintOf(Redacted.value(key)), createSecretKey(Redacted.value(key)))
  byFingerprint.set(currentFingerprint, current)
  const opened = new Map<string, Opened>()
  const seal = (plaintext: Redacted.Redacted<string>, binding: string): string => {
    const iv = randomBytes(12)
    const cipher = createCipheriv("aes-256-gcm", current, iv)
    cipher.setAAD(Buffer.from(binding, "utf8"))
    const body = Buffer.concat([cipher.update(Redacted.value(plaintext), "utf8"), cipher.final()])
    const tag = cipher.getAuthTag()
    return [
      format,
      currentFingerprint,
      iv.toString("base64url"),
      tag.toString("base64url"),
      body.toString("base64url")
    ].join(".")
  }
  const openAnew = (sealed: string, binding: string): Opened => {
    const [version, fingerprint, iv, tag, body, ...rest] = sealed.split(".")
    if (
      version !== format ||
      fingerprint === undefined ||
      iv === undefined ||
      tag === undefined ||
      body === undefined ||
      rest.length > 0
    ) {
      return { _tag: "Tampered" }
    }
    const key = byFingerprint.get(fingerprint)
    if (key === undefined) return { _tag: "UnknownKey" }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"))
      decipher.setAAD(Buffer.from(binding, "utf8"))
      decipher.setAuthTag(Buffer.from(tag, "base64url"))
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final()
      ]).toString("utf8")
      return {
        _tag: "Opened",
        plaintext: Redacted.make(plaintext),
        stale: fingerprint !== currentFingerprint
      }
    } catch {
      return { _tag: "Tampered" }
    }
  }
  const open = (sealed: string, binding: string): Opened => {
    const memo = `${binding}\n${sealed}`
    const known = opened.get(memo)
    if (known !== undefined) return known
    const result = openAnew(sealed, binding)
    if (result._tag !== "Opened") return result
    if (opened.size >= openedCapacity) opened.delete(opened.keys().next().value as string)
    opened.set(memo, result)
    return result
  }
  return { seal, open }
}
