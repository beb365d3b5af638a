/**
 * Which signature headers a delivery carries: Intercom's `X-Hub-Signature` (sha1), the SHA-256 header
 * TaskJuice's docs promise, both (the default), or both computed with the wrong key on purpose.
 */
export type SignatureMode = "sha1" | "sha256" | "both" | "invalid"

export const signatureModes: ReadonlyArray<SignatureMode> = ["sha1", "sha256", "both", "invalid"]
