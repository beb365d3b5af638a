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
 *   redirectUris: ["http://127.0.0.1:3000/oauth/callback"],
 *   rateLimitPerMinute: 1000,               // spread over 10-second windows (167 per window)
 *   faults: ["POST /contacts:503@0.1"],     // <route>:<kind>[=<arg>][@<probability>]
 *   seed: 42,                               // reproducible faults and generated data
 *   stateFile: ".sim/state.sqlite",         // keep state across restarts (in memory otherwise)
 *   stateDir: ".sim",                       // where the CLI finds the run's admin token
 *   timeScale: 0.01                         // Intercom's 5 s timeout and 1 min retry, scaled
 * })
 * sim.url                                   // API (every pinned Intercom-Version), OAuth, admin (/_sim/…), dashboard (/)
 * Redacted.value(sim.accessToken)           // a Bearer token valid from the start
 * await sim.trigger("contact.user.created", { overrides: ["item.name=Ada"] })
 * sim.deliveries()                          // every attempt: status, latency, payload, headers
 * await sim.close()
 * ```
 *
 * With Effect: `IntercomSimulator.layer(options)` provides the same handle, closed with its scope.
 */
export { exitCodes, simCli } from "./Cli.ts"
export { type DashboardPageOptions, dashboardPage, faviconResponse } from "./Dashboard.ts"
export type { ContactInput } from "./domain/ContactStore.ts"
export type { StateChange } from "./domain/Records.ts"
export type { StateCounts, WorkspaceStore } from "./domain/WorkspaceStore.ts"
export {
  type FaultKind,
  FaultPlan,
  type FaultRule,
  FaultSyntaxError,
  formatFault,
  parseFault
} from "./Faults.ts"
export { adminTokenHeader } from "./http/AdminGuard.ts"
export { type DeliverySummary, summarize } from "./http/AdminRoutes.ts"
export { type ErrorList, errorAnswer } from "./http/IntercomErrors.ts"
export type { TrafficStatsSnapshot } from "./http/TrafficStats.ts"
export { IntercomSimulator } from "./IntercomSimulator.ts"
export { applyOverrides, type Override, OverrideError, parseOverride } from "./Overrides.ts"
export { makeRandom, type Random } from "./Random.ts"
export { type SignatureMode, signatureModes } from "./SignatureMode.ts"
export {
  makeSimulator,
  type Simulator,
  type SimulatorOptions,
  SimulatorStartError,
  startSimulator
} from "./Simulator.ts"
export { Descriptions } from "./spec/Descriptions.ts"
export {
  type FieldProblem,
  loadBundledSpec,
  type OpenApiDocument,
  SpecSchemas,
  toJsonSchema
} from "./spec/SpecSchemas.ts"
export type { VersionProfile, VersionSpec } from "./spec/VersionSpec.ts"
export { type DeliveryRules, deliveryRules } from "./webhooks/DeliveryRules.ts"
export {
  type TriggeredNotification,
  type TriggerOptions,
  UnknownNotificationError,
  UnknownTopicError
} from "./webhooks/Notifier.ts"
export { signDelivery } from "./webhooks/Signing.ts"
export { triggerTopics } from "./webhooks/Triggers.ts"
export { intercomUserAgent, postWebhook, type SendResult } from "./webhooks/WebhookDelivery.ts"
export {
  type DeliveryRecord,
  type NotificationRecord,
  type Subscription,
  WebhookDispatcher
} from "./webhooks/WebhookDispatcher.ts"
