#!/usr/bin/env node
/**
 * `./dev start` (`pnpm start`), on our shared CLI kit: starts the simulator and the bundle host wired
 * together, connects a workspace through the simulated OAuth, fires each trigger and runs each action
 * once, prints what happened, then leaves both running (`--once` stops instead). Every event the
 * host sees (a delivery received, an activation, a rejection, a duplicate, a connection) is one
 * timestamped line as it happens, or a JSON line under `--json`; so is the run's report.
 */
import { CommandError, Flags, Json, listenFailure, Output, run } from "@taskjuice/intercom-cli"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import type * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import type { SandboxReport } from "./Sandbox.ts"

const defaultSimulatorPort = 4010
const defaultBundlePort = 4020

const mark = (ok: boolean) => (ok ? "✓" : "✗")

const reportLines = (report: SandboxReport): ReadonlyArray<string> => {
  const { connection } = report
  return [
    "",
    `Connected workspace ${connection.workspaceId} (admin ${connection.adminEmail ?? "?"}) as ${connection.id}`,
    "",
    "Triggers (simulator → signed webhook → bundle → activation)",
    ...report.triggers.map(
      (run) =>
        `  ${mark(run.deliveryStatus === 200)} ${run.topic.padEnd(34)} HTTP ${run.deliveryStatus ?? "-"} → ${
          run.activated.length > 0 ? run.activated.join(", ") : "nothing (acknowledged)"
        }`
    ),
    "",
    "Actions (bundle → Intercom API of the simulator)",
    ...report.actions.map(
      (run) => `  ${mark(run.ok)} ${run.key.padEnd(30)} HTTP ${run.httpStatus}  ${run.summary}`
    ),
    "",
    report.ok ? "Everything worked." : "Something failed: see ✗ above."
  ]
}

const port = (name: string, variable: string, defaultPort: number, about: string) =>
  Flags.integer(name, { min: 0, max: 65_535 }).pipe(
    Flag.withDescription(`${about} (0 picks a free one; default ${defaultPort}, or ${variable})`),
    Flag.withFallbackConfig(Config.Int(variable)),
    Flag.withDefault(defaultPort)
  )

const start = Command.make(
  "./dev start",
  {
    simPort: port("sim-port", "SIM_PORT", defaultSimulatorPort, "the simulator's port"),
    port: port("port", "PORT", defaultBundlePort, "the bundle host's port"),
    once: Flag.Boolean("once").pipe(
      Flag.withDescription("stop after the run (exit 0 only if everything worked)"),
      Flag.withDefault(false)
    ),
    stateDir: Flag.String("state-dir").pipe(
      Flag.withMetavar("DIR"),
      Flag.withDescription(
        "where the run leaves the simulator's admin token (for ./dev sim …) and the bundle's runtime token (default .sim, as ./dev sim reads it)"
      ),
      Flag.withDefault(".sim")
    )
  },
  (options) =>
    Effect.gen(function* () {
      const json = yield* Json
      // The host calls back outside this fiber: its lines are printed with this fiber's settings and clock.
      const context = yield* Effect.context<GlobalFlag.Setting.Identifier<"json">>()
      const clock = yield* Clock.Clock
      // Loaded after the flags are checked, so a typo is reported at once.
      const [{ makeHostEventPrinter }, { runSandbox, startSandbox }] = yield* Effect.promise(() =>
        Promise.all([import("@taskjuice/intercom-bundle"), import("./Sandbox.ts")])
      )
      const events = makeHostEventPrinter({
        json,
        writeLine: (line) => Effect.runSyncWith(context)(Console.log(line)),
        now: () => clock.currentTimeMillisUnsafe()
      })
      const sandbox = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            startSandbox({
              simulatorPort: options.simPort,
              bundlePort: options.port,
              stateDir: options.stateDir,
              writeLine: events.print
            }),
          catch: (error) =>
            listenFailure(error, {
              host: "127.0.0.1",
              listeners: [
                { flag: "--sim-port", port: options.simPort },
                { flag: "--port", port: options.port }
              ]
            }) ?? error
        }),
        (started) => Effect.promise(() => started.close())
      )
      const report = yield* Effect.tryPromise({
        try: () => runSandbox(sandbox),
        catch: (error) =>
          CommandError.internal(
            `the sandbox run failed: ${error instanceof Error ? error.message : String(error)}`
          )
      })
      yield* Output.result({ event: "report", ...report }, () => reportLines(report))
      if (options.once) {
        if (report.ok) return
        return yield* CommandError.internal("the sandbox run failed", {
          fix: "the lines marked ✗ say which step"
        })
      }
      const { simulator, bundle } = sandbox
      const running = {
        event: "running",
        simulator: simulator.url,
        dashboard: `${simulator.url}/`,
        bundle: bundle.url,
        manifest: `${bundle.url}/manifest`,
        activations: `${bundle.url}/activations`,
        webhookUrl: bundle.webhookUrl,
        state: sandbox.state,
        adminTokenFile: sandbox.files.adminToken,
        runtimeTokenFile: sandbox.files.runtimeToken
      }
      yield* Output.result(running, () => [
        "",
        "Running (Ctrl-C to stop):",
        `  Intercom simulator   ${simulator.url}          dashboard: ${simulator.url}/`,
        `  TaskJuice bundle     ${bundle.url}`,
        `    manifest           ${bundle.url}/manifest`,
        `    activations        ${bundle.url}/activations?after=&limit=&wait=  (then POST /activations/ack)`,
        `    webhook endpoint   ${bundle.webhookUrl}`,
        `    state              ${sandbox.state} (removed when this stops)`,
        "  The runtime API takes this run's token:",
        `    curl -H "authorization: Bearer $(cat ${sandbox.files.runtimeToken})" ${bundle.url}/activations`,
        `  Fire more webhooks from the dashboard, or: ./dev sim trigger contact.user.created --sim ${simulator.url} --state-dir ${options.stateDir}`,
        "  Each delivery, activation, rejection and duplicate is a line below."
      ])
      // Until a signal interrupts it; the scope then closes both.
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run the Intercom simulator and the TaskJuice bundle host wired together: connect a workspace through the simulated OAuth, fire every trigger, run every action, then keep both running"
  ),
  Command.withExamples([
    {
      command: "./dev start",
      description: `the simulator on :${defaultSimulatorPort}, the bundle on :${defaultBundlePort}`
    },
    { command: "./dev start --once", description: "exit after the run: 0 only if everything worked" },
    { command: "./dev start --sim-port 0 --port 0 --json", description: "free ports; JSON lines" }
  ])
)

run(start, { version: "0.1.0" })
