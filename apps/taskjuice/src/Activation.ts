/**
 * An activation: one trigger firing for one connection, the unit TaskJuice turns into a run. The model
 * lives in the state package, whose inbox keeps it before the delivery is acknowledged and hands it to
 * the runtime with its cursor (`InboxActivation`).
 */
export type { Activation, InboxActivation } from "@taskjuice/intercom-state"

/**
 * The same for every delivery of one notification to one connection's trigger: the delivery's key (the
 * core's `notificationDedupeKey`: workspace and notification id) with the connection and the trigger.
 */
export const activationDedupeKey = (deliveryKey: string, connectionId: string, triggerKey: string): string =>
  `${deliveryKey}:${connectionId}:${triggerKey}`
