/**
 * Host processes for tests and benchmarks that must watch a host from outside: {@link spawnHost} starts
 * {@link HostProcessConfig a host process} with one connection, {@link spawnServe} runs `pnpm taskjuice
 * serve` itself (its flags, its environment, `--workers` included). Each waits for the `listening` line,
 * keeps every line printed after it, reads the process's resident memory (Linux `/proc`), and stops it.
 *
 * None of them outlives its test run: each child has an IPC channel and exits when it closes (the
 * parent went away, however it ended), and whatever is still running when this process exits is
 * killed. Tests should still stop what they start from their hooks (see `stopAll`). Both run the built
 * entries (`dist/host-process.js`, `dist/bin.js`), as a runtime worker and an operator would, not the sources.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { builtEntry } from "./BuiltEntry.ts"
import type { HostProcessConfig } from "./HostProcess.ts"

export type { HostProcessConfig } from "./HostProcess.ts"

export interface SpawnedHost {
  readonly url: string
  readonly webhookUrl: string
  /** The OAuth redirect URI to register with Intercom (or the simulator). */
  readonly redirectUri: string
  readonly child: ChildProcess
  readonly pid: number
  /** The worker processes (`serve --workers N`), or this one process. */
  readonly workers: ReadonlyArray<number>
  /** Every JSON line the host printed on stdout after it started listening, parsed. */
  readonly lines: ReadonlyArray<Record<string, unknown>>
  /** Everything the process wrote, stdout and stderr, as text (for leak checks). */
  readonly output: () => string
  /** Whether the process is still running. */
  readonly alive: () => boolean
  /** Resident set size now, in bytes. */
  readonly rssBytes: () => number
  /** The most resident memory the process has had, in bytes (`VmHWM`). */
  readonly peakRssBytes: () => number
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  readonly stop: () => Promise<void>
  /** Ends it at once (`kill -9` by default): a crash, as far as the host can tell. */
  readonly kill: (signal?: NodeJS.Signals) => Promise<void>
}

const statusField = (pid: number, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return Number(match?.[1] ?? Number.NaN) * 1024
}

const running = new Set<SpawnedHost>()
let exitHookInstalled = false
const killOnExit = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once("exit", () => {
    for (const host of running) host.child.kill("SIGKILL")
  })
}

/** Stops every host process this process started and has not stopped yet: for `afterEach`/`afterAll`. */
export const stopAll = async (): Promise<void> => {
  await Promise.all([...running].map((host) => host.stop()))
}

export interface SpawnOptions {
  /** Node's own flags (e.g. `--max-old-space-size=64`). */
  readonly nodeOptions?: ReadonlyArray<string>
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** How long it may take to print `listening` (default 120 s: a busy 2-core machine loads the sources slowly). */
  readonly startTimeoutMs?: number
  /**
   * Whether the lines printed after `listening` are kept and parsed (default true). A benchmark turns
   * this off: parsing two lines per delivery in the process that also sends them takes CPU from the
   * host on a small machine, which a log collector would not.
   */
  readonly keepLines?: boolean
}

const spawnListening = (args: ReadonlyArray<string>, options: SpawnOptions = {}): Promise<SpawnedHost> =>
  new Promise((resolve, reject) => {
    killOnExit()
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...args], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd })
    })
    // The channel is there for the child to notice the parent's end; it must not hold the parent open.
    child.channel?.unref()
    const lines: Array<Record<string, unknown>> = []
    let output = ""
    let pending = ""
    let ready = false
    let stderr = ""
    let exited = false
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      output += chunk.toString()
    })
    const exit = new Promise<void>((done) =>
      child.once("exit", () => {
        exited = true
        done()
      })
    )
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the host process did not start: ${stderr}`))
    }, options.startTimeoutMs ?? 120_000)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`the host process exited (${code ?? signal}) before listening: ${stderr}`))
    })
    const end = async (signal: NodeJS.Signals, graceMs: number) => {
      if (!exited) child.kill(signal)
      const killer = setTimeout(() => child.kill("SIGKILL"), graceMs)
      await exit
      clearTimeout(killer)
      running.delete(host)
    }
    let host: SpawnedHost
    child.stdout?.on("data", (chunk: Buffer) => {
      if (ready && options.keepLines === false) return
      output += chunk.toString()
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
          const pid = child.pid ?? 0
          host = {
            url: String(parsed.url),
            webhookUrl: String(parsed.webhookUrl),
            redirectUri: String(parsed.redirectUri),
            child,
            pid,
            workers: Array.isArray(parsed.workers) ? (parsed.workers as Array<number>) : [pid],
            lines,
            output: () => output,
            alive: () => !exited,
            rssBytes: () => statusField(pid, "VmRSS"),
            peakRssBytes: () => statusField(pid, "VmHWM"),
            stop: () => end("SIGTERM", 10_000),
            kill: (signal = "SIGKILL") => end(signal, 5_000)
          }
          running.add(host)
          resolve(host)
        } else lines.push(parsed)
      }
    })
  })

/** A host process with one connection (see {@link HostProcessConfig}). */
export const spawnHost = (config: HostProcessConfig, options: SpawnOptions = {}): Promise<SpawnedHost> =>
  spawnListening([builtEntry("host-process"), JSON.stringify(config)], options)

/**
 * `pnpm taskjuice serve --json <args>`: the CLI as an operator runs it, printing JSON lines. Its secrets come from `env`
 * (`TASKJUICE_RUNTIME_TOKEN`, `INTERCOM_CLIENT_SECRET`, `TASKJUICE_STATE_KEY`, …), as they would.
 */
export const spawnServe = (args: ReadonlyArray<string>, options: SpawnOptions = {}): Promise<SpawnedHost> =>
  spawnListening([builtEntry("bin"), "serve", "--json", ...args], options)
