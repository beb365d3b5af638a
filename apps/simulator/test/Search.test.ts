import { expect, it } from "@effect/vitest"
import { apiVersion, compareVersions } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe } from "vitest"
import { IntercomSimulator, type Simulator, startSimulator } from "../src/index.ts"
import { api, simulatorLayer } from "./support/Clocked.ts"

/** What the tests read of an answer; the spec validator checks the whole shape. */
interface Body {
  readonly type: string
  /** A contact's (POST /contacts). */
  readonly id: string
  readonly data: ReadonlyArray<{ readonly id: string }>
  readonly total_count: number
  readonly pages: {
    readonly page: number
    readonly next?: { readonly per_page: number; readonly starting_after: string }
  }
  readonly errors: ReadonlyArray<{ readonly code: string; readonly message: string; readonly field?: string }>
}

interface Answer {
  readonly status: number
  readonly body: Body
  readonly headers: Headers
}

const callOn = async (target: Simulator, method: string, path: string, body?: unknown): Promise<Answer> => {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${Redacted.value(target.accessToken)}`,
      "intercom-version": apiVersion,
      "content-type": "application/json"
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
  const text = await response.text()
  return {
    status: response.status,
    body: text === "" ? undefined : JSON.parse(text),
    headers: response.headers
  }
}

// Fixed instants around a day boundary. The workspace's time zone is Europe/London: UTC in January,
// UTC+1 in July (so 23:30 UTC on 1 July is already 2 July there).
const jan1At0900 = 1577869200 // 2020-01-01 09:00 UTC
const jan1Midnight = 1577836800 // 2020-01-01 00:00 UTC
const jan1At2000 = 1577908800 // 2020-01-01 20:00 UTC
const dec31At2330 = 1577835000 // 2019-12-31 23:30 UTC
const jan2At1200 = 1577966400 // 2020-01-02 12:00 UTC
const jul1At2330 = 1593646200 // 2020-07-01 23:30 UTC = 2020-07-02 00:30 London
const jul2Midnight = 1593648000 // 2020-07-02 00:00 UTC

/** owner_id is an integer up to 2.15 and a string from 2.16 (whichever version this build pins). */
const owner = (id: number): number | string => (compareVersions(apiVersion, "2.16") >= 0 ? String(id) : id)

/** The workspace every operator test searches: five contacts, labelled, in creation order. */
const fixture: ReadonlyArray<readonly [label: string, body: Record<string, unknown>]> = [
  [
    "ada",
    {
      email: "ada@acme.example",
      external_id: "ext-ada",
      name: "Ada Lovelace",
      phone: "+44 20 7946 0001",
      owner_id: owner(7),
      signed_up_at: jan1At0900,
      custom_attributes: { plan: "pro", seats: 10, beta: true }
    }
  ],
  [
    "grace",
    {
      email: "Grace@Navy.example",
      external_id: "EXT-grace",
      name: "Grace Hopper",
      owner_id: owner(3),
      signed_up_at: jan1At2000,
      unsubscribed_from_emails: true,
      custom_attributes: { plan: "free", seats: 2 }
    }
  ],
  ["anon", { role: "lead", email: "anon@acme.example", signed_up_at: dec31At2330 }],
  ["lin", { email: "lin@example.org", external_id: "ext-lin", name: "Lin Acme", signed_up_at: jan2At1200 }],
  ["alan", { role: "lead", name: "Alan Turing", signed_up_at: jul1At2330 }]
]

let sim: Simulator
const labels = new Map<string, string>()
const call = (method: string, path: string, body?: unknown) => callOn(sim, method, path, body)
const labelOf = (id: string): string => labels.get(id) ?? `unknown contact ${id}`

beforeAll(async () => {
  sim = await startSimulator({ clientSecret: "s", seed: "search-tests", rateLimitPerMinute: 1_000_000 })
  for (const [label, body] of fixture) {
    const created = await call("POST", "/contacts", body)
    expect(created.status).toBe(200)
    labels.set(created.body.id, label)
  }
})
afterAll(() => sim.close())

/** Searches, checks the answer against the spec's `contact_list`, and names what it found. */
const search = async (query: unknown, pagination?: unknown): Promise<ReadonlyArray<string>> => {
  const answer = await call("POST", "/contacts/search", {
    query,
    ...(pagination === undefined ? {} : { pagination })
  })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  expect(sim.schemas.responseErrors("SearchContacts", 200, answer.body)).toEqual([])
  expect(answer.body.total_count).toBe(answer.body.data.length)
  return answer.body.data.map((contact) => labelOf(contact.id))
}

const expectRefused = async (body: unknown, field: string, code = "parameter_invalid", message?: RegExp) => {
  const answer = await call("POST", "/contacts/search", body)
  expect(answer.status, JSON.stringify(answer.body)).toBe(400)
  expect(sim.schemas.componentErrors("error", answer.body)).toEqual([])
  expect(answer.body.type).toBe("error.list")
  expect(answer.body.errors[0]).toMatchObject({ code, field })
  if (message !== undefined) expect(answer.body.errors[0]?.message).toMatch(message)
}

const where = (field: unknown, operator: string, value: unknown) => ({ field, operator, value })

/** The build's `required` list for a component schema (2.11's are long; 2.12+ have none). */
const requiredOf = (name: string): ReadonlyArray<unknown> => {
  const schema = sim.schemas.document.components.schemas[name]
  return typeof schema === "object" &&
    schema !== null &&
    "required" in schema &&
    Array.isArray(schema.required)
    ? schema.required
    : []
}

describe("POST /contacts/search: operators", () => {
  it("= matches exactly; emails without case, other strings with it", async () => {
    expect(await search(where("email", "=", "GRACE@navy.example"))).toEqual(["grace"])
    expect(await search(where("external_id", "=", "ext-ada"))).toEqual(["ada"])
    expect(await search(where("external_id", "=", "ext-grace"))).toEqual([])
    expect(await search(where("role", "=", "lead"))).toEqual(["anon", "alan"])
    expect(await search(where("name", "=", "Ada"))).toEqual([])
    const ada = [...labels].find(([, label]) => label === "ada")?.[0]
    expect(await search(where("id", "=", ada))).toEqual(["ada"])
  })

  it("!= is the complement of =, contacts without the value included", async () => {
    expect(await search(where("role", "!=", "lead"))).toEqual(["ada", "grace", "lin"])
    expect(await search(where("external_id", "!=", "ext-ada"))).toEqual(["grace", "anon", "lin", "alan"])
  })

  it("null: = finds contacts without the value, != those with it", async () => {
    expect(await search(where("phone", "=", null))).toEqual(["grace", "anon", "lin", "alan"])
    expect(await search(where("phone", "!=", null))).toEqual(["ada"])
    expect(await search(where("email", "=", null))).toEqual(["alan"])
  })

  it("IN and NIN take a list", async () => {
    expect(await search(where("external_id", "IN", ["ext-lin", "ext-ada", "nobody"]))).toEqual(["ada", "lin"])
    expect(await search(where("email", "IN", ["ANON@acme.example"]))).toEqual(["anon"])
    expect(await search(where("external_id", "NIN", ["ext-lin", "ext-ada"]))).toEqual([
      "grace",
      "anon",
      "alan"
    ])
  })

  it("~ contains, !~ does not, ^ starts with, $ ends with", async () => {
    expect(await search(where("email", "~", "acme"))).toEqual(["ada", "anon"])
    expect(await search(where("name", "~", "Acme"))).toEqual(["lin"])
    expect(await search(where("email", "!~", "acme"))).toEqual(["grace", "lin", "alan"])
    expect(await search(where("name", "^", "A"))).toEqual(["ada", "alan"])
    expect(await search(where("email", "$", ".EXAMPLE"))).toEqual(["ada", "grace", "anon"])
    expect(await search(where("email_domain", "=", "acme.example"))).toEqual(["ada", "anon"])
  })

  it("<, >, <=, >= compare integers", async () => {
    expect(await search(where("owner_id", ">", 3))).toEqual(["ada"])
    expect(await search(where("owner_id", "<", 7))).toEqual(["grace"])
    expect(await search(where("owner_id", ">=", 3))).toEqual(["ada", "grace"])
    expect(await search(where("owner_id", "<=", "3"))).toEqual(["grace"])
    expect(await search(where("custom_attributes.seats", ">", 5))).toEqual(["ada"])
  })

  it("dates match whole days in the workspace's time zone: = the day, > from the next, < before it", async () => {
    expect(await search(where("signed_up_at", "=", jan1Midnight))).toEqual(["ada", "grace"])
    // Not from 09:00 on 1 January: from 2 January, so Grace (20:00 on 1 January) is left out.
    expect(await search(where("signed_up_at", ">", String(jan1At0900)))).toEqual(["lin", "alan"])
    expect(await search(where("signed_up_at", "<", jan1At0900))).toEqual(["anon"])
    // 23:30 UTC on 1 July is 2 July in London.
    expect(await search(where("signed_up_at", "=", jul2Midnight))).toEqual(["alan"])
    const today = Math.floor(Date.now() / 1000)
    expect(await search(where("created_at", "=", today))).toHaveLength(5)
    expect(await search(where("created_at", "<", today))).toEqual([])
  })

  it("booleans and custom attributes", async () => {
    expect(await search(where("unsubscribed_from_emails", "=", true))).toEqual(["grace"])
    expect(await search(where("unsubscribed_from_emails", "!=", true))).toEqual([
      "ada",
      "anon",
      "lin",
      "alan"
    ])
    expect(await search(where("custom_attributes.plan", "=", "pro"))).toEqual(["ada"])
    expect(await search(where("custom_attributes.plan", "IN", ["pro", "free"]))).toEqual(["ada", "grace"])
    expect(await search(where("custom_attributes.beta", "=", true))).toEqual(["ada"])
    expect(await search(where("custom_attributes.missing", "=", null))).toHaveLength(5)
  })

  it("fields Intercom accepts but the simulator does not track hold no value", async () => {
    expect(await search(where("location.country", "=", null))).toHaveLength(5)
    expect(await search(where("browser", "=", "Chrome"))).toEqual([])
    expect(await search(where("tag_id", "!=", "1"))).toHaveLength(5)
  })

  it("sees changes at once (PUT /contacts/{id})", async () => {
    const [id] = [...labels].find(([, label]) => label === "lin") ?? []
    expect((await call("PUT", `/contacts/${id}`, { name: "Lin Acme-Jones" })).status).toBe(200)
    expect(await search(where("name", "$", "-Jones"))).toEqual(["lin"])
  })
})

describe("POST /contacts/search: AND and OR", () => {
  it("combines filters", async () => {
    expect(
      await search({
        operator: "AND",
        value: [where("role", "=", "user"), where("email", "~", "acme")]
      })
    ).toEqual(["ada"])
    expect(
      await search({
        operator: "OR",
        value: [where("external_id", "=", "ext-lin"), where("role", "=", "lead")]
      })
    ).toEqual(["anon", "lin", "alan"])
  })

  it("nests groups two deep: (1 OR 2) AND (3 OR 4)", async () => {
    const query = {
      operator: "AND",
      value: [
        { operator: "OR", value: [where("role", "=", "lead"), where("email", "~", "acme")] },
        { operator: "OR", value: [where("name", "^", "A"), where("email", "^", "anon")] }
      ]
    }
    expect(await search(query)).toEqual(["ada", "anon", "alan"])
    const narrower = { ...query, value: [...query.value, where("owner_id", "=", 7)] }
    expect(await search(narrower)).toEqual(["ada"])
  })

  it("refuses deeper nesting, oversized and empty groups", async () => {
    const leaf = where("role", "=", "user")
    await expectRefused(
      {
        query: { operator: "AND", value: [{ operator: "OR", value: [{ operator: "AND", value: [leaf] }] }] }
      },
      "query.value[0].value[0]",
      "parameter_invalid",
      /nests AND\/OR groups deeper than Intercom allows/
    )
    await expectRefused(
      { query: { operator: "OR", value: Array.from({ length: 16 }, () => leaf) } },
      "query.value",
      "parameter_invalid",
      /16 queries; Intercom allows 15/
    )
    expect(await search({ operator: "OR", value: Array.from({ length: 15 }, () => leaf) })).toHaveLength(3)
    await expectRefused({ query: { operator: "AND", value: [] } }, "query.value")
  })
})

describe("POST /contacts/search: pagination", () => {
  it("pages forward with starting_after: every match once, total_count and pages on each page", async () => {
    const everyone = where("created_at", "=", Math.floor(Date.now() / 1000))
    const seen: Array<string> = []
    const pageNumbers: Array<number> = []
    let startingAfter: string | undefined
    for (let guard = 0; guard < 10; guard++) {
      const answer = await call("POST", "/contacts/search", {
        query: everyone,
        pagination: { per_page: 2, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) }
      })
      expect(answer.status).toBe(200)
      expect(sim.schemas.responseErrors("SearchContacts", 200, answer.body)).toEqual([])
      expect(answer.body.total_count).toBe(5)
      expect(answer.body.pages).toMatchObject({ type: "pages", per_page: 2, total_pages: 3 })
      pageNumbers.push(answer.body.pages.page)
      seen.push(...answer.body.data.map((contact) => labelOf(contact.id)))
      startingAfter = answer.body.pages.next?.starting_after
      if (startingAfter === undefined) break
      expect(answer.body.pages.next?.per_page).toBe(2)
    }
    expect(seen).toEqual(["ada", "grace", "anon", "lin", "alan"])
    expect(pageNumbers).toEqual([1, 2, 3])
  })

  it("counts and pages only the matches; no matches is no pages", async () => {
    const first = await call("POST", "/contacts/search", {
      query: where("role", "=", "user"),
      pagination: { per_page: 1 }
    })
    expect(first.body).toMatchObject({ total_count: 3, pages: { page: 1, total_pages: 3 } })
    const second = await call("POST", "/contacts/search", {
      query: where("role", "=", "user"),
      pagination: first.body.pages.next
    })
    expect(second.body.data.map((contact) => labelOf(contact.id))).toEqual(["grace"])
    expect(second.body.pages.page).toBe(2)
    const none = await call("POST", "/contacts/search", { query: where("email", "=", "nobody@example.com") })
    expect(sim.schemas.responseErrors("SearchContacts", 200, none.body)).toEqual([])
    expect(none.body).toMatchObject({
      type: "list",
      data: [],
      total_count: 0,
      pages: { per_page: 50, total_pages: 0 }
    })
    expect(none.body.pages.next).toBeUndefined()
  })

  it("uses the cursors of GET /contacts", async () => {
    const listed = await call("GET", "/contacts?per_page=2")
    const cursor = listed.body.pages.next?.starting_after
    const searched = await call("POST", "/contacts/search", {
      query: where("role", "IN", ["user", "lead"]),
      pagination: { per_page: 2, starting_after: cursor }
    })
    expect(searched.body.data.map((contact) => labelOf(contact.id))).toEqual(["anon", "lin"])
  })
})

describe("POST /contacts/search: bad queries", () => {
  it("names the field that breaks the spec's search_request", async () => {
    await expectRefused({}, "query", "parameter_not_found")
    await expectRefused([], "", "parameter_invalid")
    await expectRefused({ query: {} }, "query.field", "parameter_not_found")
    await expectRefused({ query: { field: "email", value: "x" } }, "query.operator", "parameter_not_found")
    await expectRefused({ query: { field: "email", operator: "=" } }, "query.value", "parameter_not_found")
    await expectRefused(
      { query: where("email", "LIKE", "x") },
      "query.operator",
      "parameter_invalid",
      /one of =/
    )
    await expectRefused({ query: where(42, "=", "x") }, "query.field")
    await expectRefused({ query: where("email", "=", { nested: true }) }, "query.value")
    await expectRefused(
      { query: { operator: "OR", value: [where("email", "=", "x"), { field: "name", operator: "=" }] } },
      "query.value[1].value",
      "parameter_not_found"
    )
    await expectRefused({ query: { operator: "AND", value: "x" } }, "query.value")
    await expectRefused({ query: { operator: "OR", value: null } }, "query.value", "parameter_not_found")
    // A node with a field is a filter, whatever its operator says.
    await expectRefused(
      { query: { field: "email", operator: "AND", value: [where("email", "=", "x")] } },
      "query.operator",
      "parameter_invalid",
      /one of =/
    )
    // Only 2.11's description requires per_page; the other versions page by 50 without it.
    if (requiredOf("starting_after_paging").includes("per_page")) {
      await expectRefused(
        { query: where("email", "=", "x"), pagination: {} },
        "pagination.per_page",
        "parameter_not_found"
      )
    } else {
      const unpaged = await call("POST", "/contacts/search", {
        query: where("role", "=", "user"),
        pagination: {}
      })
      expect(unpaged.status, JSON.stringify(unpaged.body)).toBe(200)
      expect(unpaged.body.pages).toMatchObject({ per_page: 50 })
      expect(unpaged.body.data.length).toBeGreaterThan(0)
    }
    await expectRefused(
      { query: where("email", "=", "x"), pagination: { per_page: "2" } },
      "pagination.per_page"
    )
    await expectRefused(
      { query: where("email", "=", "x"), pagination: { per_page: 151 } },
      "pagination.per_page"
    )
    await expectRefused(
      { query: where("email", "=", "x"), pagination: { per_page: 2, starting_after: "bm9wZQ" } },
      "pagination.starting_after"
    )
    const text = await call("POST", "/contacts/search", "{not json")
    expect(text.status).toBe(400)
    expect(text.body.errors[0]?.code).toBe("bad_request")
  })

  it("refuses fields and operators Intercom does not search, naming them", async () => {
    await expectRefused(
      { query: where("shoe_size", "=", "9") },
      "query.field",
      "parameter_invalid",
      /"shoe_size" is not a searchable contact field/
    )
    await expectRefused(
      {
        query: { operator: "AND", value: [where("role", "=", "user"), where("custom_attributes.", "=", "x")] }
      },
      "query.value[1].field"
    )
    await expectRefused(
      { query: where("created_at", "~", "2020") },
      "query.operator",
      "parameter_invalid",
      /"~" is not supported on created_at; use one of =, <, >/
    )
    await expectRefused({ query: where("created_at", "!=", jan1At0900) }, "query.operator")
    await expectRefused({ query: where("signed_up_at", "IN", [jan1At0900]) }, "query.operator")
    await expectRefused(
      { query: where("email", ">", "a") },
      "query.operator",
      "parameter_invalid",
      /not supported on email/
    )
    await expectRefused({ query: where("tag_id", "IN", ["1"]) }, "query.operator")
    await expectRefused({ query: where("unsubscribed_from_emails", "~", "t") }, "query.operator")
  })

  it("refuses values of the wrong type for the field and operator", async () => {
    await expectRefused(
      { query: where("email", "=", 5) },
      "query.value",
      "parameter_invalid",
      /must be a string for email/
    )
    await expectRefused(
      { query: where("created_at", ">", "yesterday") },
      "query.value",
      "parameter_invalid",
      /UNIX timestamp/
    )
    await expectRefused(
      { query: where("owner_id", "=", "seven") },
      "query.value",
      "parameter_invalid",
      /integer/
    )
    await expectRefused({ query: where("unsubscribed_from_emails", "=", "yes") }, "query.value")
    await expectRefused(
      { query: where("email", "IN", "a@b.example") },
      "query.value",
      "parameter_invalid",
      /array for IN/
    )
    await expectRefused(
      { query: where("email", "=", ["a@b.example"]) },
      "query.value",
      "parameter_invalid",
      /only for IN and NIN/
    )
    await expectRefused(
      { query: where("email", "IN", []) },
      "query.value",
      "parameter_invalid",
      /at least one value/
    )
    await expectRefused({ query: where("external_id", "IN", ["a", 2]) }, "query.value[1]")
    await expectRefused(
      { query: where("name", "~", null) },
      "query.value",
      "parameter_invalid",
      /null only with = and !=/
    )
  })
})

describe("POST /contacts/search: like every route", () => {
  let own: Simulator | undefined
  afterEach(async () => {
    await own?.close()
    own = undefined
  })

  it("needs a Bearer token (401 as the spec describes it)", async () => {
    const answer = await fetch(`${sim.url}/contacts/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: where("role", "=", "user") })
    })
    expect(answer.status).toBe(401)
    expect(sim.schemas.responseErrors("SearchContacts", 401, await answer.json())).toEqual([])
  })

  it("takes faults by operationId or by METHOD /path", async () => {
    own = await startSimulator({
      clientSecret: "s",
      faults: ["SearchContacts:503"],
      rateLimitPerMinute: 1_000_000
    })
    const body = { query: where("role", "=", "user") }
    expect((await callOn(own, "POST", "/contacts/search", body)).status).toBe(503)
    expect((await callOn(own, "GET", "/contacts")).status).toBe(200)
    own.setFaults(["POST /contacts/search:drop"])
    await expect(callOn(own, "POST", "/contacts/search", body)).rejects.toThrow(/fetch failed/)
    own.setFaults([])
    expect((await callOn(own, "POST", "/contacts/search", body)).status).toBe(200)
  })

  it.effect("counts against the rate limit, with the headers (on TestClock)", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const body = { query: where("role", "=", "user") }
      const first = yield* api(sim, "POST", "/contacts/search", body)
      expect(first.status).toBe(200)
      expect(first.headers.get("x-ratelimit-remaining")).toBe("0")
      const second = yield* api(sim, "POST", "/contacts/search", body)
      expect(second.status).toBe(429)
      expect(second.body.errors[0]?.code).toBe("rate_limit_exceeded")
    }).pipe(Effect.provide(simulatorLayer({ rateLimitPerMinute: 6 })))
  )
})
