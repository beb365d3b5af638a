#!/usr/bin/env node
/**
 * A parent that starts host processes and then only waits, for the test that kills it with `kill -9`:
 * it prints the pids of everything it started (a host process, and `serve --workers 2` with its
 * workers) as one JSON line. Started as `node ParentOfHosts.ts '<env json>'`.
 */
import { spawnHost, spawnServe } from "../../src/testing/SpawnHost.ts"

const env = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>
const host = await spawnHost({
  clientSecret: "parent-secret",
  runtimeToken: env.TASKJUICE_RUNTIME_TOKEN ?? "",
  workspaceId: "parentws"
})
const served = await spawnServe(["--port", "0", "--workers", "2", "--state", env.TASKJUICE_STATE ?? ""], {
  env
})
process.stdout.write(`${JSON.stringify({ pids: [host.pid, served.pid, ...served.workers] })}\n`)
setInterval(() => {}, 60_000)
