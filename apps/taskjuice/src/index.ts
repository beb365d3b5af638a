/**
 * The TaskJuice runtime bundle for Intercom: the contract TaskJuice's runtime calls (manifest, action
 * execution with step errors, the app-scoped webhook endpoint, the OAuth connection), composed from
 * `@taskjuice/intercom-core`, plus a local host that serves it over HTTP.
 */

export * from "./ActionExecution.ts"
export * from "./Activation.ts"
export * from "./ActivationLog.ts"
export * from "./BundleHost.ts"
export * from "./Connection.ts"
export * from "./Connections.ts"
export * from "./Docs.ts"
export * from "./http/Limits.ts"
export * from "./Manifest.ts"
export * from "./OAuth.ts"
export * from "./OAuthState.ts"
export * from "./StepError.ts"
export * from "./WebhookEndpoint.ts"
