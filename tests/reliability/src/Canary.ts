/**
 * Canary secrets: an access token and a client secret with a recognisable, unique shape, fed into every
 * path of the suite (the simulator, the bundle host, the connection), and a watch over everything the
 * suite can see — log lines, console and process output, HTTP bodies, step errors, printed reports —
 * that reports any place a canary shows up.
 */
import { randomBytes } from "node:crypto"
import * as Redacted from "effect/Redacted"

export interface Canaries {
  readonly accessToken: Redacted.Redacted<string>
  readonly clientSecret: Redacted.Redacted<string>
}

/** Fresh canaries per run, so a leak can never be an old string left in a file. */
export const makeCanaries = (): Canaries => ({
  accessToken: Redacted.make(`canary_tok_${randomBytes(16).toString("hex")}`),
  clientSecret: Redacted.make(`canary_sec_${randomBytes(16).toString("hex")}`)
})

/** Where a canary was found, and a short stretch of text around it with the canary masked. */
export interface Leak {
  readonly where: string
  readonly secret: string
  readonly excerpt: string
}

export interface LeakWatch {
  /** Adds a secret to look for (e.g. a token the simulator issued through OAuth). */
  readonly watchSecret: (name: string, secret: Redacted.Redacted<string>) => void
  /** Checks one piece of text now (an HTTP body, a step error, a report). */
  readonly inspect: (where: string, text: string) => void
  /** A `writeLine` for the bundle host: keeps the line and inspects it. */
  readonly writeLine: (line: string) => void
  readonly lines: () => ReadonlyArray<string>
  /** Every leak seen so far. */
  readonly leaks: () => ReadonlyArray<Leak>
  /** How many texts were inspected (so a test can show the watch was not idle). */
  readonly inspected: () => number
  /** Stops capturing console and process output. */
  readonly stop: () => void
}

type Writer = (chunk: string | Uint8Array, ...rest: Array<unknown>) => boolean

const consoleMethods = ["log", "info", "warn", "error", "debug", "trace"] as const

/**
 * Starts watching: console methods and process.stdout/stderr writes are captured (and still passed
 * through), so nothing any part of the system prints escapes the check.
 */
export const watchForLeaks = (canaries: Canaries): LeakWatch => {
  const secrets = new Map<string, string>([
    ["access token", Redacted.value(canaries.accessToken)],
    ["client secret", Redacted.value(canaries.clientSecret)]
  ])
  const leaks: Array<Leak> = []
  const lines: Array<string> = []
  let inspected = 0

  const inspect = (where: string, text: string) => {
    inspected++
    for (const [name, secret] of secrets) {
      const at = text.indexOf(secret)
      if (at === -1) continue
      const excerpt = text
        .slice(Math.max(0, at - 60), at + secret.length + 60)
        .replaceAll(secret, `<${name}>`)
      leaks.push({ where, secret: name, excerpt })
    }
  }

  const originalConsole = new Map(consoleMethods.map((method) => [method, console[method]]))
  for (const method of consoleMethods) {
    const original = console[method]
    console[method] = (...args: Array<unknown>) => {
      inspect(`console.${method}`, args.map(describe).join(" "))
      original.apply(console, args)
    }
  }
  const wrapStream = (stream: NodeJS.WriteStream, name: string) => {
    const original = stream.write.bind(stream) as Writer
    stream.write = ((chunk: string | Uint8Array, ...rest: Array<unknown>) => {
      inspect(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))
      return original(chunk, ...rest)
    }) as typeof stream.write
    return () => {
      stream.write = original as typeof stream.write
    }
  }
  const restoreStdout = wrapStream(process.stdout, "process.stdout")
  const restoreStderr = wrapStream(process.stderr, "process.stderr")

  return {
    watchSecret: (name, secret) => {
      secrets.set(name, Redacted.value(secret))
    },
    inspect,
    writeLine: (line) => {
      lines.push(line)
      inspect("bundle log line", line)
    },
    lines: () => lines,
    leaks: () => leaks,
    inspected: () => inspected,
    stop: () => {
      for (const [method, original] of originalConsole) console[method] = original
      restoreStdout()
      restoreStderr()
    }
  }
}

const describe = (value: unknown): string => {
  if (typeof value === "string") return value
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ""}`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
