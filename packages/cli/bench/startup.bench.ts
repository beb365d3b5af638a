/**
 * What effect/cli costs a command line at start, side by side in one run (sides interleaved,
 * forwards then backwards; medians of wall time per process): bare node, a hand-written parseArgs
 * CLI refusing an unknown flag, the kit's demo CLI refusing the same flag and answering normally,
 * and `./dev sim`, `./dev codegen`, `./dev taskjuice` and `./dev start` printing a one-line error.
 * `pnpm --filter @taskjuice/intercom-cli bench [--json]`
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { interleaved, median } from "@taskjuice/intercom-testkit"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const rounds = Number(process.env.BENCH_ROUNDS ?? 12)

const spawned = (args: ReadonlyArray<string>) => () =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: "ignore" })
    child.on("error", reject)
    child.on("exit", () => resolve())
  })

const sides = [
  ["node -e 0", ["-e", "0"]],
  ["parseArgs, unknown flag", [here("./fixtures/parseArgs.ts"), "greet", "--tmes", "2"]],
  ["kit demo, unknown flag", [here("../test/fixtures/demo.ts"), "greet", "Ada", "--tmes", "2"]],
  ["kit demo, greet", [here("../test/fixtures/demo.ts"), "greet", "Ada"]],
  [
    "./dev sim, unknown flag",
    [here("../../../apps/simulator/src/bin.ts"), "trigger", "ping", "--forward-too", "x"]
  ],
  ["./dev codegen, unknown flag", [here("../../codegen/src/bin.ts"), "generate", "--verison", "2.11"]],
  // The built CLI, as `./dev taskjuice` runs it (the bench task builds the bundle first).
  [
    "./dev taskjuice, unknown flag",
    [here("../../../apps/taskjuice/dist/bin.js"), "serve", "--hostname", "0.0.0.0"]
  ],
  ["./dev start, unknown flag", [here("../../../apps/sandbox/src/main.ts"), "--prot", "0"]]
] as const

const times = await interleaved(
  sides.map(([, args]) => spawned(args)),
  rounds
)
const millis = times.map((side) => median(side) / 1000)
const floor = millis[1] ?? Number.NaN
const rows = sides.map(([name], index) => ({
  name,
  medianMs: Math.round((millis[index] ?? Number.NaN) * 10) / 10,
  vsParseArgs: Math.round(((millis[index] ?? Number.NaN) / floor) * 100) / 100
}))
if (process.argv.includes("--json")) console.log(JSON.stringify({ rounds, rows }))
else {
  console.log(`CLI start-up, median of ${rounds} interleaved rounds (ratio to the parseArgs CLI):`)
  for (const row of rows)
    console.log(
      `  ${row.name.padEnd(30)} ${`${row.medianMs} ms`.padStart(10)}  ${row.vsParseArgs.toFixed(2)}×`
    )
}
