/**
 * Starts {@link HostProcessConfig a host process} and waits for it to listen; reads its log lines and
 * its resident memory from outside (Linux `/proc`), and stops it. The process runs the built entry
 * (`dist/host-process.js`), as a runtime worker would, not the sources.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { builtEntry } from "./BuiltEntry.ts"
import type { HostProcessConfig } from "./HostProcess.ts"

export type { HostProcessConfig } from "./HostProcess.ts"

export interface SpawnedHost {
  readonly url: string
  readonly webhookUrl: string
  readonly child: ChildProcess
  /** Every line the host printed after it started listening, parsed. */
  readonly lines: ReadonlyArray<Record<string, unknown>>
  /** Whether the process is still running. */
  readonly alive: () => boolean
  /** Resident set size now, in bytes. */
  readonly rssBytes: () => number
  /** The most resident memory the process has had, in bytes (`VmHWM`). */
  readonly peakRssBytes: () => number
  readonly stop: () => Promise<void>
}

const statusField = (pid: number, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return Number(match?.[1] ?? Number.NaN) * 1024
}

export const spawnHost = (
  config: HostProcessConfig,
  nodeOptions: ReadonlyArray<string> = []
): Promise<SpawnedHost> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeOptions, builtEntry("host-process"), JSON.stringify(config)],
      {
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    const lines: Array<Record<string, unknown>> = []
    let pending = ""
    let ready = false
    let stderr = ""
    let exited = false
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exit = new Promise<void>((done) =>
      child.once("exit", () => {
        exited = true
        done()
      })
    )
    const timer = setTimeout(() => reject(new Error(`the host process did not start: ${stderr}`)), 20_000)
    child.once("exit", (code) => {
      if (!ready) reject(new Error(`the host process exited (${code}) before listening: ${stderr}`))
    })
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString()
      let newline = pending.indexOf("\n")
      while (newline !== -1) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        newline = pending.indexOf("\n")
        let parsed: Record<string, unknown>
        try {
          parsed = JSON.parse(line) as Record<string, unknown>
        } catch {
          parsed = { event: "unparsed", text: line.slice(0, 200) }
        }
        if (!ready && parsed.event === "listening") {
          ready = true
          clearTimeout(timer)
          resolve({
            url: String(parsed.url),
            webhookUrl: String(parsed.webhookUrl),
            child,
            lines,
            alive: () => !exited,
            rssBytes: () => statusField(child.pid ?? 0, "VmRSS"),
            peakRssBytes: () => statusField(child.pid ?? 0, "VmHWM"),
            stop: async () => {
              if (!exited) child.kill("SIGTERM")
              await exit
            }
          })
        } else lines.push(parsed)
      }
    })
  })
