/**
 * The id a notification is de-duplicated and activated under. Intercom documents the envelope's `id` as
 * optional; when it is missing, a stand-in is derived from fields that stay the same between delivery
 * attempts (unlike `delivery_attempts` and `first_sent_at`), so a repeat is still recognized.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * What the id is derived from: the fields every decoded notification envelope has.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationIdentity {
  readonly id?: string | null | undefined
  readonly app_id: string
  readonly topic: string
  readonly created_at?: number | undefined
  readonly data: { readonly item: unknown }
}

/**
 * The prefix of a derived id, so it can never be mistaken for one of Intercom's (`notif_…`).
 *
 * @since 0.1.0
 * @category constants
 */
export const derivedNotificationIdPrefix = "derived_"

const itemIdOf = (item: unknown): string | number | null => {
  if (typeof item !== "object" || item === null || !("id" in item)) return null
  const id = item.id
  return typeof id === "string" || typeof id === "number" ? id : null
}

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
 * The notification's id, or a stable stand-in (`derived_` and 32 hex digits) when Intercom sent none:
 * a digest of the workspace, the topic, the item's id and the creation time. Without either the item id
 * or the creation time those would collide across distinct events, so the whole item is digested too.
 *
 * @since 0.1.0
 * @category identity
 */
export const notificationIdOf = (notification: NotificationIdentity): string => {
  if (typeof notification.id === "string" && notification.id !== "") return notification.id
  const itemId = itemIdOf(notification.data.item)
  const createdAt = notification.created_at ?? null
  const key = [notification.app_id, notification.topic, itemId, createdAt]
  const material =
    itemId === null && createdAt === null
      ? `${JSON.stringify(key)}${canonicalJson(notification.data.item)}`
      : JSON.stringify(key)
  return `${derivedNotificationIdPrefix}${createHash("sha256").update(material).digest("hex").slice(0, 32)}`
}
