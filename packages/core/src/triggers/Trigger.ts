/**
 * A trigger declared as plain data: its key, the Intercom topics it listens to, the Schemas of its
 * options and of its activation payload (the whole notification envelope), a sample, and the rule that
 * says whether a notification activates a workflow configured with given options.
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { SchemaJITCompiler } from "effect/schema"
import { decoderOf } from "../internal/schema.ts"
import { type FieldIssue, fieldIssues } from "../webhooks/WebhookEnvelope.ts"
import { webhookFixture } from "../webhooks/WebhookFixtures.ts"
import type { WebhookTopic } from "./WebhookTopic.ts"

/**
 * A Schema that decodes without services (what options and payloads must be).
 *
 * @since 0.1.0
 * @category models
 */
export type PlainSchema = Schema.Top & { readonly DecodingServices: never; readonly EncodingServices: never }

/**
 * A trigger.
 *
 * @since 0.1.0
 * @category models
 */
export interface TriggerDefinition<
  Key extends string = string,
  Options extends PlainSchema = PlainSchema,
  Payload extends PlainSchema = PlainSchema
> {
  readonly kind: "trigger"
  /** The TaskJuice trigger key, e.g. `intercom/conversation-created`. */
  readonly key: Key
  readonly title: string
  readonly description: string
  /** The Intercom topics that may activate it. */
  readonly topics: NonEmptyReadonlyArray<Exclude<WebhookTopic, "ping">>
  /** The options a workflow sets on the trigger; decoding `{}` gives the defaults. */
  readonly options: Options
  /** The activation payload: the notification envelope with `data.item` typed from the generated client. */
  readonly payload: Payload
  /** A realistic activation payload: the first topic's fixture, decoded with `payload`. */
  readonly sample: Payload["Type"]
  /** Whether a notification on `topic` activates a workflow whose trigger has these (decoded) options. */
  activates(topic: string, options: Options["Type"]): boolean
}

/**
 * Any trigger.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyTrigger = TriggerDefinition<string, PlainSchema, PlainSchema>

/**
 * What {@link defineTrigger} takes: everything but `kind` and `sample`, which it derives.
 *
 * @since 0.1.0
 * @category models
 */
export type TriggerSpec<Key extends string, Options extends PlainSchema, Payload extends PlainSchema> = Omit<
  TriggerDefinition<Key, Options, Payload>,
  "kind" | "sample"
>

/**
 * Declares a trigger. The sample is read from the first topic's fixture on first use and decoded with the
 * payload Schema, so a fixture that drifts from the Schema fails loudly.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineTrigger = <
  const Key extends string,
  Options extends PlainSchema,
  Payload extends PlainSchema
>(
  spec: TriggerSpec<Key, Options, Payload>
): TriggerDefinition<Key, Options, Payload> => {
  const decodeSample = Schema.decodeUnknownSync(spec.payload)
  let sample: { readonly value: Payload["Type"] } | undefined
  return {
    kind: "trigger",
    key: spec.key,
    title: spec.title,
    description: spec.description,
    topics: spec.topics,
    options: spec.options,
    payload: spec.payload,
    get sample(): Payload["Type"] {
      sample ??= { value: decodeSample(webhookFixture(spec.topics[0])) }
      return sample.value
    },
    activates: (topic, options) => spec.activates(topic, options)
  }
}

/**
 * What went wrong when decoding a trigger's options or payload.
 *
 * @since 0.1.0
 * @category errors
 */
export class TriggerDecodeError extends Data.TaggedError("TriggerDecodeError")<{
  readonly trigger: string
  readonly part: "options" | "payload"
  readonly issues: ReadonlyArray<FieldIssue>
}> {
  readonly retryable = false

  override get message(): string {
    return `${this.trigger} ${this.part} are invalid: ${this.issues
      .map((issue) => `${issue.path || "(root)"}: ${issue.problem}`)
      .join("; ")}`
  }
}

/** The interpreter's decode, which words a failure's issues (by field path). */
const interpretedDecode = <S extends PlainSchema>(
  schema: S,
  trigger: string,
  part: "options" | "payload",
  input: unknown
): Result.Result<S["Type"], TriggerDecodeError> => {
  const result = Schema.decodeUnknownResult(schema, { errors: "all" })(input)
  return Result.isSuccess(result)
    ? Result.succeed(result.success)
    : Result.fail(new TriggerDecodeError({ trigger, part, issues: fieldIssues(result.failure.issue) }))
}

/**
 * A trigger's options or payload decoded (every delivery decodes each subscription's options): the
 * compiled decoder on the way through, the interpreter only to word the issues of a failure.
 */
const decodePart = <S extends PlainSchema>(
  schema: S,
  trigger: string,
  part: "options" | "payload",
  input: unknown
): Result.Result<S["Type"], TriggerDecodeError> => {
  const decoded = decoderOf(schema as unknown as Schema.Codec<S["Type"], unknown>)(input)
  return Exit.isSuccess(decoded)
    ? Result.succeed(decoded.value)
    : interpretedDecode(schema, trigger, part, input)
}

const decodeWith = <S extends PlainSchema>(
  schema: S,
  trigger: string,
  part: "options" | "payload",
  input: unknown
): Effect.Effect<S["Type"], TriggerDecodeError> =>
  Effect.suspend(() => Effect.fromResult(decodePart(schema, trigger, part, input)))

/**
 * {@link decodeTriggerOptions}, synchronously: the options or why they are invalid.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTriggerOptionsResult = <T extends AnyTrigger>(
  trigger: T,
  input: unknown
): Result.Result<T["options"]["Type"], TriggerDecodeError> =>
  decodePart(trigger.options, trigger.key, "options", input)

/**
 * Decodes a workflow's trigger options (as stored, e.g. `{}` or `{ "initiator": "admin" }`), filling in
 * the defaults.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTriggerOptions = <T extends AnyTrigger>(
  trigger: T,
  input: unknown
): Effect.Effect<T["options"]["Type"], TriggerDecodeError> =>
  decodeWith(trigger.options, trigger.key, "options", input)

/**
 * The options a workflow gets when it sets none: `{}` decoded with the trigger's options Schema. Every
 * option has a default, so this cannot fail for a trigger declared here; a trigger whose options Schema
 * rejects `{}` is a defect and throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const defaultTriggerOptions = <T extends AnyTrigger>(trigger: T): T["options"]["Type"] => {
  const result = Schema.decodeUnknownResult(trigger.options)({})
  if (Result.isSuccess(result)) return result.success
  throw new Error(`${trigger.key} has options without defaults: ${String(result.failure)}`)
}

const payloadGuards = new WeakMap<Schema.Top, (notification: unknown) => boolean>()

/** Whether a value has the payload's encoded shape: a generated guard, built once per Schema. */
const payloadGuard = (schema: PlainSchema): ((notification: unknown) => boolean) => {
  const known = payloadGuards.get(schema)
  if (known !== undefined) return known
  const encoded = Schema.toEncoded(schema)
  SchemaJITCompiler.enable(encoded.ast)
  const guard = Schema.is(encoded)
  payloadGuards.set(schema, guard)
  return guard
}

/**
 * Checks a notification against a trigger's payload Schema without decoding it: a generated guard
 * (about a tenth of a decode) answers for every notification that fits, and only one that does not is
 * decoded, for the issues. The webhook endpoint checks every delivery this way, only to warn.
 *
 * @since 0.1.0
 * @category decoding
 */
export const checkTriggerPayload = (
  trigger: AnyTrigger,
  notification: unknown
): TriggerDecodeError | undefined => {
  if (payloadGuard(trigger.payload)(notification)) return undefined
  const decoded = interpretedDecode(trigger.payload, trigger.key, "payload", notification)
  return Result.isFailure(decoded) ? decoded.failure : undefined
}

/**
 * Decodes a notification (already parsed, e.g. by `decodeNotification`) as a trigger's activation payload.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTriggerPayload = <T extends AnyTrigger>(
  trigger: T,
  notification: unknown
): Effect.Effect<T["payload"]["Type"], TriggerDecodeError> =>
  decodeWith(trigger.payload, trigger.key, "payload", notification)
