/**
 * The Intercom simulator: a local Intercom workspace for building and testing TaskJuice workflows.
 *
 * ```ts
 * import { startSimulator } from "@taskjuice/intercom-simulator"
 *
 * const sim = await startSimulator({
 *   clientSecret: "dev-secret",             // signs webhooks; checked by POST /auth/eagle/token
 *   port: 0,                                // 0 = any free port (sim.url tells which)
 *   webhookUrls: ["http://127.0.0.1:3000/webhooks/intercom"],
 *   rateLimitPerMinute: 1000,               // spread over 10-second windows (166 per window)
 *   faults: ["POST /contacts:503@0.1"],     // <route>:<kind>[=<arg>][@<probability>]
 *   seed: 42,                               // reproducible faults and generated data
 *   stateFile: ".sim/state.sqlite",         // keep state across restarts (in memory otherwise)
 *   timeScale: 0.01                         // Intercom's 5 s timeout and 1 min retry, scaled
 * })
 * sim.url                                   // API, OAuth (/oauth, /auth/eagle/token), admin (/_sim/…), dashboard (/)
 * Redacted.value(sim.accessToken)           // a Bearer token valid from the start
 * await sim.trigger("contact.user.created", { overrides: ["item.name=Ada"] })
 * sim.deliveries()                          // every attempt: status, latency, payload
 * await sim.close()
 * ```
 *
 * With Effect: `IntercomSimulator.layer(options)` provides the same handle, closed with its scope.
 */
export { type AdminApi, type DeliverySummary, summarize } from "./AdminApi.ts"
export { compareVersions, isServableVersion, type VersionProfile, versionProfile } from "./ApiVersion.ts"
export { exitCodes, simCli } from "./Cli.ts"
export {
  type FaultKind,
  FaultPlan,
  type FaultRule,
  FaultSyntaxError,
  formatFault,
  parseFault
} from "./Faults.ts"
export { apiError, type ErrorList, errorList, IntercomApiError } from "./IntercomError.ts"
export { IntercomSimulator, SimulatorStartError } from "./IntercomSimulator.ts"
export { applyOverrides, type Override, OverrideError, parseOverride } from "./Overrides.ts"
export { makeRandom, type Random } from "./Random.ts"
export { type RateLimitDecision, RateLimiter, rateLimitHeaders, windowMillis } from "./RateLimiter.ts"
export {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  type TriggeredNotification,
  type TriggerOptions,
  UnknownTopicError
} from "./Simulator.ts"
export {
  type FieldProblem,
  loadBundledSpec,
  type OpenApiDocument,
  SpecSchemas,
  toJsonSchema
} from "./SpecSchemas.ts"
export type { StateChange, StateCounts, Store } from "./Store.ts"
export { triggerTopics } from "./Triggers.ts"
export {
  intercomTimeoutMillis,
  intercomUserAgent,
  postWebhook,
  type SendResult,
  type SignatureMode,
  signatureHeadersFor,
  signatureModes
} from "./WebhookDelivery.ts"
export {
  type DeliveryRecord,
  intercomRetryDelayMillis,
  type NotificationRecord,
  type Subscription,
  WebhookDispatcher
} from "./WebhookDispatcher.ts"
