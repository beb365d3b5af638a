/**
 * The used-nonce set behind the OAuth `state`: each nonce is claimed once, across every worker and
 * restart, until it expires. Expired nonces are purged as time passes (by expiry index or TTL), never by
 * scanning every nonce on each claim.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { StoreUnavailable } from "./StateError.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface OAuthNoncesShape {
  /**
   * `true` the first time a nonce is claimed before `expiresAtMillis` (epoch ms), `false` ever after (and
   * for a nonce already expired).
   */
  readonly claim: (nonce: string, expiresAtMillis: number) => Effect.Effect<boolean, StoreUnavailable>
}

/**
 * @since 0.1.0
 * @category services
 */
export class OAuthNonces extends Context.Service<OAuthNonces, OAuthNoncesShape>()(
  "@taskjuice/intercom-state/OAuthNonces"
) {}
