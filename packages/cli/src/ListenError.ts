/**
 * A server that could not start listening, as the user error a person can act on: a port in use
 * names the port and the flag that changes it, an address that is not this machine's names `--host`.
 * Anything else is not a listen failure, and is left to the caller.
 */
import * as CommandError from "./CommandError.ts"

/** One listener a command starts: the flag that sets its port, and the port it asked for. */
export interface Listener {
  readonly flag: string
  readonly port: number
}

const codes = ["EADDRINUSE", "EADDRNOTAVAIL", "EACCES"] as const
type ListenCode = (typeof codes)[number]

/** Every message along `error`'s cause chain (an Effect failure wraps Node's error, a message may quote it). */
const messagesOf = (error: unknown): ReadonlyArray<string> => {
  const messages: Array<string> = []
  let current = error
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current === "string") messages.push(current)
    else if (typeof current === "object") {
      const { code, message } = current as { code?: unknown; message?: unknown }
      if (typeof code === "string") messages.push(code)
      if (typeof message === "string") messages.push(message)
    }
    current = typeof current === "object" ? (current as { cause?: unknown }).cause : undefined
  }
  return messages
}

const listenCode = (messages: ReadonlyArray<string>): ListenCode | undefined =>
  codes.find((code) => messages.some((message) => message.includes(code)))

/** The port Node names in `listen EADDRINUSE: address already in use 127.0.0.1:4020`. */
const portNamed = (messages: ReadonlyArray<string>): number | undefined => {
  for (const message of messages) {
    const match = /\b(?:EADDRINUSE|EADDRNOTAVAIL|EACCES)\b[^\n]*?:(\d{1,5})\b/.exec(message)
    if (match !== null) return Number(match[1])
  }
  return undefined
}

/**
 * The user error for a failed listen, or `undefined` when `error` is something else. With several
 * listeners, the one whose port Node names is the one reported (else the first).
 */
export const listenFailure = (
  error: unknown,
  options: { readonly host: string; readonly listeners: ReadonlyArray<Listener> }
): CommandError.CommandError | undefined => {
  const messages = messagesOf(error)
  const code = listenCode(messages)
  if (code === undefined) return undefined
  const named = portNamed(messages)
  const listener =
    options.listeners.find((candidate) => candidate.port !== 0 && candidate.port === named) ??
    options.listeners.find((candidate) => candidate.port !== 0) ??
    options.listeners[0]
  const port = listener?.port ?? named ?? 0
  const flag = listener?.flag ?? "--port"
  switch (code) {
    case "EADDRINUSE":
      return CommandError.userInput(`port ${port} on ${options.host} is in use`, {
        fix: `pass ${flag} 0 for any free port, or another ${flag}`,
        detail: { port, flag, host: options.host }
      })
    case "EADDRNOTAVAIL":
      return CommandError.userInput(
        `cannot listen on --host ${options.host}: not an address of this machine`,
        {
          fix: "pass an address of this machine, e.g. --host 127.0.0.1",
          detail: { host: options.host }
        }
      )
    case "EACCES":
      return CommandError.userInput(`not allowed to listen on port ${port}`, {
        fix: `pass a port above 1023 to ${flag}, or ${flag} 0`,
        detail: { port, flag }
      })
  }
}
