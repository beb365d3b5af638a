import { rateLimitExceededMessage, readRateLimit, windowAllowance } from "@taskjuice/intercom-client"
import { describe, expect, it } from "vitest"
import { json, startRecordingServer } from "../src/index.ts"
import { contact, intercomBudget } from "../src/intercom/index.ts"

const windowStart = 1_700_000_000_000

describe("intercomBudget: Intercom's fixed-window budget in front of the recording server", () => {
  it("serves the allowance, then answers 429 with Intercom's error; the client's parser reads every answer's headers", async () => {
    let now = windowStart + 1234
    const budget = intercomBudget({ allowance: 2, windowMillis: 10_000, now: () => now })
    const server = await startRecordingServer({ answer: json(200, contact()), gate: budget })
    try {
      const call = (token: string) =>
        fetch(`${server.url}/contacts`, { headers: { authorization: `Bearer ${token}` } })
      const answers = [await call("a"), await call("a"), await call("a")]
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429])
      const resetAt = (windowStart + 10_000) / 1000
      expect(answers.map((answer) => readRateLimit(answer.headers))).toEqual([
        { limit: 2, remaining: 1, resetAt },
        { limit: 2, remaining: 0, resetAt },
        { limit: 2, remaining: 0, resetAt }
      ])
      expect(await answers[2]?.json()).toMatchObject({
        type: "error.list",
        errors: [{ code: "rate_limit_exceeded", message: rateLimitExceededMessage(2, 10) }]
      })
      expect(await answers[0]?.json()).toMatchObject({ id: contact().id })

      // Another workspace's token has a budget of its own.
      expect((await call("b")).status).toBe(200)
      // The next window starts afresh.
      now = windowStart + 10_000
      const next = await call("a")
      expect(next.status).toBe(200)
      expect(readRateLimit(next.headers)).toEqual({ limit: 2, remaining: 1, resetAt: resetAt + 10 })

      expect([budget.served(), budget.rateLimited()]).toEqual([4, 1])
      expect([...budget.servedPerWindow()]).toEqual([
        [windowStart, 3],
        [windowStart + 10_000, 1]
      ])
      // Every request is recorded, the refused one too.
      expect(server.requests).toHaveLength(5)
    } finally {
      await server.close()
    }
  })

  it("spreads a per-minute budget over 10-second windows as Intercom does", async () => {
    const budget = intercomBudget({ perMinute: 1000, now: () => windowStart })
    const server = await startRecordingServer({ answer: json(200, {}), gate: budget })
    try {
      const answer = await fetch(`${server.url}/me`, { headers: { authorization: "Bearer t" } })
      expect(readRateLimit(answer.headers)).toEqual({
        limit: windowAllowance(1000),
        remaining: windowAllowance(1000) - 1,
        resetAt: windowStart / 1000 + 10
      })
      expect(windowAllowance(1000)).toBe(167)
    } finally {
      await server.close()
    }
  })
})
