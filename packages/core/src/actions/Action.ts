/**
 * An action is data: a key, a title, input and output Schemas, whether it is idempotent, the retry
 * policy it uses, the Intercom operations it calls, and `run`. `executeAction` is the one way to run
 * it: decode the input (nothing is sent when it is bad), run (which checks Intercom's answer), retry
 * per policy.
 */
import type { IntercomClient, OperationId } from "@taskjuice/intercom-client"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import type { AnswerFits, AnswerSchema } from "../api/Answer.ts"
import { type FetchResult, IntercomApi } from "../api/IntercomApi.ts"
import type { IntercomError } from "../api/IntercomError.ts"
import type { RateLimiter } from "../api/RateLimiter.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { decoderOf, type IssueEntry, issueEntries, issuesOf } from "../internal/schema.ts"

/** What `run` learns about the execution it is part of. */
export interface ActionContext {
  /** 0 on the first try, then 1, 2 … on each retry of the same execution. */
  readonly attempt: number
}

export interface ActionDefinition<I, O> {
  /** TaskJuice's key, e.g. "intercom/create-contact". */
  readonly key: `intercom/${string}`
  readonly title: string
  readonly description: string
  readonly input: Schema.Codec<I, unknown>
  readonly output: Schema.Codec<O, unknown>
  /** Whether running it twice with the same input has the effect of running it once. */
  readonly idempotent: boolean
  readonly retry: RetryPolicy.RetryPolicy
  /** The Intercom operationIds it may call. */
  readonly operations: ReadonlyArray<OperationId>
  // A method, not a property: that keeps `ActionDefinition<I, O>` assignable to `AnyActionDefinition`.
  run(input: I, context: ActionContext): Effect.Effect<O, IntercomError, IntercomApi | RateLimiter>
}

/** Any action, whatever its input and output types (for lists and lookups). */
export type AnyActionDefinition = ActionDefinition<unknown, unknown>

export const defineAction = <I, O>(definition: ActionDefinition<I, O>): ActionDefinition<I, O> => definition

/** An action that is one request of one Intercom operation, whose answer is its output. */
export interface CallActionDefinition<I, O, Op extends OperationId>
  extends Omit<ActionDefinition<I, O>, "output" | "retry" | "operations" | "run"> {
  readonly output: AnswerSchema<O>
  readonly operation: Op
  /** Sends the request for an input. */
  readonly send: (input: I, client: IntercomClient, signal: AbortSignal) => Promise<FetchResult<unknown>>
}

/**
 * Defines a one-request action: it calls only its operation, and is retried as its idempotence allows
 * (transient failures when idempotent; when not, only a request that never reached Intercom).
 */
export const defineCallAction = <I, O, Op extends OperationId>(
  definition: CallActionDefinition<I, O, Op>,
  ...answerFits: AnswerFits<Op, O>
): ActionDefinition<I, O> => {
  const { operation, send, ...described } = definition
  const call = { operation, idempotent: definition.idempotent, answer: definition.output }
  return defineAction({
    ...described,
    retry: definition.idempotent ? RetryPolicy.transient : RetryPolicy.unsentOnly,
    operations: [operation],
    run: (input) =>
      IntercomApi.use((api) => api.call(call, (client, signal) => send(input, client, signal), ...answerFits))
  })
}

export type InputIssue = IssueEntry

/** The input does not match the action's Schema; nothing was sent to Intercom. */
export class ActionInputInvalid extends Data.TaggedError("ActionInputInvalid")<{
  readonly action: string
  readonly issues: ReadonlyArray<InputIssue>
}> {
  override get message(): string {
    const issues = this.issues.map((issue) =>
      issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`
    )
    return `${this.action}: invalid input: ${issues.join("; ")}`
  }
}

/** Flattens a Schema issue tree of a decode of `input` into `{ path, message }` entries. */
export const inputIssues: (issue: SchemaIssue.Issue, input?: unknown) => ReadonlyArray<InputIssue> =
  issueEntries

/**
 * How an input's JSON Schema is published: like the decoder, it refuses fields the Schema does not
 * name (`additionalProperties: false`), so a form and the core give the same verdict.
 */
export const inputJsonSchemaOptions: Schema.ToJsonSchemaOptions = { onExcessProperty: "error" }

/**
 * The input decoded, or why it is refused; every issue, by field path. A field the Schema does not
 * name is refused, not dropped: a misspelt `emial` would otherwise vanish and the step run without it.
 */
const decodedInput = <I>(
  definition: Pick<ActionDefinition<I, unknown>, "key" | "input">,
  rawInput: unknown
): Exit.Exit<I, ActionInputInvalid> => {
  const decoded = decoderOf(definition.input, "strict")(rawInput)
  if (Exit.isSuccess(decoded)) return Exit.succeed(decoded.value)
  const issues = issuesOf(decoded.cause, rawInput)
  return issues === undefined
    ? Exit.failCause(Cause.die(Cause.squash(decoded.cause)))
    : Exit.fail(new ActionInputInvalid({ action: definition.key, issues }))
}

/** Decodes an action's input; bad input fails with every issue, by field path. */
export const decodeInput = <I>(
  definition: Pick<ActionDefinition<I, unknown>, "key" | "input">,
  rawInput: unknown
): Effect.Effect<I, ActionInputInvalid> => Effect.suspend(() => decodedInput(definition, rawInput))

/** Decodes the input, runs the action and retries it as its policy says. */
export const executeAction = <I, O>(
  definition: ActionDefinition<I, O>,
  rawInput: unknown
): Effect.Effect<O, ActionInputInvalid | IntercomError, IntercomApi | RateLimiter> => {
  const runWithRetries = (input: I): Effect.Effect<O, IntercomError, IntercomApi | RateLimiter> =>
    // The retry machinery starts only after a first failure, which it sees as its first input, so
    // the schedule behaves exactly as `Effect.retry(once, schedule)` without costing a successful call.
    Effect.catch(definition.run(input, { attempt: 0 }), (firstFailure) => {
      // `run` learns whether it is a retry (create-contact looks first): 1, 2 … after the replay.
      let attempt = 0
      const replayThenRun = Effect.suspend(() =>
        attempt++ === 0 ? Effect.fail(firstFailure) : definition.run(input, { attempt: attempt - 1 })
      )
      return Effect.retry(replayThenRun, definition.retry.schedule)
    })
  return Effect.suspend(
    (): Effect.Effect<O, ActionInputInvalid | IntercomError, IntercomApi | RateLimiter> => {
      const decoded = decodedInput(definition, rawInput)
      return Exit.isSuccess(decoded) ? runWithRetries(decoded.value) : Effect.failCause(decoded.cause)
    }
  )
}
