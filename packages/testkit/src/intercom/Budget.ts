/**
 * Intercom's request budget in front of a recording server: fixed windows counted per access token, a
 * 429 with Intercom's error list over the budget, and the `X-RateLimit-*` headers on every answer. The
 * window, the headers and the 429 text are the client package's (`RateLimitWindow`, `rateLimitHeaders`,
 * `rateLimitExceededMessage`), so the tests hold our code to the same facts it reads them with.
 */
import { RateLimitWindow, rateLimitExceededMessage, rateLimitHeaders } from "@taskjuice/intercom-client"
import type { Gate, RecordedRequest } from "../RecordingServer.ts"
import { json } from "../RecordingServer.ts"
import { errorList } from "./Fixtures.ts"

export type BudgetOptions = (
  | {
      /** Requests allowed in each window. */
      readonly allowance: number
      /** The window's length (default Intercom's 10 s); a whole number of seconds. */
      readonly windowMillis?: number
    }
  /** Intercom's figure: a per-minute budget, spread over 10-second windows (`windowAllowance`). */
  | { readonly perMinute: number }
) & {
  /** Whose budget a request spends (default its Authorization header: one budget per workspace token). */
  readonly keyOf?: (request: RecordedRequest) => string
  /** The clock windows are counted on (default `Date.now`). */
  readonly now?: () => number
}

export interface Budget extends Gate {
  readonly window: RateLimitWindow
  /** Requests answered within the budget. */
  readonly served: () => number
  /** Requests refused with a 429. */
  readonly rateLimited: () => number
  /** How many requests (of every key) each window that served any served, by its start (epoch ms). */
  readonly servedPerWindow: () => ReadonlyMap<number, number>
}

export const intercomBudget = (options: BudgetOptions): Budget => {
  const window =
    "perMinute" in options
      ? RateLimitWindow.perMinute(options.perMinute)
      : new RateLimitWindow({
          allowance: options.allowance,
          ...(options.windowMillis === undefined ? {} : { windowMillis: options.windowMillis })
        })
  const keyOf = options.keyOf ?? ((request: RecordedRequest) => request.headers.authorization ?? "")
  const now = options.now ?? Date.now
  const perWindow = new Map<number, number>()
  let served = 0
  let rateLimited = 0
  return {
    window,
    admit: (request) => {
      const at = now()
      const decision = window.take(keyOf(request), at)
      const headers = rateLimitHeaders(decision)
      if (!decision.allowed) {
        rateLimited++
        const message = rateLimitExceededMessage(decision.limit, window.windowMillis / 1000)
        return { headers, refusal: json(429, errorList("rate_limit_exceeded", message)) }
      }
      served++
      const start = window.windowStart(at)
      perWindow.set(start, (perWindow.get(start) ?? 0) + 1)
      return { headers }
    },
    served: () => served,
    rateLimited: () => rateLimited,
    servedPerWindow: () => new Map(perWindow)
  }
}
