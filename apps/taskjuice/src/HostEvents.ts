/**
 * The host's log as a person reads it. The host writes one JSON line per event (a delivery's receipt,
 * an activation, a connection, a warning); `./dev taskjuice serve` and `./dev start` print each as
 * one timestamped line, or under `--json` as the same object with a `time` field first.
 *
 * A delivery's event is made from the webhook endpoint's receipt, at the point the host answers it,
 * so what is printed is what Intercom was told: received (and how many activations), a duplicate,
 * a stale replay, ignored, or refused with the error table's status, code and reason.
 */
import { resolveFailure } from "./StepError.ts"
import type { WebhookReceipt } from "./WebhookEndpoint.ts"

/** What became of one delivery, as the host logs it: `{ event: "delivery", outcome, … }`. */
export type DeliveryOutcome = "accepted" | "duplicate" | "stale-replay" | "ping" | "ignored" | "refused"

// A type, not an interface, so that it is a log entry (`Record<string, unknown>`) as it stands.
export type DeliveryEvent = {
  readonly event: "delivery"
  readonly outcome: DeliveryOutcome
  /** The HTTP status the sender got. */
  readonly status: number
  readonly topic?: string
  readonly notificationId?: string
  readonly workspaceId?: string
  /** How many activations the inbox kept (accepted only). */
  readonly activations?: number
  /** Refused only: the error table's code and its reason (e.g. which signature check failed). */
  readonly code?: string
  readonly reason?: string
  readonly message?: string
}

/** The log entry for a receipt; never the payload, never a header. */
export const deliveryEvent = (receipt: WebhookReceipt): DeliveryEvent => {
  switch (receipt._tag) {
    case "Accepted": {
      const { _tag, activations, ...received } = receipt
      return {
        event: "delivery",
        outcome: "accepted",
        status: 200,
        ...received,
        activations: activations.length
      }
    }
    case "Duplicate":
    case "StaleReplay": {
      const { _tag, ...received } = receipt
      return {
        event: "delivery",
        outcome: _tag === "Duplicate" ? "duplicate" : "stale-replay",
        status: 200,
        ...received
      }
    }
    case "UnknownWorkspace": {
      const { _tag, ...received } = receipt
      return { event: "delivery", outcome: "ignored", status: 200, ...received }
    }
    case "UnknownTopic":
      return { event: "delivery", outcome: "ignored", status: 200, topic: receipt.topic }
    case "Ping":
      return { event: "delivery", outcome: "ping", status: 200, topic: "ping" }
    case "Refused": {
      const { status, error } = resolveFailure(receipt.failure)
      const reason = error.detail.reason
      return {
        event: "delivery",
        outcome: "refused",
        status,
        code: error.code,
        ...(typeof reason === "string" ? { reason } : {}),
        message: error.message
      }
    }
  }
}

const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

/** A connection summary as one phrase: `conn_… (workspace w, admin a@b)`. */
const connectionText = (connection: unknown): string => {
  if (typeof connection !== "object" || connection === null) return "?"
  const { id, workspaceId, adminEmail } = connection as Record<string, unknown>
  return `${text(id)} (workspace ${text(workspaceId)}${typeof adminEmail === "string" ? `, admin ${adminEmail}` : ""})`
}

const labelWidth = 11
const label = (name: string) => name.padEnd(labelWidth)

const deliveryLine = (entry: Record<string, unknown>): string => {
  const what = [entry.topic, entry.notificationId].filter((part) => typeof part === "string").join(" ")
  const workspace = typeof entry.workspaceId === "string" ? ` from workspace ${entry.workspaceId}` : ""
  switch (entry.outcome) {
    case "accepted": {
      const count = Number(entry.activations ?? 0)
      return `${label("received")}${what}${workspace}: HTTP 200, ${count} ${count === 1 ? "activation" : "activations"}`
    }
    case "duplicate":
      return `${label("duplicate")}${what}${workspace}: HTTP 200, already received, nothing activated`
    case "stale-replay":
      return `${label("replay")}${what}${workspace}: HTTP 200, first sent before the dedupe window, nothing activated`
    case "ping":
      return `${label("ping")}HTTP 200`
    case "ignored":
      return typeof entry.workspaceId === "string"
        ? `${label("ignored")}${what}: HTTP 200, no connection carries workspace ${entry.workspaceId}`
        : `${label("ignored")}${what}: HTTP 200, no trigger handles this topic`
    default:
      return `${label("rejected")}HTTP ${text(entry.status)} ${text(entry.code)}${
        typeof entry.reason === "string" ? ` (${entry.reason})` : ""
      }: ${text(entry.message)}`
  }
}

/** The rest of an entry as `key=value` pairs, for events without a line of their own. */
const fields = (entry: Record<string, unknown>): string =>
  Object.entries(entry)
    .filter(([key]) => key !== "event")
    .map(([key, value]) => `${key}=${text(value)}`)
    .join(" ")

/** One host log entry as a line a person reads (without its timestamp). */
export const describeHostEvent = (entry: Record<string, unknown>): string => {
  switch (entry.event) {
    case "delivery":
      return deliveryLine(entry)
    case "activation":
      return `${label("activation")}${text(entry.triggerKey)} for ${text(entry.connectionId)} (${text(entry.topic)} ${text(entry.notificationId)}, cursor ${text(entry.cursor)})`
    case "connected":
    case "reconnected":
      return `${label(String(entry.event))}${connectionText(entry.connection)}`
    case "connect-failed":
      return `${label("connect")}failed: ${text(entry.reason)}: ${text(entry.message)}`
    case "log":
      return `${label(String(entry.level ?? "log").toLowerCase())}${text(entry.message)}${
        entry.cause === undefined ? "" : ` (${text(entry.cause)})`
      }`
    case "request-failed":
      return `${label("error")}${text(entry.path)}: ${text(entry.error)}`
    case "activation-hand-off-failed":
      return `${label("error")}after the answer (${text(entry.stage)}): ${text(entry.error)}`
    case "worker-started":
      return `${label("worker")}${text(entry.pid)} started`
    case "worker-exited":
      return `${label("worker")}${text(entry.pid)} exited (${text(entry.code ?? entry.signal)})`
    default:
      return `${label(text(entry.event ?? "event"))}${fields(entry)}`
  }
}

const two = (value: number) => String(value).padStart(2, "0")

/** `14:03:27.118`, local time: the stamp in front of each human line. */
export const timeOfDay = (millis: number): string => {
  const date = new Date(millis)
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(
    date.getMilliseconds()
  ).padStart(3, "0")}`
}

export interface HostEventPrinter {
  /** Prints one host log entry (an object, or the JSON line the host wrote). */
  readonly print: (entry: Record<string, unknown> | string) => void
}

/**
 * Prints host log entries as they happen: `HH:MM:SS.mmm  <label> <what>` per event, or under `json`
 * `{"time":"<ISO>", "event":…, …}` per line. A line that is not JSON is printed as it came.
 */
export const makeHostEventPrinter = (options: {
  readonly json: boolean
  readonly writeLine: (line: string) => void
  /** The clock stamping each event (milliseconds since the epoch). */
  readonly now: () => number
}): HostEventPrinter => ({
  print: (given) => {
    let entry: Record<string, unknown>
    if (typeof given === "string") {
      try {
        entry = JSON.parse(given) as Record<string, unknown>
      } catch {
        options.writeLine(given)
        return
      }
    } else entry = given
    const now = options.now()
    options.writeLine(
      options.json
        ? JSON.stringify({ time: new Date(now).toISOString(), ...entry })
        : `${timeOfDay(now)}  ${describeHostEvent(entry)}`
    )
  }
})
