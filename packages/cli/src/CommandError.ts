/**
 * The one error a command fails with: a category (its exit code), what went wrong, and what the
 * user can do about it: the fix, the valid choices, a did-you-mean. It always renders as one line;
 * `--json` gets the same fields as an object.
 */
import * as Data from "effect/Data"
import { type ErrorCategory, exitCodes } from "./ExitCode.ts"
import { didYouMean } from "./Suggest.ts"

export interface CommandErrorFields {
  readonly category: ErrorCategory
  /** What went wrong, e.g. `unknown topic "nope"` (one clause, no trailing period). */
  readonly message: string
  /** What to do about it, e.g. `list them with ./dev sim topics`. */
  readonly fix?: string | undefined
  /** The valid values, when the input had to be one of them. */
  readonly choices?: ReadonlyArray<string> | undefined
  /** How `choices` are named in the line, e.g. `topics` (default `choices`). */
  readonly choicesLabel?: string | undefined
  /** The nearest valid values (did-you-mean). */
  readonly suggestions?: ReadonlyArray<string> | undefined
  /** More for `--json` readers (not printed in the line). */
  readonly detail?: Readonly<Record<string, unknown>> | undefined
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

const listedChoices = 16

/** Lists values for a line: all of them up to 16, else the first 16 and how many more. */
export const listChoices = (choices: ReadonlyArray<string>): string =>
  choices.length <= listedChoices
    ? choices.join(", ")
    : `${choices.slice(0, listedChoices).join(", ")} (and ${choices.length - listedChoices} more)`

export class CommandError extends Data.TaggedError("CommandError")<CommandErrorFields> {
  get exitCode(): number {
    return exitCodes[this.category]
  }

  /** Only a network failure may succeed when run again unchanged. */
  get retryable(): boolean {
    return this.category === "network"
  }

  /** The line a person reads: what went wrong; did you mean …?; valid …: …; the fix. */
  get line(): string {
    const parts = [oneLine(this.message)]
    if (this.suggestions !== undefined && this.suggestions.length > 0) {
      parts.push(`did you mean ${this.suggestions.join(" or ")}?`)
    }
    if (this.choices !== undefined && this.choices.length > 0) {
      parts.push(`valid ${this.choicesLabel ?? "choices"}: ${listChoices(this.choices)}`)
    }
    if (this.fix !== undefined) parts.push(oneLine(this.fix))
    // After a question the next part starts a sentence: "did you mean red? Valid colours: …".
    return parts.reduce((line, part) =>
      line.endsWith("?") ? `${line} ${part.charAt(0).toUpperCase()}${part.slice(1)}` : `${line}; ${part}`
    )
  }

  /** The same error, with `fields` in place of its own (e.g. a fix only the caller knows). */
  with(fields: Partial<CommandErrorFields>): CommandError {
    return new CommandError({
      category: this.category,
      message: this.message,
      fix: this.fix,
      choices: this.choices,
      choicesLabel: this.choicesLabel,
      suggestions: this.suggestions,
      detail: this.detail,
      ...fields
    })
  }

  /** The `--json` form: `{ error: { category, exitCode, message, … } }`. */
  toJson(): { readonly error: Record<string, unknown> } {
    return {
      error: {
        category: this.category,
        exitCode: this.exitCode,
        message: this.line,
        ...(this.fix === undefined ? {} : { fix: oneLine(this.fix) }),
        ...(this.choices === undefined ? {} : { choices: this.choices }),
        ...(this.suggestions === undefined || this.suggestions.length === 0
          ? {}
          : { suggestions: this.suggestions }),
        ...this.detail
      }
    }
  }
}

type Options = Omit<CommandErrorFields, "category" | "message">

const make =
  (category: ErrorCategory) =>
  (message: string, options: Options = {}): CommandError =>
    new CommandError({ category, message, ...options })

/** Bad input: a command, flag, argument or value (exit 2). */
export const userInput = make("user_input")
/** A server could not be reached (exit 3). */
export const network = make("network")
/** A server refused the request (exit 4). */
export const api = make("api")
/** A webhook delivery failed (exit 5). */
export const delivery = make("delivery")
/** A file could not be read or written (exit 6). */
export const filesystem = make("filesystem")
/** A bug (exit 1); prefer letting defects reach the runner, which says how to get the stack trace. */
export const internal = make("internal")

/**
 * A value that had to be one of `choices`: names it, suggests the nearest ones and lists them all.
 * `what` names the thing in the singular (`topic`), `label` the list (default `what` + "s").
 */
export const unknownChoice = (options: {
  readonly what: string
  readonly value: string
  readonly choices: ReadonlyArray<string>
  readonly label?: string | undefined
  readonly fix?: string | undefined
}): CommandError =>
  userInput(`unknown ${options.what} "${options.value}"`, {
    choices: options.choices,
    choicesLabel: options.label ?? `${options.what}s`,
    suggestions: didYouMean(options.value, options.choices),
    fix: options.fix
  })
