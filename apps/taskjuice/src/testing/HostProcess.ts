#!/usr/bin/env node
/**
 * A bundle host in a process of its own, for tests that must watch a host from outside: whether it
 * survives a delivery, how much memory it holds. Started as `node HostProcess.ts '<json>'` with
 * {@link HostProcessConfig}; it prints one JSON line `{"event":"listening",...}` when ready, its log
 * lines after that, guards the process as `pnpm taskjuice serve` does, and exits when the process that
 * started it goes away.
 */
import * as Redacted from "effect/Redacted"
import { startBundleHost } from "../BundleHost.ts"
import type { HostLimits } from "../http/Limits.ts"
import { exitWithParent } from "../Workers.ts"

export interface HostProcessConfig {
  readonly clientSecret: string
  readonly runtimeToken: string
  /** The workspace to hold one active connection for (its API host is a closed port). */
  readonly workspaceId: string
  readonly limits?: Partial<HostLimits>
  readonly publicPort?: number
  /** Where the state lives, as `--state` takes it (default `memory`); keys from `TASKJUICE_STATE_KEY`. */
  readonly state?: string
}

const config = JSON.parse(process.argv[2] ?? "{}") as HostProcessConfig
const print = (entry: unknown) => process.stdout.write(`${JSON.stringify(entry)}\n`)
process.on("uncaughtException", (error) => print({ event: "uncaught-exception", error: String(error) }))
process.on("unhandledRejection", (error) => print({ event: "unhandled-rejection", error: String(error) }))

const host = await startBundleHost({
  clientId: "host-process",
  clientSecret: Redacted.make(config.clientSecret),
  runtimeToken: Redacted.make(config.runtimeToken),
  intercomBaseUrl: "http://127.0.0.1:9",
  ...(config.limits === undefined ? {} : { limits: config.limits }),
  ...(config.publicPort === undefined ? {} : { publicPort: config.publicPort }),
  ...(config.state === undefined ? {} : { state: config.state }),
  connections: [
    {
      id: "conn_host_process",
      workspaceId: config.workspaceId,
      workspaceName: "Host process",
      adminId: "1",
      adminEmail: null,
      region: "us",
      apiBaseUrl: "http://127.0.0.1:9",
      accessToken: Redacted.make("host-process-token"),
      status: "active",
      connectedAt: new Date().toISOString()
    }
  ]
})
print({
  event: "listening",
  url: host.url,
  webhookUrl: host.webhookUrl,
  redirectUri: host.redirectUri,
  pid: process.pid
})
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  host.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.once("SIGTERM", stop)
exitWithParent(stop)
