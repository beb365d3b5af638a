/**
 * Printing a command's result the way the caller asked: text lines, or under `--json` one JSON
 * object (a stream prints one object per line). Warnings go to stderr, so stdout stays parseable.
 */
import * as Console from "effect/Console"
import type * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import { Json } from "./GlobalFlags.ts"

type JsonSetting = GlobalFlag.Setting.Identifier<"json">

/** Prints `value` as JSON under `--json`, else the text `lines` makes of it. */
export const result = <A>(
  value: A,
  lines: (value: A) => string | ReadonlyArray<string>
): Effect.Effect<void, never, JsonSetting> =>
  Effect.flatMap(Json, (json) => {
    if (json) return Console.log(JSON.stringify(value))
    const text = lines(value)
    return Console.log(typeof text === "string" ? text : text.join("\n"))
  })

/** A warning: `Warning: …` on stderr, or `{ "warning": { "message", … } }` under `--json`. */
export const warning = (
  message: string,
  detail: Readonly<Record<string, unknown>> = {}
): Effect.Effect<void, never, JsonSetting> =>
  Effect.flatMap(Json, (json) =>
    Console.error(json ? JSON.stringify({ warning: { message, ...detail } }) : `Warning: ${message}`)
  )
