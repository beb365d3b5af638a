/**
 * The TaskJuice runtime bundle for Intercom: the contract TaskJuice's runtime calls (manifest, action
 * execution with step errors, the app-scoped webhook endpoint, the OAuth connection), composed from
 * `@taskjuice/intercom-core`, plus a local host that serves it over HTTP. The lean entry a runtime
 * worker loads is `./runtime` (src/runtime.ts); the docs page renderer loads on demand (`loadDocs`).
 */

export * from "./ActionExecution.ts"
export * from "./Activation.ts"
export * from "./ActivationListeners.ts"
export * from "./BundleHost.ts"
export * from "./Connection.ts"
export * from "./ConnectionClients.ts"
export * from "./HostEvents.ts"
export * from "./http/Limits.ts"
export * from "./Manifest.ts"
export * from "./OAuth.ts"
export * from "./OAuthState.ts"
export { type BundleRuntime, makeRuntime, type RuntimeOptions } from "./runtime.ts"
export * from "./StepError.ts"
export * from "./WebhookEndpoint.ts"

/** The docs page renderer (`renderDocs`, `docsPath`), which only `./dev taskjuice docs` and its check need. */
export const loadDocs = () => import("./Docs.ts")
