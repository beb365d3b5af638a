/**
 * Realistic webhook deliveries, one JSON file per topic under `fixtures/webhooks/<topic>.json`, each a
 * whole notification envelope. The file name is the registry (stripe-cli style): no second list to keep
 * in sync, and a consistency test checks the files against the triggers' topics.
 *
 * The simulator sends {@link webhookFixtureBytes} unchanged, so what it signs is exactly what it serves.
 *
 * Every item is valid under every pinned API version (2.10 to 2.16), since a build may target any of them:
 * where a field's type changed between versions the fixtures hold a value both accept (an unowned contact,
 * assigned conversations) or leave it out (`priority`, whose values 2.16 replaced).
 *
 * @since 0.1.0
 */
import { readdirSync, readFileSync } from "node:fs"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { makeBodyDecoder, NotificationEnvelope, WebhookEnvelopeError } from "./WebhookEnvelope.ts"

const fixturesDirectory = new URL("../../fixtures/webhooks/", import.meta.url)

/**
 * No fixture exists for the topic asked for, or its file is not a valid notification.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookFixtureError extends Data.TaggedError("WebhookFixtureError")<{
  readonly topic: string
  readonly available: ReadonlyArray<string>
  readonly cause?: WebhookEnvelopeError
}> {
  override get message(): string {
    return this.cause === undefined
      ? `No webhook fixture for topic "${this.topic}"; available: ${this.available.join(", ")}`
      : `Webhook fixture for topic "${this.topic}" is invalid: ${this.cause.message}`
  }
}

let topicsCache: ReadonlyArray<string> | undefined

/**
 * The topics that have a fixture file, sorted.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const webhookFixtureTopics = (): ReadonlyArray<string> => {
  topicsCache ??= readdirSync(fixturesDirectory)
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .sort()
  return topicsCache
}

/**
 * Where a topic's fixture file lives.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const webhookFixtureUrl = (topic: string): URL => {
  const available = webhookFixtureTopics()
  if (!available.includes(topic)) throw new WebhookFixtureError({ topic, available })
  return new URL(`${topic}.json`, fixturesDirectory)
}

/**
 * A topic's fixture as the exact bytes of its file, the body to sign and send.
 * Throws {@link WebhookFixtureError} (listing the valid topics) for a topic without a fixture.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const webhookFixtureBytes = (topic: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(readFileSync(webhookFixtureUrl(topic)))

const decodeFixture = makeBodyDecoder(NotificationEnvelope)

/**
 * A topic's fixture decoded as a notification envelope (a fresh copy on every call, safe to modify).
 * Throws {@link WebhookFixtureError} for a topic without a fixture or an invalid file.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const webhookFixture = (topic: string): NotificationEnvelope => {
  const decoded = decodeFixture(webhookFixtureBytes(topic))
  if (decoded instanceof WebhookEnvelopeError) {
    throw new WebhookFixtureError({ topic, available: webhookFixtureTopics(), cause: decoded })
  }
  return decoded
}

/**
 * {@link webhookFixture} as an Effect.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const loadWebhookFixture = (topic: string): Effect.Effect<NotificationEnvelope, WebhookFixtureError> =>
  Effect.try({
    try: () => webhookFixture(topic),
    catch: (error) =>
      error instanceof WebhookFixtureError
        ? error
        : new WebhookFixtureError({ topic, available: webhookFixtureTopics() })
  })
