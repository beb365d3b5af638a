/** What tests and the sandbox use to drive a host as a browser and from outside its process. */
export * from "./Browser.ts"
export * from "./BuiltEntry.ts"
export * from "./Deliveries.ts"
export * from "./Ports.ts"
export * from "./SpawnHost.ts"
export * from "./State.ts"
