/**
 * Where the state lives, as `--state` or `TASKJUICE_STATE` name it: `sqlite:PATH` (the default,
 * `sqlite:.taskjuice/state.sqlite`), `redis://HOST:PORT/DB`, or `memory` (this process only).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { StateLocationError } from "./StateError.ts"

/**
 * @since 0.1.0
 * @category models
 */
export type StateLocation =
  | { readonly _tag: "Memory" }
  | { readonly _tag: "Sqlite"; readonly path: string }
  | {
      readonly _tag: "Redis"
      readonly host: string
      readonly port: number
      readonly database: number
      readonly username?: string | undefined
      readonly password?: Redacted.Redacted<string> | undefined
    }

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultStateLocation = "sqlite:.taskjuice/state.sqlite"

/**
 * @since 0.1.0
 * @category constants
 */
export const stateVariable = "TASKJUICE_STATE"

/** The value as it may be shown: a Redis password masked. */
const shown = (text: string): string => text.replace(/^(redis:\/\/[^:@/]*:)[^@/]*@/, "$1***@")

/**
 * Parses a state location; `field` names where it came from in the error (`--state`, `TASKJUICE_STATE`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseStateLocation = (
  text: string,
  field: string = stateVariable
): StateLocation | StateLocationError => {
  const value = text.trim()
  const fail = (reason: string) => new StateLocationError({ field, value: shown(value), reason })
  if (value === "memory") return { _tag: "Memory" }
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length)
    if (path === "") return fail("names no file after sqlite:")
    return { _tag: "Sqlite", path }
  }
  if (value.startsWith("redis://")) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return fail("is not a URL")
    }
    if (url.hostname === "") return fail("names no host")
    const port = url.port === "" ? 6379 : Number(url.port)
    const path = url.pathname.replace(/^\//, "")
    const database = path === "" ? 0 : Number(path)
    if (!(Number.isInteger(database) && database >= 0 && database <= 15 && /^\d*$/.test(path))) {
      return fail("has a database that is not a number from 0 to 15")
    }
    if (url.search !== "" || url.hash !== "") return fail("has a query or fragment, which is not read")
    return {
      _tag: "Redis",
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      database,
      ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
      ...(url.password === "" ? {} : { password: Redacted.make(decodeURIComponent(url.password)) })
    }
  }
  if (value === "") return fail("is empty")
  return fail("is not a state location")
}

/**
 * The location as text, a Redis password left out.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatStateLocation = (location: StateLocation): string => {
  switch (location._tag) {
    case "Memory":
      return "memory"
    case "Sqlite":
      return `sqlite:${location.path}`
    case "Redis":
      return `redis://${location.host.includes(":") ? `[${location.host}]` : location.host}:${location.port}/${location.database}`
  }
}
