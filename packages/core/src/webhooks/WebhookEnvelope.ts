/**
 * The Intercom notification envelope: the JSON body of every webhook delivery, decoded with Schema after
 * its signature has been verified.
 *
 * Decoding is tolerant: fields we do not model (`links`, `self`, `delivery_status`, `delivered_at`, and
 * anything Intercom adds later, at any depth of the envelope) are kept as they arrived, so the activation
 * payload is the whole envelope and nothing is lost.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

/**
 * The largest delivery body accepted (1 MiB); larger bodies get `413` before anything reads them.
 *
 * Why 1 MiB: Intercom's notification body is one object plus a small envelope. Our largest realistic
 * fixture is about 4 KB; a conversation with its full 500-part cap of long HTML comments stays in the
 * hundreds of kilobytes. 1 MiB leaves several times that headroom while bounding what one request can make
 * us buffer, hash and parse (Intercom may send up to 150,000 notifications a minute).
 *
 * @since 0.1.0
 * @category constants
 */
export const webhookBodyLimitBytes = 1024 * 1024

const Rest = [Schema.Record(Schema.String, Schema.Unknown)] as const

/**
 * A Unix timestamp in seconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnixSeconds = Schema.Int.annotate({ description: "Unix timestamp (seconds)" })

/**
 * Any notification's `data.item`: an Intercom object named by its `type` (`conversation`, `contact`,
 * `ping`, …), every other field kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NotificationItem = Schema.StructWithRest(
  Schema.Struct({ type: Schema.String.annotate({ description: "The Intercom object type" }) }),
  Rest
)

/**
 * Builds the envelope schema around given `data.item` and `topic` schemas. The triggers use it to narrow
 * the topic and to type the item from the generated client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notificationEnvelopeWith = <Item extends Schema.Top, Topic extends Schema.Top>(
  item: Item,
  topic: Topic
) =>
  Schema.StructWithRest(
    Schema.Struct({
      ...envelopeFields(topic),
      data: Schema.StructWithRest(Schema.Struct({ type: dataType, item }), Rest)
    }),
    Rest
  ).annotate({ description: "An Intercom webhook notification (notification_event)" })

const dataType = Schema.Literal("notification_event_data")

/** The envelope's own fields: one definition for the published Schemas and the fast validator below. */
const envelopeFields = <Topic extends Schema.Top>(topic: Topic) => ({
  type: Schema.Literal("notification_event"),
  id: Schema.optionalKey(
    Schema.NullOr(Schema.String).annotate({
      description: "Notification id (e.g. notif_…), the de-duplication key; null on pings"
    })
  ),
  app_id: Schema.String.annotate({ description: "The Intercom workspace the event happened in" }),
  topic,
  created_at: Schema.optionalKey(UnixSeconds),
  delivery_attempts: Schema.optionalKey(Schema.Int.annotate({ description: "Delivery attempts so far" })),
  first_sent_at: Schema.optionalKey(UnixSeconds)
})

/**
 * Builds the envelope schema around a given `data.item` schema, any topic.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notificationEnvelope = <Item extends Schema.Top>(item: Item) =>
  notificationEnvelopeWith(
    item,
    Schema.String.annotate({ description: "The webhook topic, e.g. conversation.user.created" })
  )

/**
 * Any notification, with `data.item` left generic.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NotificationEnvelope = notificationEnvelope(NotificationItem).annotate({
  identifier: "IntercomNotification"
})

/**
 * A decoded notification.
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationEnvelope = typeof NotificationEnvelope.Type

/**
 * What a sender knows of a notification before it wraps it: the simulator and the CLI build every
 * envelope they send from this, so the envelope's shape has one home.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationEnvelopeInput {
  readonly topic: string
  /** The workspace (`app.id_code`) the event happened in. */
  readonly appId: string
  readonly item: typeof NotificationItem.Type
  /** `notif_…`; Intercom sends `null` on pings. */
  readonly id: string | null
  /** Unix seconds. */
  readonly createdAt: number
}

/**
 * The envelope Intercom wraps around a notification's `data.item`, with every field its deliveries carry
 * (`links`, `delivery_status`, `delivered_at`, `self` as Intercom sends them before delivery). A delivery
 * states its own attempt number: set `delivery_attempts` per attempt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeNotificationEnvelope = (input: NotificationEnvelopeInput): NotificationEnvelope => ({
  type: "notification_event",
  app_id: input.appId,
  data: { type: "notification_event_data", item: input.item },
  links: {},
  id: input.id,
  topic: input.topic,
  delivery_status: null,
  delivery_attempts: 1,
  delivered_at: 0,
  first_sent_at: input.createdAt,
  created_at: input.createdAt,
  self: null
})

/**
 * The body exceeds {@link webhookBodyLimitBytes}.
 *
 * @since 0.1.0
 * @category errors
 */
export class BodyTooLarge extends Data.TaggedClass("BodyTooLarge")<{
  readonly bytes: number
  readonly limit: number
}> {
  readonly retryable = false
}

/**
 * The body is not UTF-8 JSON.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidJson extends Data.TaggedClass("InvalidJson")<{
  readonly problem: string
}> {
  readonly retryable = false
}

/**
 * One field that does not fit the schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldIssue {
  /** Dotted path, e.g. `data.item.id` or `data.item.conversation_parts.conversation_parts[0].id`. */
  readonly path: string
  readonly problem: string
}

/**
 * The JSON does not fit the envelope schema; `issues` names every field path and what is wrong there.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEnvelope extends Data.TaggedClass("InvalidEnvelope")<{
  readonly issues: ReadonlyArray<FieldIssue>
}> {
  readonly retryable = false
}

/**
 * Why a delivery body could not be decoded.
 *
 * @since 0.1.0
 * @category errors
 */
export type WebhookEnvelopeReason = BodyTooLarge | InvalidJson | InvalidEnvelope

/**
 * A delivery body could not be decoded into a notification.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookEnvelopeError extends Data.TaggedError("WebhookEnvelopeError")<{
  readonly reason: WebhookEnvelopeReason
}> {
  get retryable(): boolean {
    return this.reason.retryable
  }

  override get message(): string {
    return describeEnvelopeReason(this.reason)
  }
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`
    else out += out === "" ? String(segment) : `.${String(segment)}`
  }
  return out
}

const standardFormatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Turns a Schema issue into field paths and problems.
 *
 * @since 0.1.0
 * @category errors
 */
export const fieldIssues = (issue: SchemaIssue.Issue): ReadonlyArray<FieldIssue> =>
  standardFormatter(issue).issues.map((entry) => ({
    path: formatPath((entry.path ?? []).map((p) => (typeof p === "object" ? p.key : p))),
    problem: entry.message
  }))

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

/**
 * A body's text, the size limit and strict UTF-8 enforced (a leading byte order mark is not part of
 * it). A caller that keeps the verified text as well as the notification reads it once, here, and
 * decodes the text.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readBodyText = (body: Uint8Array | string): string | WebhookEnvelopeError => {
  const bytes = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength
  if (bytes > webhookBodyLimitBytes) {
    return new WebhookEnvelopeError({ reason: new BodyTooLarge({ bytes, limit: webhookBodyLimitBytes }) })
  }
  if (typeof body === "string") return body
  try {
    return utf8.decode(body)
  } catch {
    return new WebhookEnvelopeError({ reason: new InvalidJson({ problem: "body is not valid UTF-8" }) })
  }
}

/**
 * Reads a body as JSON, enforcing the size limit and strict UTF-8 first.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseBody = (body: Uint8Array | string): unknown | WebhookEnvelopeError => {
  const text = readBodyText(body)
  if (text instanceof WebhookEnvelopeError) return text
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const problem = error instanceof Error ? error.message : "unparseable"
    return new WebhookEnvelopeError({ reason: new InvalidJson({ problem }) })
  }
}

/**
 * A decoder from a body (bytes or text) to a given envelope schema, synchronous: the value or the error.
 *
 * @since 0.1.0
 * @category decoding
 */
export const makeBodyDecoder = <S extends Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const decode = Schema.decodeUnknownResult(schema, { errors: "all" })
  return (body: Uint8Array | string): S["Type"] | WebhookEnvelopeError => {
    const json = parseBody(body)
    if (json instanceof WebhookEnvelopeError) return json
    const result = decode(json)
    return Result.isSuccess(result)
      ? result.success
      : new WebhookEnvelopeError({
          reason: new InvalidEnvelope({ issues: fieldIssues(result.failure.issue) })
        })
  }
}

const decodeEnvelopeFully = Schema.decodeUnknownResult(NotificationEnvelope, { errors: "all" })

/**
 * The same constraints as {@link NotificationEnvelope} without its rest records. Checking the rest records
 * (every key as `unknown`) and copying every field costs as much as `JSON.parse` itself, yet can never
 * fail; so a body that passes this check is returned as parsed, which is exactly what the full Schema
 * would produce (a test holds the two to that). Failures take the full Schema for its issue paths.
 */
const isPlainEnvelope = Schema.is(
  Schema.Struct({
    ...envelopeFields(Schema.String),
    data: Schema.Struct({ type: dataType, item: Schema.Struct({ type: Schema.String }) })
  })
)

/**
 * The synchronous core of {@link decodeNotification}: the notification, or why the body is not one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeNotificationBody = (
  body: Uint8Array | string
): NotificationEnvelope | WebhookEnvelopeError => {
  const json = parseBody(body)
  if (json instanceof WebhookEnvelopeError) return json
  if (isPlainEnvelope(json)) return json
  const result = decodeEnvelopeFully(json)
  return Result.isSuccess(result)
    ? result.success
    : new WebhookEnvelopeError({ reason: new InvalidEnvelope({ issues: fieldIssues(result.failure.issue) }) })
}

/**
 * Decodes a verified delivery body into a notification. Call it only after `verifySignature` succeeded on
 * the same bytes.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeNotification = (
  body: Uint8Array | string
): Effect.Effect<NotificationEnvelope, WebhookEnvelopeError> =>
  Effect.suspend(() => {
    const result = decodeNotificationBody(body)
    return result instanceof WebhookEnvelopeError ? Effect.fail(result) : Effect.succeed(result)
  })

function describeEnvelopeReason(reason: WebhookEnvelopeReason): string {
  switch (reason._tag) {
    case "BodyTooLarge":
      return `Webhook body is ${reason.bytes} bytes, over the ${reason.limit}-byte limit`
    case "InvalidJson":
      return `Webhook body is not JSON: ${reason.problem}`
    case "InvalidEnvelope":
      return `Webhook body is not an Intercom notification: ${reason.issues
        .map((issue) => `${issue.path || "(root)"}: ${issue.problem}`)
        .join("; ")}`
  }
}
