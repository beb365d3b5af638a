/**
 * One delivery without a running simulator (`trigger --forward-to` without `--sim`): the core's
 * fixture for the topic in the core's envelope, with a fresh id, signed and sent once.
 */
import { randomUUID } from "node:crypto"
import { makeNotificationEnvelope, type NotificationEnvelope, webhookFixture } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { SignatureMode } from "../SignatureMode.ts"
import { intercomAnswerWithin } from "./DeliveryRules.ts"
import { signDelivery } from "./Signing.ts"
import { deliveryHeaders, postWebhook, type SendResult } from "./WebhookDelivery.ts"

export const fixtureEnvelope = (topic: string): NotificationEnvelope => {
  const fixture = webhookFixture(topic) as unknown as NotificationEnvelope
  const fresh = makeNotificationEnvelope({
    topic,
    appId: fixture.app_id,
    item: fixture.data.item,
    id: topic === "ping" ? null : `notif_${randomUUID()}`,
    createdAt: Math.floor(Date.now() / 1000)
  })
  return { ...fixture, ...fresh, data: fixture.data }
}

export const sendSigned = (
  url: string,
  payload: string,
  secret: Redacted.Redacted<string>,
  signature: SignatureMode
): Promise<SendResult> => {
  const bytes = new TextEncoder().encode(payload)
  return Effect.runPromise(
    postWebhook(
      url,
      payload,
      deliveryHeaders(bytes, signDelivery(bytes, secret, signature)),
      intercomAnswerWithin
    )
  )
}
