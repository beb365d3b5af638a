/**
 * The core's create-contact against the simulator when Intercom stored the contact but the answer
 * never arrived: the retry must find it through POST /contacts/search and create no second one.
 * Leads are the sharp case: Intercom keeps one user per email but any number of leads, so only the
 * search stands between a lost answer and a duplicate lead.
 */
import { CreateContact, executeAction, IntercomApi, RateLimiter } from "@taskjuice/intercom-core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterEach, describe, expect, it } from "vitest"
import { type FaultKind, type FaultRule, type Simulator, startSimulator } from "../src/index.ts"

/** A rule that strikes the first `strikes` matching requests, then never again. */
const firstRequests = (route: string, kind: FaultKind, strikes: number, delayMs?: number): FaultRule => {
  let seen = 0
  return {
    route,
    kind,
    ...(delayMs === undefined ? {} : { delayMs }),
    get probability() {
      seen++
      return seen <= strikes ? 1 : 0
    }
  }
}

/** Rules that never strike and count the requests of each operation they see. */
const requestLog = (operations: ReadonlyArray<string>) => {
  const counts = new Map<string, number>(operations.map((operation) => [operation, 0]))
  const rules: Array<FaultRule> = operations.map((operation) => ({
    route: operation,
    kind: "slow",
    delayMs: 0,
    get probability() {
      counts.set(operation, (counts.get(operation) ?? 0) + 1)
      return 0
    }
  }))
  return { rules, counts: () => Object.fromEntries(counts) }
}

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const start = async (faults: ReadonlyArray<FaultRule>) => {
  sim = await startSimulator({
    clientSecret: "s",
    seed: "create-contact-retry",
    faults,
    rateLimitPerMinute: 1_000_000
  })
  return sim
}

const createContact = (target: Simulator, input: unknown, requestTimeout = Duration.seconds(5)) =>
  Effect.runPromise(
    executeAction(CreateContact, input).pipe(
      Effect.provide(
        Layer.mergeAll(
          IntercomApi.layer({ accessToken: target.accessToken, baseUrl: target.url, requestTimeout }),
          RateLimiter.layer
        )
      )
    )
  )

const contactsWithEmail = (target: Simulator, email: string) =>
  [...target.store.contacts.values()].filter((contact) => contact.email === email)

const operations = ["CreateContact", "SearchContacts", "ShowContact"]

describe("create-contact when the answer to the create is lost", () => {
  it("a lead with an email: the retry finds it by search, and exactly one lead exists", async () => {
    const log = requestLog(operations)
    const target = await start([...log.rules, firstRequests("POST /contacts", "drop-after", 1)])
    const created = await createContact(target, { role: "lead", email: "retry@example.com", name: "Retry" })
    const stored = contactsWithEmail(target, "retry@example.com")
    expect(stored).toHaveLength(1)
    expect(target.counts().contacts).toBe(1)
    expect(created.id).toBe(stored[0]?.id)
    expect(created.role).toBe("lead")
    expect(log.counts()).toEqual({ CreateContact: 1, SearchContacts: 1, ShowContact: 0 })
  })

  it("a user with an external_id: found by external_id, exactly one contact", async () => {
    const log = requestLog(operations)
    const target = await start([...log.rules, firstRequests("CreateContact", "drop-after", 1)])
    const created = await createContact(target, { external_id: "crm-42", email: "ext@example.com" })
    expect(target.counts().contacts).toBe(1)
    expect(created.id).toBe(target.store.contacts.findByExternalId("crm-42")?.id)
    expect(log.counts()).toEqual({ CreateContact: 1, SearchContacts: 1, ShowContact: 0 })
  })

  it("answered too late (slow-after past the request timeout): the retry finds it, exactly one lead", async () => {
    const log = requestLog(operations)
    const target = await start([...log.rules, firstRequests("POST /contacts", "slow-after", 1, 1500)])
    const created = await createContact(
      target,
      { role: "lead", email: "late@example.com" },
      Duration.millis(300)
    )
    expect(contactsWithEmail(target, "late@example.com")).toHaveLength(1)
    expect(created.email).toBe("late@example.com")
    expect(log.counts()).toEqual({ CreateContact: 1, SearchContacts: 1, ShowContact: 0 })
  })

  it("without the search the same lost answer leaves two leads (so the tests above can fail)", async () => {
    const target = await start([firstRequests("POST /contacts", "drop-after", 1)])
    const post = () =>
      fetch(`${target.url}/contacts`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${Redacted.value(target.accessToken)}`,
          "content-type": "application/json"
        },
        body: JSON.stringify({ role: "lead", email: "naive@example.com" })
      })
    await expect(post()).rejects.toThrow(/fetch failed/)
    expect((await post()).status).toBe(200)
    expect(contactsWithEmail(target, "naive@example.com")).toHaveLength(2)
  })
})
