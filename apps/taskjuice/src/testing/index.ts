/** What tests and the sandbox use to drive a host as a browser and from outside its process. */
export * from "./Browser.ts"
export * from "./BuiltEntry.ts"
export * from "./SpawnHost.ts"
