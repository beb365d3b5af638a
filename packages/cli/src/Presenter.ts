/**
 * How effect/cli's output reaches the user: help with the exit codes (as text or, under `--json`, as
 * an object), and every parse error as one line that names what was wrong, the did-you-mean, the
 * valid choices and where to look, instead of the help page followed by a multi-line ERROR block.
 */
import * as Console from "effect/Console"
import type * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import type { FlagDoc, HelpDoc } from "effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CommandError from "./CommandError.ts"
import { exitCodeMeanings, exitCodes } from "./ExitCode.ts"
import { didYouMean } from "./Suggest.ts"

const exitCodeLines = (Object.keys(exitCodes) as Array<keyof typeof exitCodes>).map(
  (name) => `  ${String(exitCodes[name]).padEnd(3)}${name.padEnd(12)}${exitCodeMeanings[name]}`
)

/** effect/cli's help text, followed by the exit codes every CLI of ours shares. */
export const formatter = (colors?: boolean): CliOutput.Formatter => {
  const base = CliOutput.defaultFormatter({ colors, globalFlags: "full" })
  return {
    ...base,
    formatHelpDoc: (doc) =>
      `${base.formatHelpDoc(doc).trimEnd()}\n\nEXIT CODES\n${exitCodeLines.join("\n")}\n`
  }
}

const flagJson = (flag: FlagDoc) => ({
  name: `--${flag.name}`,
  aliases: flag.aliases,
  type: flag.type,
  description: Option.getOrNull(flag.description),
  required: flag.required
})

/** The help page as data, for `--help --json`. */
export const helpJson = (doc: HelpDoc) => ({
  help: {
    command: (doc.commandPath ?? []).join(" "),
    usage: doc.usage,
    description: doc.description,
    arguments: (doc.args ?? []).map((arg) => ({
      name: arg.name,
      type: arg.type,
      description: Option.getOrNull(arg.description),
      required: arg.required,
      variadic: arg.variadic
    })),
    flags: doc.flags.map(flagJson),
    globalFlags: (doc.globalFlags ?? []).map(flagJson),
    commands: (doc.subcommands ?? []).flatMap((group) =>
      group.commands.map((command) => ({
        name: command.name,
        description: command.shortDescription ?? command.description
      }))
    ),
    examples: doc.examples ?? [],
    exitCodes
  }
})

const commandName = (doc: HelpDoc, path: ReadonlyArray<string>): string => (doc.commandPath ?? path).join(" ")

/** The command's own flags (the global ones are on every help page). */
const flagNames = (doc: HelpDoc): ReadonlyArray<string> =>
  [...doc.flags, ...(doc.inheritedFlags ?? [])].map((flag) => `--${flag.name}`)

const globalFlagNames = (doc: HelpDoc): ReadonlyArray<string> =>
  (doc.globalFlags ?? []).map((flag) => `--${flag.name}`)

const commandNames = (doc: HelpDoc): ReadonlyArray<string> =>
  (doc.subcommands ?? []).flatMap((group) => group.commands.map((command) => command.name))

/** A literal union as effect/cli words it (`"a" | "b"`), back to its values. */
const literalChoices = (expected: string): ReadonlyArray<string> | undefined => {
  const match = /^(?:Expected:? )?((?:"[^"]*"(?: \| )?)+)$/.exec(expected.trim())
  return match === null ? undefined : [...match[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!)
}

/** One parse error of effect/cli's, as our one-line error with the fix. */
export const fromParseError = (
  error: CliError.NonShowHelpErrors,
  doc: HelpDoc,
  commandPath: ReadonlyArray<string>
): CommandError.CommandError => {
  const command = commandName(doc, commandPath)
  const help = `see ${command} --help`
  switch (error._tag) {
    case "UnrecognizedOption":
      return CommandError.userInput(`unknown flag ${error.option} for ${command}`, {
        suggestions:
          error.suggestions.length > 0
            ? error.suggestions
            : didYouMean(error.option, [...flagNames(doc), ...globalFlagNames(doc)]),
        choices: flagNames(doc),
        choicesLabel: "flags",
        // A command without flags of its own (a CLI's root) has no list to give: its help says what it takes.
        fix: flagNames(doc).length === 0 ? help : undefined,
        detail: { flag: error.option }
      })
    case "UnknownSubcommand":
      return CommandError.userInput(`unknown command "${error.subcommand}" for ${command}`, {
        suggestions: error.suggestions,
        choices: commandNames(doc),
        choicesLabel: "commands",
        fix: help,
        detail: { command: error.subcommand }
      })
    case "MissingOption": {
      const flag = doc.flags.find((candidate) => candidate.name === error.option)
      const about = flag === undefined ? undefined : Option.getOrUndefined(flag.description)
      return CommandError.userInput(
        `${command} needs --${error.option}${about === undefined ? "" : ` (${about})`}`,
        {
          fix: help,
          detail: { flag: `--${error.option}` }
        }
      )
    }
    case "MissingArgument":
      return CommandError.userInput(`${command} needs <${error.argument}>`, {
        fix: `usage: ${doc.usage}`,
        detail: { argument: error.argument }
      })
    case "UnexpectedArgument":
      return CommandError.userInput(
        `unexpected ${error.arguments.length === 1 ? "argument" : "arguments"} ${error.arguments
          .map((value) => `"${value}"`)
          .join(", ")} for ${command}`,
        { fix: `usage: ${doc.usage}` }
      )
    case "InvalidValue": {
      const name = error.kind === "flag" ? `--${error.option}` : `<${error.option}>`
      const choices = literalChoices(error.expected)
      if (choices !== undefined) {
        return CommandError.userInput(
          `${name} must be one of ${CommandError.listChoices(choices)}, got "${error.value}"`,
          {
            suggestions: didYouMean(error.value, choices)
          }
        )
      }
      const expected = error.expected.replace(/^Expected:? /, "")
      return error.value === ""
        ? CommandError.userInput(`${name} needs a value (${expected})`, { fix: help })
        : CommandError.userInput(`${name} must be ${expected}, got "${error.value}"`, { fix: help })
    }
    case "ValidationError":
      return CommandError.userInput(error.message)
    case "DuplicateOption":
      return CommandError.internal(error.message)
    case "UserError":
      return CommandError.userInput(error.message)
  }
}

/** Prints a command error: `Error: <line>` on stderr, or its JSON object under `--json`. */
export const printError = (error: CommandError.CommandError, json: boolean): Effect.Effect<void> =>
  Console.error(json ? JSON.stringify(error.toJson()) : `Error: ${error.line}`)

/** The presenter `run` installs. */
export const presenter = (options: { readonly json: boolean }): CliOutput.Presenter => ({
  present: (event) =>
    Effect.gen(function* () {
      const text = yield* CliOutput.Formatter
      switch (event._tag) {
        case "Help":
          return yield* Console.log(
            options.json ? JSON.stringify(helpJson(event.helpDoc)) : text.formatHelpDoc(event.helpDoc)
          )
        case "InvalidInvocation": {
          const errors = event.errors.map((error) => fromParseError(error, event.helpDoc, event.commandPath))
          const first = errors[0]
          if (first === undefined) return
          // Several problems at once still make one line: the first is shown in full, the rest named.
          const error =
            errors.length === 1
              ? first
              : first.with({
                  message: `${first.line}; also: ${errors
                    .slice(1)
                    .map((other) => other.line)
                    .join("; ")}`,
                  choices: undefined,
                  suggestions: undefined,
                  fix: undefined
                })
          return yield* printError(error, options.json)
        }
        case "Version":
          return yield* Console.log(
            options.json
              ? JSON.stringify({ name: event.name, version: event.version })
              : text.formatVersion(event.name, event.version)
          )
      }
    })
})
