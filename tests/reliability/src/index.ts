/**
 * The reliability suite's building blocks, for anyone who wants to drive the bundle and the simulator
 * the same way: canary secrets and the leak watch, the fault matrix, scripted faults, the webhook fuzz
 * cases, the load run and the suite sizes. The suite itself is in test/.
 */
export * from "./Canary.ts"
export * from "./FaultMatrix.ts"
export * from "./Http.ts"
export * from "./Load.ts"
export * from "./ScriptedFault.ts"
export * from "./SuiteSize.ts"
export * from "./WebhookFuzz.ts"
export * from "./Webhooks.ts"
