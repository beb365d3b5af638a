#!/usr/bin/env node
/**
 * `pnpm sim <command>` (and the `intercom-sim` bin): see `usage` in Cli.ts.
 */
import { once } from "node:events"
import { runCli } from "./Cli.ts"

const stop = Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]).then(() => undefined)

const { exitCode } = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stopSignal: stop
})
process.exit(exitCode)
