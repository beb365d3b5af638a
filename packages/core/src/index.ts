export * from "./actions/index.ts"
export * from "./api/index.ts"
export * from "./triggers/index.ts"
export * from "./webhooks/index.ts"
