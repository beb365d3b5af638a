/**
 * An activation: one trigger firing for one connection, the unit TaskJuice turns into a run. Its payload
 * is the whole Intercom notification envelope (the trigger's output, `$trigger`), and its dedupe key is
 * stable across Intercom's redeliveries of the same notification.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Activation {
  /** e.g. `intercom/conversation-created`. */
  readonly triggerKey: string
  readonly connectionId: string
  /** Intercom's workspace id (`app_id`), which routed the notification to the connection. */
  readonly workspaceId: string
  readonly topic: string
  /** Intercom's notification id (`notif_…`), or the core's derived stand-in. */
  readonly notificationId: string
  /** The same for every delivery of one notification to one connection's trigger. */
  readonly dedupeKey: string
  /** ISO 8601, when the bundle accepted the delivery. */
  readonly receivedAt: string
  /** The notification envelope exactly as Intercom sent it. */
  readonly payload: unknown
}

/**
 * An activation as the inbox hands it out: with its place in the one order every worker shares. Pass the
 * cursor of the last one processed to `ActivationInbox.ack`.
 *
 * @since 0.1.0
 * @category models
 */
export interface InboxActivation extends Activation {
  readonly cursor: string
}
