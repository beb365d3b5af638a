/**
 * An activation: one trigger firing for one connection, the unit TaskJuice turns into a run. Its
 * payload is the whole Intercom notification envelope (the trigger's output, `$trigger`), and its
 * dedupe key is stable across Intercom's redeliveries of the same notification.
 */
export interface Activation {
  /** e.g. `intercom/conversation-created`. */
  readonly triggerKey: string
  readonly connectionId: string
  /** Intercom's workspace id (`app_id`), which routed the notification to the connection. */
  readonly workspaceId: string
  readonly topic: string
  /** Intercom's notification id (`notif_…`). */
  readonly notificationId: string
  /** The same for every delivery of one notification to one connection's trigger. */
  readonly dedupeKey: string
  /** ISO 8601, when the bundle accepted the delivery. */
  readonly receivedAt: string
  /** The notification envelope exactly as Intercom sent it. */
  readonly payload: unknown
}

export const activationDedupeKey = (
  notificationId: string,
  connectionId: string,
  triggerKey: string
): string => `${notificationId}:${connectionId}:${triggerKey}`
