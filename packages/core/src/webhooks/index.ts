/**
 * Webhook deliveries: signature verification, envelope decoding, de-duplication and the shared fixtures.
 * Each module is also exported as a namespace, which carries the reason classes.
 *
 * @since 0.1.0
 */

export {
  checkReplay,
  defaultDedupeCapacity,
  defaultDedupeWindow,
  defaultReplayMargin,
  isStaleReplay,
  type MemoryDedupeOptions,
  markNotificationIfNew,
  NotificationDedupe,
  NotificationDedupeError,
  type NotificationDedupeShape,
  type ReplayOptions,
  replayCutoffMillis,
  staleReplayNotifications
} from "./NotificationDedupe.ts"
export {
  derivedNotificationIdPrefix,
  type NotificationIdentity,
  notificationDedupeKey,
  notificationIdOf
} from "./NotificationId.ts"
export * as WebhookEnvelope from "./WebhookEnvelope.ts"
export {
  decodeNotification,
  decodeNotificationBody,
  type FieldIssue,
  makeBodyDecoder,
  makeNotificationEnvelope,
  NotificationEnvelope,
  type NotificationEnvelopeInput,
  NotificationItem,
  notificationEnvelope,
  notificationEnvelopeWith,
  readBodyText,
  WebhookEnvelopeError,
  type WebhookEnvelopeReason,
  webhookBodyLimitBytes
} from "./WebhookEnvelope.ts"
export * as WebhookFixtures from "./WebhookFixtures.ts"
export {
  loadWebhookFixture,
  WebhookFixtureError,
  webhookFixture,
  webhookFixtureBytes,
  webhookFixtureTopics,
  webhookFixtureUrl
} from "./WebhookFixtures.ts"
export * as WebhookSignature from "./WebhookSignature.ts"
export {
  checkSignature,
  type SignatureAlgorithm,
  type SignatureHeader,
  sign,
  signAll,
  signatureHeaders,
  type VerificationPolicy,
  verifySignature,
  type WebhookHeaders,
  WebhookSignatureError,
  type WebhookSignatureReason
} from "./WebhookSignature.ts"
