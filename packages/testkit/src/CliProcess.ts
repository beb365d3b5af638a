/**
 * The CLI harness: runs one of our command lines as its own process (node on its entry file, as the
 * root scripts do) and hands back its exit code and output, or keeps a long-running one (`serve`,
 * `listen`) and reads its lines as they come. Plus the checks every CLI test makes of a user error.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  /** Variables for the child; PATH is passed on, nothing else unless given. */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly cwd?: string | undefined
  /** Kill the child after this long (default 2 min, for a machine busy with the whole suite): a hung CLI fails its test instead of hanging it. */
  readonly timeoutMs?: number | undefined
}

const childEnv = (env: CliOptions["env"]): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? "",
  NO_COLOR: "1",
  ...env
})

/** Runs `node <entry> ...args` to its end. */
export const runCli = (
  entry: string,
  args: ReadonlyArray<string>,
  options: CliOptions = {}
): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

export interface RunningCli {
  readonly child: ChildProcess
  /** Every stdout line so far. */
  readonly lines: ReadonlyArray<string>
  /** Every stderr chunk so far, joined. */
  readonly stderr: () => string
  /** Resolves with the first line (already printed or still to come) that `match` accepts. */
  readonly waitForLine: (match: (line: string) => boolean, timeoutMs?: number) => Promise<string>
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts `node <entry> ...args` and keeps it running. */
export const startCli = (
  entry: string,
  args: ReadonlyArray<string>,
  options: CliOptions = {}
): RunningCli => {
  const child = spawn(process.execPath, [entry, ...args], {
    env: childEnv(options.env),
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  const waiters = new Set<() => void>()
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line)
    for (const waiter of waiters) waiter()
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine: (match, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match)
          if (found === undefined) return false
          clearTimeout(timer)
          waiters.delete(onLine)
          resolve(found)
          return true
        }
        const onLine = () => void check()
        const timer = setTimeout(() => {
          waiters.delete(onLine)
          reject(
            new Error(
              `no matching line within ${timeoutMs} ms; stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`
            )
          )
        }, timeoutMs)
        if (!check()) waiters.add(onLine)
        void exited.then(() => {
          if (waiters.has(onLine) && !check()) {
            clearTimeout(timer)
            waiters.delete(onLine)
            reject(
              new Error(`exited before a matching line; stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`)
            )
          }
        })
      }),
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    }
  }
}

/** A stack frame line, as Node prints them (`    at fn (file:line:col)`). */
export const stackFrame = /^\s+at\s/m

/**
 * What is wrong with a user error's stderr, or an empty list: it must be one line (a `--json` one
 * must parse), and carry no stack trace.
 */
export const userErrorProblems = (stderr: string, options: { readonly json?: boolean } = {}) => {
  const problems: Array<string> = []
  const lines = stderr.trimEnd().split("\n")
  if (stderr.trim() === "") problems.push("stderr is empty")
  if (lines.length !== 1) problems.push(`stderr has ${lines.length} lines, not 1`)
  if (stackFrame.test(stderr)) problems.push("stderr has a stack trace")
  if (options.json === true) {
    try {
      JSON.parse(lines.at(-1) ?? "")
    } catch {
      problems.push("stderr's line is not JSON")
    }
  } else if (!stderr.startsWith("Error: ")) problems.push('stderr does not start with "Error: "')
  return problems
}
