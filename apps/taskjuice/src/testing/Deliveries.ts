/**
 * Notifications as Intercom would send them now, for tests and benchmarks: the core's fixture for a
 * topic with its send times (`created_at`, `first_sent_at`) set to this second, since a fixture's own
 * times soon lie further back than the dedupe window and would be acknowledged as stale replays.
 */
import { webhookFixture } from "@taskjuice/intercom-core"

/** The fixture envelope of `topic`, sent at `sentAt` (Unix seconds, default now), with `changes` on top. */
export const notificationNow = (
  topic: string,
  changes: Readonly<Record<string, unknown>> = {},
  sentAt: number = Math.floor(Date.now() / 1000)
): Record<string, unknown> => ({
  ...(structuredClone(webhookFixture(topic)) as unknown as Record<string, unknown>),
  created_at: sentAt,
  first_sent_at: sentAt,
  ...changes
})
