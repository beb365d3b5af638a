/**
 * A loopback server that enforces a request budget in fixed windows the way Intercom does (the client's
 * `RateLimitWindow`): every answer carries X-RateLimit-Limit/Remaining/Reset, and a request over the
 * budget gets a 429. Each access token (workspace) has its own budget.
 */
import { RateLimitWindow, rateLimitExceededMessage, rateLimitHeaders } from "@taskjuice/intercom-client"
import { contact, contactList, errorList } from "./IntercomFixtures.ts"
import {
  json,
  type LoopbackServer,
  type RecordedRequest,
  type Reply,
  startLoopbackServer
} from "./LoopbackServer.ts"

export interface BudgetOptions {
  readonly budget: number
  readonly windowMillis: number
  /** The answer to a request within the budget (default: a contact). */
  readonly reply?: () => unknown
}

export interface BudgetServer {
  readonly server: LoopbackServer
  readonly served: () => number
  readonly rateLimited: () => number
  /** How many requests (of all tokens) were served in each window that served any, by window start (epoch ms). */
  readonly servedPerWindow: () => ReadonlyMap<number, number>
}

export const startBudgetServer = async (options: BudgetOptions): Promise<BudgetServer> => {
  const window = new RateLimitWindow({ allowance: options.budget, windowMillis: options.windowMillis })
  const perWindow = new Map<number, number>()
  let rateLimited = 0
  const body = options.reply ?? (() => contact())
  const script = (request: RecordedRequest): Reply => {
    const now = Date.now()
    const decision = window.take(request.headers.authorization ?? "", now)
    const headers = rateLimitHeaders(decision)
    if (!decision.allowed) {
      rateLimited++
      const message = rateLimitExceededMessage(decision.limit, options.windowMillis / 1000)
      return json(429, errorList("rate_limit_exceeded", message), headers)
    }
    const windowStart = window.windowStart(now)
    perWindow.set(windowStart, (perWindow.get(windowStart) ?? 0) + 1)
    // A create-contact retried after a 429 first searches for the contact: answer with an empty list.
    const answer = request.path === "/contacts/search" ? contactList([], { total: 0 }) : body()
    return json(200, answer, headers)
  }
  const server = await startLoopbackServer(script)
  return {
    server,
    served: () => [...perWindow.values()].reduce((sum, count) => sum + count, 0),
    rateLimited: () => rateLimited,
    servedPerWindow: () => new Map(perWindow)
  }
}
