#!/usr/bin/env node
/**
 * `./dev start` (`pnpm start`): starts the simulator and the bundle host wired together, connects
 * a workspace through the simulated OAuth, fires each trigger and runs each action once, prints
 * what happened, then leaves both running with their URLs shown (`--once` stops instead).
 */
import { parseArgs } from "node:util"
import * as Redacted from "effect/Redacted"
import type { SandboxReport } from "./Sandbox.ts"

const { values } = parseArgs({
  options: {
    "sim-port": { type: "string", default: process.env.SIM_PORT ?? "4010" },
    port: { type: "string", default: process.env.PORT ?? "4020" },
    once: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false }
  }
})

if (values.help) {
  console.log(`Usage: pnpm start [--sim-port 4010] [--port 4020] [--once] [--json]

Starts the Intercom simulator and the TaskJuice bundle host wired together, connects a workspace
through the simulated OAuth, fires every trigger and runs every action once, then keeps both running.
  --once   stop after the run (exit code 0 only if everything worked)
  --json   print the report as JSON`)
  process.exit(0)
}

const port = (name: string, value: string): number => {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    console.error(`--${name} must be a port number from 0 to 65535, got "${value}"`)
    process.exit(2)
  }
  return parsed
}

const mark = (ok: boolean) => (ok ? "✓" : "✗")

const print = (report: SandboxReport) => {
  const { connection } = report
  console.log(
    `\nConnected workspace ${connection.workspaceId} (admin ${connection.adminEmail ?? "?"}) as ${connection.id}`
  )
  console.log("\nTriggers (simulator → signed webhook → bundle → activation)")
  for (const run of report.triggers) {
    const activated = run.activated.length > 0 ? run.activated.join(", ") : "nothing (acknowledged)"
    console.log(
      `  ${mark(run.deliveryStatus === 200)} ${run.topic.padEnd(34)} HTTP ${run.deliveryStatus ?? "-"} → ${activated}`
    )
  }
  console.log("\nActions (bundle → Intercom API of the simulator)")
  for (const run of report.actions) {
    console.log(`  ${mark(run.ok)} ${run.key.padEnd(30)} HTTP ${run.httpStatus}  ${run.summary}`)
  }
  console.log(`\n${report.ok ? "Everything worked." : "Something failed: see ✗ above."}`)
}

const simulatorPort = port("sim-port", values["sim-port"])
const bundlePort = port("port", values.port)
// Loaded after the flags are checked, so a typo is reported at once.
const { runSandbox, startSandbox } = await import("./Sandbox.ts")
const sandbox = await startSandbox({
  simulatorPort,
  bundlePort,
  // After the scripted run, activations fired from the dashboard are shown as they arrive.
  writeLine: (line) => {
    if (live) console.log(line)
  }
})
let live = false
let report: SandboxReport
try {
  report = await runSandbox(sandbox)
} catch (error) {
  console.error(`The sandbox run failed: ${error instanceof Error ? error.message : String(error)}`)
  await sandbox.close()
  process.exit(1)
}
if (values.json) console.log(JSON.stringify(report, null, 2))
else print(report)

if (values.once) {
  await sandbox.close()
  process.exit(report.ok ? 0 : 1)
}

console.log(`
Running (Ctrl-C to stop):
  Intercom simulator   ${sandbox.simulator.url}          dashboard: ${sandbox.simulator.url}/
  TaskJuice bundle     ${sandbox.bundle.url}
    manifest           ${sandbox.bundle.url}/manifest
    activations        ${sandbox.bundle.url}/activations
    webhook endpoint   ${sandbox.bundle.webhookUrl}
  The runtime API takes this run's token:
    curl -H 'authorization: Bearer ${Redacted.value(sandbox.bundle.runtimeToken)}' ${sandbox.bundle.url}/activations
  Fire more webhooks from the dashboard; every activation is printed as a JSON line below.
`)
live = true
const stop = async () => {
  await sandbox.close()
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
