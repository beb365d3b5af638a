/**
 * How the commands print a delivery attempt: one line each, the same in `trigger`, `resend`,
 * `deliveries`, `serve` and `listen`, so a line can be grepped for wherever it came from.
 */
import type { DeliverySummary } from "../http/AdminRoutes.ts"

type Attempt = Pick<
  DeliverySummary,
  "status" | "latencyMs" | "url" | "attempt" | "signature" | "error" | "retryAt"
>

const clock = (at: number): string => new Date(at).toISOString().slice(11, 23)

/** `→ POST url [200] 12.3 ms, attempt 1, signature both (why), retry at 12:01:00.000` */
export const describeAttempt = (delivery: Attempt): string =>
  `→ POST ${delivery.url} [${delivery.status ?? "no answer"}] ${delivery.latencyMs.toFixed(1)} ms, attempt ${delivery.attempt}, signature ${delivery.signature}${
    delivery.error === null ? "" : ` (${delivery.error})`
  }${delivery.retryAt === null ? "" : `, retry at ${clock(delivery.retryAt)}`}`

/** The line a live stream prints: when, which topic and notification, then the attempt. */
export const describeLive = (delivery: DeliverySummary): string =>
  `${clock(delivery.sentAt)}  ${delivery.topic} (${delivery.notificationId})  ${describeAttempt(delivery)}`

/** The line of `deliveries`: a column each, newest first. */
export const describeRow = (d: DeliverySummary): string =>
  `${new Date(d.sentAt).toISOString()}  ${d.topic.padEnd(34)} ${String(d.status ?? "---").padEnd(4)} ${`${d.latencyMs.toFixed(1)} ms`.padStart(10)}  #${d.attempt}  ${d.notificationId}  ${d.url}${
    d.error === null ? "" : `  (${d.error})`
  }`
