/**
 * A loopback server that enforces a request budget in fixed windows the way Intercom does: every
 * answer carries X-RateLimit-Limit/Remaining/Reset, and a request over the budget gets a 429.
 * Windows are aligned to whole seconds (X-RateLimit-Reset is in Unix seconds), so `windowMillis`
 * must be a multiple of 1000. Each access token (workspace) has its own budget.
 */
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
  if (options.windowMillis % 1000 !== 0) throw new Error("windowMillis must be a multiple of 1000")
  const perWindow = new Map<number, number>()
  const perTokenWindow = new Map<string, number>()
  let rateLimited = 0
  const body = options.reply ?? (() => contact())
  const script = (request: RecordedRequest): Reply => {
    const now = Date.now()
    const windowStart = now - (now % options.windowMillis)
    const budgetKey = `${request.headers.authorization ?? ""} ${windowStart}`
    const used = perTokenWindow.get(budgetKey) ?? 0
    const headers = (remaining: number) => ({
      "x-ratelimit-limit": String(options.budget),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String((windowStart + options.windowMillis) / 1000)
    })
    if (used >= options.budget) {
      rateLimited++
      return json(429, errorList("rate_limit_exceeded", "Exceeded rate limit"), headers(0))
    }
    perTokenWindow.set(budgetKey, used + 1)
    perWindow.set(windowStart, (perWindow.get(windowStart) ?? 0) + 1)
    // A create-contact retried after a 429 first searches for the contact: answer with an empty list.
    const answer = request.path === "/contacts/search" ? contactList([], { total: 0 }) : body()
    return json(200, answer, headers(options.budget - used - 1))
  }
  const server = await startLoopbackServer(script)
  return {
    server,
    served: () => [...perWindow.values()].reduce((sum, count) => sum + count, 0),
    rateLimited: () => rateLimited,
    servedPerWindow: () => new Map(perWindow)
  }
}
