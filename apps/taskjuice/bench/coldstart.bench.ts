/**
 * Cold import of the built runtime entry (`dist/runtime.js`, what a TaskJuice runtime worker loads)
 * against Intercom's own SDK (`intercom-client` 7), as whole processes: each run is a fresh `node`
 * that imports the module and exits, timed from spawn to exit, with its peak resident memory (its own
 * `maxRSS`). Runs alternate ABBA between the sides (and a bare `node` and the sources, for information),
 * so drift on a shared machine hits each alike. Medians.
 *
 * Run: node bench/coldstart.bench.ts   (BENCH_RUNS=<runs per side, default 15, at least 10>)
 * Targets: wall ratio runtime / SDK ≤ 1.0 (stretch 0.5); peak memory ratio ≤ 1.0.
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { median } from "@taskjuice/intercom-testkit"
import { builtEntry } from "../src/testing/BuiltEntry.ts"

const runs = Math.max(10, Number(process.env.BENCH_RUNS ?? 15))

interface Side {
  readonly name: string
  /** What the process imports; `undefined`: nothing (a bare node). */
  readonly module: string | undefined
}

const sdk = createRequire(import.meta.url).resolve("intercom-client")
const sides: ReadonlyArray<Side> = [
  { name: "runtime entry (dist/runtime.js)", module: builtEntry("runtime") },
  { name: "intercom-client 7 (the SDK)", module: sdk.replace(/cjs\/index\.js$/, "esm/index.mjs") },
  { name: "bare node", module: undefined },
  { name: "sources (src/runtime.ts)", module: fileURLToPath(new URL("../src/runtime.ts", import.meta.url)) }
]

// The child imports, then reports its peak memory; nothing else runs in it.
const script =
  "const m = process.argv[1]; if (m !== undefined) await import(m); process.stdout.write(String(process.resourceUsage().maxRSS))"

const runOnce = (side: Side) =>
  new Promise<{ readonly millis: number; readonly maxRssKiB: number }>((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script, ...(side.module === undefined ? [] : [side.module])],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once("error", reject)
    child.once("exit", (code) => {
      const millis = Number(process.hrtime.bigint() - started) / 1e6
      if (code !== 0) reject(new Error(`${side.name} exited with ${code}`))
      else resolve({ millis, maxRssKiB: Number(out) })
    })
  })

const times = sides.map((): Array<number> => [])
const peaks = sides.map((): Array<number> => [])
const order = sides.map((_, index) => index)
// One unmeasured run each: the first read of the files from disk is not what a warm worker pays.
for (const side of sides) await runOnce(side)
for (let round = 0; round < runs; round++) {
  for (const index of round % 2 === 0 ? order : [...order].reverse()) {
    const { millis, maxRssKiB } = await runOnce(sides[index]!)
    times[index]!.push(millis)
    peaks[index]!.push(maxRssKiB)
  }
}

const [ours, theirs, bare] = [0, 1, 2].map((index) => ({
  millis: median(times[index]!),
  peakMiB: median(peaks[index]!) / 1024
}))
console.log(`\nCold import, whole processes (${runs} runs per side, ABBA; median)`)
console.log("side                              wall ms   peak RSS MiB")
for (const [index, side] of sides.entries()) {
  console.log(
    `${side.name.padEnd(32)}${median(times[index]!).toFixed(1).padStart(9)}${(median(peaks[index]!) / 1024).toFixed(1).padStart(15)}`
  )
}
const wall = ours!.millis / theirs!.millis
const memory = ours!.peakMiB / theirs!.peakMiB
const aboveNode = (ours!.millis - bare!.millis) / (theirs!.millis - bare!.millis)
console.log(
  `\nwall ratio runtime / SDK: ${wall.toFixed(3)}  target ≤ 1.0 ${wall <= 1 ? "ok" : "OVER"}, stretch ≤ 0.5 ${wall <= 0.5 ? "ok" : "not yet"}`
)
console.log(`  (time above a bare node, runtime / SDK: ${aboveNode.toFixed(3)})`)
console.log(
  `peak memory ratio runtime / SDK: ${memory.toFixed(3)}  target ≤ 1.0 ${memory <= 1 ? "ok" : "OVER"}`
)
