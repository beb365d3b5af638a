/**
 * Generation time per pinned version: wall clock and per stage, the median of several runs in
 * one warm process, plus a cold `intercom-codegen generate` process for 2.11 (what `pnpm generate`
 * costs). Every row is printed beside its ratio to the 3 s target set for 2.11 on a 2-core machine.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generate } from "../src/Generate.ts"
import { pinnedVersions } from "../src/Pins.ts"

const targetMs = 3000
const runs = Number(process.env.BENCH_RUNS ?? 3)
const stages = ["resolve", "overlay", "validate", "typescript", "write"] as const
const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface Row {
  readonly label: string
  readonly wall: number
  readonly stages: Partial<Record<(typeof stages)[number], number>>
}

const scratch = mkdtempSync(join(tmpdir(), "intercom-codegen-bench-"))
const rows: Array<Row> = []
try {
  // One unmeasured run loads the modules and warms the JIT, so the first version pays no extra.
  await generate({ version: "2.11", outDir: join(scratch, "warmup") })

  for (const version of pinnedVersions()) {
    const walls: Array<number> = []
    const perStage = Object.fromEntries(stages.map((stage) => [stage, [] as Array<number>]))
    for (let run = 0; run < runs; run++) {
      const started = performance.now()
      const result = await generate({ version, outDir: join(scratch, version) })
      walls.push(performance.now() - started)
      for (const stage of stages) perStage[stage]?.push(result.timings[stage])
    }
    rows.push({
      label: `${version} (warm, median of ${runs})`,
      wall: median(walls),
      stages: Object.fromEntries(stages.map((stage) => [stage, median(perStage[stage] ?? [])]))
    })
  }

  const coldWalls: Array<number> = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const child = spawnSync(
      process.execPath,
      [bin, "generate", "--version", "2.11", "--out", join(scratch, "cli")],
      {
        encoding: "utf8"
      }
    )
    if (child.status !== 0) throw new Error(`intercom-codegen generate failed: ${child.stderr}`)
    coldWalls.push(performance.now() - started)
  }
  rows.push({ label: `2.11 (cold CLI process, median of ${runs})`, wall: median(coldWalls), stages: {} })
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const ms = (value: number | undefined): string => (value === undefined ? "—" : `${Math.round(value)}`)
const table = [
  ["version", "wall ms", ...stages.map((stage) => `${stage} ms`), "ratio to 3 s target"],
  ...rows.map((row) => [
    row.label,
    ms(row.wall),
    ...stages.map((stage) => ms(row.stages[stage])),
    `${(row.wall / targetMs).toFixed(2)}×`
  ])
]
const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
const line = (cells: ReadonlyArray<string>): string =>
  `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`

console.log(
  `Generation time per pinned Intercom version (Node ${process.version}, ${cpus().length} cores; target ≤ ${targetMs} ms for 2.11)\n`
)
console.log(line(table[0]!))
console.log(
  `|${widths.map((width, column) => (column === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`)).join("|")}|`
)
for (const cells of table.slice(1)) console.log(line(cells))
const cold = rows.at(-1)!
console.log(
  `\n2.11 target: ${cold.wall <= targetMs ? "met" : "MISSED"} (cold CLI ${ms(cold.wall)} ms = ${(cold.wall / targetMs).toFixed(2)}× of ${targetMs} ms)`
)
