/**
 * A delivery's signatures for each `SignatureMode`, all made by the core's `signAll` (the one signing
 * path, shared with the bundle that verifies): `invalid` signs with a key that is not the client
 * secret, so a receiver that checks signatures must refuse it.
 */
import { type SignatureAlgorithm, signAll } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"
import type { SignatureMode } from "../SignatureMode.ts"

const algorithms: Readonly<Record<SignatureMode, ReadonlyArray<SignatureAlgorithm>>> = {
  sha1: ["sha1"],
  sha256: ["sha256"],
  both: ["sha1", "sha256"],
  invalid: ["sha1", "sha256"]
}

export const signDelivery = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>,
  mode: SignatureMode
): Record<string, string> =>
  signAll(
    body,
    mode === "invalid" ? Redacted.make(`${Redacted.value(secret)}-not-the-client-secret`) : secret,
    algorithms[mode]
  )
