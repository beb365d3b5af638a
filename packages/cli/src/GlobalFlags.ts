/**
 * The flags every command of every CLI takes: `--json` (machine-readable output, errors included)
 * and `--debug` (an internal error's stack trace). Declared once on the root command by `run`, read
 * in a handler with `yield* Json`.
 */
import * as Flag from "effect/cli/Flag"
import * as GlobalFlag from "effect/cli/GlobalFlag"

export const Json = GlobalFlag.Setting("json")({
  flag: Flag.Boolean("json").pipe(
    Flag.withDescription("print JSON instead of text: one object, or one per line for a stream; errors too"),
    Flag.withDefault(false)
  )
})

export const Debug = GlobalFlag.Setting("debug")({
  flag: Flag.Boolean("debug").pipe(
    Flag.withDescription("on an internal error, print its stack trace"),
    Flag.withDefault(false)
  )
})
