/**
 * The id a notification is activated under, and the key it is de-duplicated under. Intercom documents the
 * envelope's `id` as optional; when it is missing, a stand-in is derived from what stays the same between
 * delivery attempts (everything but `delivery_attempts`, `first_sent_at` and the like), so a repeat is still
 * recognized.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * What the id is derived from: a decoded notification envelope (every field it has counts).
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationIdentity {
  readonly id?: string | null | undefined
  readonly app_id: string
  readonly topic: string
  readonly created_at?: number | undefined
  /** When Intercom first tried to deliver it; the same on every later attempt. */
  readonly first_sent_at?: number | undefined
  readonly data: { readonly item: unknown }
}

/**
 * The prefix of a derived id, so it can never be mistaken for one of Intercom's (`notif_…`).
 *
 * @since 0.1.0
 * @category constants
 */
export const derivedNotificationIdPrefix = "derived_"

/**
 * Envelope fields that change from one delivery attempt of a notification to the next (or that legacy
 * payloads fill in per attempt), so a derived id must not depend on them.
 */
const perAttemptFields: ReadonlySet<string> = new Set([
  "id",
  "delivery_attempts",
  "first_sent_at",
  "delivered_at",
  "delivery_status"
])

/** JSON with object keys sorted, so the same item hashes the same whatever order its keys arrive in. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/**
 * The notification's id, or a stable stand-in (`derived_` and 32 hex digits) when Intercom sent none: a
 * digest of the whole signed envelope (workspace, topic, creation time and the entire item, keys in any
 * order) less the fields that change per delivery attempt. Digesting the whole item, not only its id and
 * creation time, keeps two different events of the same second apart (two id-less items, or two replies
 * to one conversation), while every attempt of one event still gets the same stand-in.
 *
 * @since 0.1.0
 * @category identity
 */
export const notificationIdOf = (notification: NotificationIdentity): string => {
  if (typeof notification.id === "string" && notification.id !== "") return notification.id
  const stable = Object.entries(notification).filter(([field]) => !perAttemptFields.has(field))
  const material = canonicalJson(Object.fromEntries(stable))
  return `${derivedNotificationIdPrefix}${createHash("sha256").update(material).digest("hex").slice(0, 32)}`
}

/**
 * The key a delivery is de-duplicated under: the workspace (`app_id`) and the notification's id. Intercom's
 * ids are not documented as unique across workspaces, so workspace A's notification must never suppress
 * workspace B's with the same id.
 *
 * @since 0.1.0
 * @category identity
 */
export const notificationDedupeKey = (notification: NotificationIdentity): string =>
  `${notification.app_id}:${notificationIdOf(notification)}`
