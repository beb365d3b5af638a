/**
 * The production state behind the bundle host: connections (tokens sealed with AES-256-GCM), single-use
 * OAuth nonces, the activation inbox (dedupe mark and activations in one atomic step, consumed at least
 * once by cursor and acknowledgement) and the shared rate-limit windows, on memory, SQLite (default) or
 * Redis, every backend behind the same services and held to one conformance suite.
 *
 * What the host uses:
 *
 * - `State.layer({ location, keys })` (or `State.layerFromEnv({ state })`): provides `ConnectionStore`,
 *   `OAuthNonces`, `ActivationInbox`, and the core's `RateLimitStore` and `NotificationDedupe`.
 * - `parseStateLocation(text, field)`: `sqlite:PATH | redis://HOST:PORT/DB | memory`.
 * - `stateKeysFromEnv()`: `TASKJUICE_STATE_KEY` and `TASKJUICE_STATE_PREVIOUS_KEYS`.
 * - The models `Connection`, `ConnectionSummary`, `Activation`, `InboxActivation`.
 * - Errors with `retryable`: `InboxFull` and `StoreUnavailable` (answer 503), `InvalidCursor`,
 *   `TokenUnreadable`, `StateKeyError`, `StateLocationError`.
 * - From the core: `notificationDedupeKey` (the delivery's key) and `checkReplay` / `isStaleReplay`.
 *
 * @since 0.1.0
 */

export type { Activation, InboxActivation } from "./Activation.ts"
export {
  type AcceptResult,
  ActivationInbox,
  type ActivationInboxShape,
  type Delivery,
  defaultInboxLimits,
  type InboxLimits,
  maxReadLimit,
  maxReadWait,
  type ReadOptions
} from "./ActivationInbox.ts"
export {
  type Connection,
  type ConnectionStatus,
  type ConnectionSummary,
  summarizeConnection
} from "./Connection.ts"
export { ConnectionStore, type ConnectionStoreShape, type SaveResult } from "./ConnectionStore.ts"
export { OAuthNonces, type OAuthNoncesShape } from "./OAuthNonces.ts"
export type { StateConfig, StateServices } from "./State.ts"
export * as State from "./State.ts"
export {
  InboxFull,
  InvalidCursor,
  StateKeyError,
  StateLocationError,
  type StoreError,
  StoreUnavailable,
  TokenUnreadable
} from "./StateError.ts"
export {
  generateStateKey,
  keyVariable,
  parseStateKeys,
  previousKeysVariable,
  type StateKeys,
  stateKeysFromEnv
} from "./StateKey.ts"
export {
  defaultStateLocation,
  formatStateLocation,
  parseStateLocation,
  type StateLocation,
  stateVariable
} from "./StateLocation.ts"
