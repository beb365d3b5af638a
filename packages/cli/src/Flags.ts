/**
 * Flags whose names, defaults and messages are the same in every CLI of ours: `--host` (never
 * `--hostname`), `--port`, whole numbers in a range, one of a set of choices, absolute URLs. Each
 * refuses a bad value with one line that names the flag, what it must be and what it got.
 */

import * as CliError from "effect/cli/CliError"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { listChoices } from "./CommandError.ts"
import { didYouMean } from "./Suggest.ts"

const invalid = (message: string) => Effect.fail(new CliError.ValidationError({ message }))

export interface Range {
  readonly min?: number | undefined
  readonly max?: number | undefined
}

const describeRange = ({ min, max }: Range): string =>
  min !== undefined && max !== undefined
    ? `a whole number from ${min} to ${max}`
    : min !== undefined
      ? `a whole number of at least ${min}`
      : max !== undefined
        ? `a whole number of at most ${max}`
        : "a whole number"

/** Parses a whole number in `range`; the message says the range (so "0 is refused" is never a surprise). */
export const parseInteger = (text: string, range: Range): number | undefined => {
  if (!/^[+-]?\d+$/.test(text.trim())) return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value)) return undefined
  if (range.min !== undefined && value < range.min) return undefined
  if (range.max !== undefined && value > range.max) return undefined
  return value
}

/** `--name N`: a whole number in `range`. */
export const integer = (name: string, range: Range = {}): Flag.Flag<number> =>
  Flag.String(name).pipe(
    Flag.withMetavar("N"),
    Flag.mapEffect((text) => {
      const value = parseInteger(text, range)
      return value === undefined
        ? invalid(`--${name} must be ${describeRange(range)}, got "${text}"`)
        : Effect.succeed(value)
    })
  )

/** `--name X`: a number (fractions allowed) greater than 0, e.g. a time scale. */
export const positiveNumber = (name: string): Flag.Flag<number> =>
  Flag.String(name).pipe(
    Flag.withMetavar("X"),
    Flag.mapEffect((text) => {
      const value = Number(text)
      return text.trim() === "" || !Number.isFinite(value) || value <= 0
        ? invalid(`--${name} must be a number greater than 0, got "${text}"`)
        : Effect.succeed(value)
    })
  )

/** The message for a value outside `choices`, with the nearest ones. */
export const notAChoice = (name: string, value: string, choices: ReadonlyArray<string>): string => {
  const near = didYouMean(value, choices)
  return `--${name} must be one of ${listChoices(choices)}, got "${value}"${
    near.length > 0 ? `; did you mean ${near.join(" or ")}?` : ""
  }`
}

/** `--name a|b|c`: one of `choices`. */
export const choice = <const Choice extends string>(
  name: string,
  choices: ReadonlyArray<Choice>
): Flag.Flag<Choice> =>
  Flag.String(name).pipe(
    Flag.withMetavar(choices.join("|")),
    Flag.mapEffect((text) =>
      (choices as ReadonlyArray<string>).includes(text)
        ? Effect.succeed(text as Choice)
        : invalid(notAChoice(name, text, choices))
    )
  )

/**
 * Parses each value with a parser of the caller's that throws on bad input (its message, which
 * should show the syntax, becomes the one-line error): `--fault`, `--override`.
 */
export const parsedWith =
  <A, B>(parse: (value: A) => B) =>
  (self: Flag.Flag<A>): Flag.Flag<B> =>
    self.pipe(
      Flag.mapEffect((value) =>
        Effect.try({
          try: () => parse(value),
          catch: (error) =>
            new CliError.ValidationError({ message: error instanceof Error ? error.message : String(error) })
        })
      )
    )

/** Checks an absolute http(s) URL; the message names the flag. */
export const checkUrl = (name: string, text: string): string | undefined => {
  try {
    const url = new URL(text)
    if (url.protocol === "http:" || url.protocol === "https:") return undefined
  } catch {
    // not a URL at all: same message
  }
  return `--${name} must be an absolute http(s) URL, e.g. http://127.0.0.1:3000/webhooks/intercom, got "${text}"`
}

/** `--name URL`: an absolute http(s) URL. */
export const url = (name: string): Flag.Flag<string> =>
  Flag.String(name).pipe(
    Flag.withMetavar("URL"),
    Flag.mapEffect((text) => {
      const problem = checkUrl(name, text)
      return problem === undefined ? Effect.succeed(text) : invalid(problem)
    })
  )

/** `--host HOST`: the interface to bind (default loopback). The same name in every CLI. */
export const host = Flag.String("host").pipe(
  Flag.withMetavar("HOST"),
  Flag.withDescription("interface to bind (0.0.0.0 for every interface)"),
  Flag.withDefault("127.0.0.1")
)

/** `--port N`: the port to listen on, 0 for any free one. */
export const port = (defaultPort: number): Flag.Flag<number> =>
  integer("port", { min: 0, max: 65_535 }).pipe(
    Flag.withDescription(`port to listen on (0 picks a free one; default ${defaultPort})`),
    Flag.withDefault(defaultPort)
  )
