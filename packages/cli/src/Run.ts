/**
 * Runs a command line: parses with effect/cli, prints help and parse errors through our presenter,
 * and turns the outcome into the exit code of its category. No user error prints a stack trace: a
 * `CommandError` prints its one line, an unexpected failure prints one line saying how to get the
 * trace (`--debug`). The rule for no arguments is the same everywhere: a CLI with subcommands prints
 * its help and exits 2; a CLI without any (`./dev start`) runs with its defaults.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as CommandError from "./CommandError.ts"
import { exitCodes } from "./ExitCode.ts"
import { Debug, Json } from "./GlobalFlags.ts"
import { formatter, presenter, printError } from "./Presenter.ts"

export interface RunOptions {
  readonly version: string
  /** The words after the program's name (default `process.argv.slice(2)`). */
  readonly argv?: ReadonlyArray<string> | undefined
  /**
   * Whether `--version` (`-v`) prints the version (default true). A CLI whose commands take a
   * `--version` of their own (the codegen's Intercom version) turns it off.
   */
  readonly versionFlag?: boolean | undefined
}

type GlobalSettings = GlobalFlag.Setting.Identifier<"json"> | GlobalFlag.Setting.Identifier<"debug">

/** The services a command may need from the runner: Node's, plus the `--json` and `--debug` settings. */
export type Services = Command.Environment | GlobalSettings

const isCommandError = (error: unknown): error is CommandError.CommandError =>
  error instanceof CommandError.CommandError

/** Maps how the run ended to an exit code, printing the failure (once) as it goes. */
const conclude = (
  exit: Exit.Exit<void, unknown>,
  options: { readonly json: boolean; readonly debug: boolean }
): Effect.Effect<number> => {
  if (Exit.isSuccess(exit)) return Effect.succeed(exitCodes.ok)
  const cause = exit.cause
  // Interrupted by SIGINT/SIGTERM: how `serve` and `listen` are meant to stop.
  if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(exitCodes.ok)
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    if (isCommandError(error)) return Effect.as(printError(error, options.json), error.exitCode)
    // Help and parse errors were printed by the presenter; help shown for want of a command is a usage error too.
    if (CliError.isCliError(error) && error._tag === "ShowHelp") return Effect.succeed(exitCodes.user_input)
    if (CliError.isCliError(error)) {
      return Effect.as(printError(CommandError.userInput(error.message), options.json), exitCodes.user_input)
    }
  }
  const squashed = Cause.squash(cause)
  const message = squashed instanceof Error ? squashed.message : String(squashed)
  const error = CommandError.internal(`internal error: ${message}`, {
    fix: options.debug ? undefined : "run again with --debug for the stack trace"
  })
  return Effect.gen(function* () {
    yield* printError(error, options.json)
    if (options.debug) yield* Console.error(Cause.pretty(cause))
    return error.exitCode
  })
}

/**
 * Runs `command` as the process's main program and exits with the code of how it ended. The root
 * command gets `--json` and `--debug` (read them with `yield* Json`, `yield* Debug`); the built-ins
 * are `--help` and, unless `versionFlag` is false, `--version`.
 */
export const run = <Name extends string, Input, ContextInput, E>(
  command: Command.Command<Name, Input, ContextInput, E, Services>,
  options: RunOptions
): void => {
  const argv = options.argv ?? process.argv.slice(2)
  // Read before parsing, so that a parse error is already rendered the way the caller asked.
  const json = argv.includes("--json")
  const debug = argv.includes("--debug")
  const root = command.pipe(Command.withGlobalFlags([Json, Debug]))
  const layer = Layer.mergeAll(
    NodeServices.layer,
    CliConfig.layer({
      builtIns: options.versionFlag === false ? [GlobalFlag.Help] : [GlobalFlag.Help, GlobalFlag.Version]
    }),
    CliOutput.layer(formatter()),
    CliOutput.layerPresenter(presenter({ json }))
  )
  const program = Command.runWith(root, { version: options.version })(argv).pipe(
    Effect.provide(layer),
    Effect.exit,
    Effect.flatMap((exit) => conclude(exit, { json, debug }))
  )
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    // A signal interrupts the whole program, `conclude` included: that is a stop, not a failure.
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? (exit.value as number)
          : Cause.hasInterruptsOnly(exit.cause)
            ? exitCodes.ok
            : exitCodes.internal
      )
  })
}
