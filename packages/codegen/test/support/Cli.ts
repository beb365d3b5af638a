/** Runs the real `intercom-codegen` entry point in a child process, as `pnpm codegen` does. */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url))

export interface CliRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

export const runCli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): CliRun => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}
