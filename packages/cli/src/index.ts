/**
 * What every command line of ours shares, over effect/cli. Build the commands with effect/cli's
 * `Command`, `Flag` and `Argument`, take the common flags from `Flags`, fail with a `CommandError`,
 * print with `Output`, and hand the root command to `run`.
 */
export * as CommandError from "./CommandError.ts"
export { type ErrorCategory, exitCodeMeanings, exitCodes } from "./ExitCode.ts"
export * as Flags from "./Flags.ts"
export { Debug, Json } from "./GlobalFlags.ts"
export { type Listener, listenFailure } from "./ListenError.ts"
export * as Output from "./Output.ts"
export { fromParseError, helpJson, printError } from "./Presenter.ts"
export { type RunOptions, run, type Services } from "./Run.ts"
export { didYouMean } from "./Suggest.ts"
