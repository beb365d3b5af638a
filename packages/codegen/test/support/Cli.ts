/** Runs the real `intercom-codegen` entry point in a child process, as `./dev codegen` does. */
import { fileURLToPath } from "node:url"
import { type CliRun, runCli as runProcess } from "@taskjuice/intercom-testkit"

const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url))

export type { CliRun }

/** `./dev codegen …args`, with the environment given (by default this process's). */
export const runCli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): Promise<CliRun> =>
  runProcess(bin, args, {
    env: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)
    )
  })
