import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { apiVersion, compareVersions, createIntercomClient, readRateLimit } from "@taskjuice/intercom-client"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Simulator, SpecSchemas, startSimulator, toJsonSchema } from "../src/index.ts"

let sim: Simulator
let token: string

beforeAll(async () => {
  sim = await startSimulator({
    clientSecret: "test-client-secret",
    seed: "api-tests",
    rateLimitPerMinute: 1_000_000,
    redirectUris: ["https://app.example/callback", "https://app.example/cb"]
  })
  token = Redacted.value(sim.accessToken)
})
afterAll(() => sim.close())

/** A parsed JSON body, read loosely: tests assert on its values, the spec validator on its shape. */
interface Json {
  readonly [key: string]: Json
  readonly [index: number]: Json
}
const list = (value: Json | undefined): ReadonlyArray<Json> => (value ?? []) as unknown as ReadonlyArray<Json>

interface Answer {
  readonly status: number
  readonly body: Json
  readonly headers: Headers
}

const call = async (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<Answer> => {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "intercom-version": apiVersion,
      "content-type": "application/json",
      ...headers
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

/** The response must match the operation's schema in the pinned spec for its status. */
const expectSpecValid = (operationId: string, answer: Answer) => {
  expect(sim.schemas.responseErrors(operationId, answer.status, answer.body)).toEqual([])
}

const expectErrorList = (answer: Answer, status: number, code: string, field?: string) => {
  expect(answer.status).toBe(status)
  expect(sim.schemas.componentErrors("error", answer.body)).toEqual([])
  expect(answer.body.type).toBe("error.list")
  expect(answer.body.errors?.[0]?.code).toBe(code)
  if (field !== undefined) expect(answer.body.errors?.[0]?.field).toBe(field)
}

const newUser = async (email = `user-${Math.random().toString(36).slice(2)}@example.com`) => {
  const answer = await call("POST", "/contacts", { email, name: "Test User", external_id: `ext-${email}` })
  expect(answer.status).toBe(200)
  return answer.body
}

describe("the response validator", () => {
  it("turns OpenAPI nullable into JSON Schema null", () => {
    expect(toJsonSchema({ type: "string", nullable: true })).toEqual({ type: ["string", "null"] })
    expect(
      toJsonSchema({ type: "object", allOf: [{ $ref: "#/components/schemas/x" }], nullable: true })
    ).toEqual({
      anyOf: [{ type: "object", allOf: [{ $ref: "intercom-spec#/components/schemas/x" }] }, { type: "null" }]
    })
  })

  it("rejects bodies that break the spec, so the endpoint tests can fail", async () => {
    const contact = (await newUser()).id
    const valid = (await call("GET", `/contacts/${contact}`)).body
    const schemas = new SpecSchemas()
    expect(schemas.responseErrors("ShowContact", 200, valid)).toEqual([])
    expect(schemas.responseErrors("ShowContact", 200, { ...valid, id: 42 })).not.toEqual([])
    expect(schemas.responseErrors("ShowContact", 200, { ...valid, role: 5 })).not.toEqual([])
    const badLocation = { ...valid, location: { type: "location", city: 12 } }
    expect(schemas.responseErrors("ShowContact", 200, badLocation)).not.toEqual([])
  })
})

describe("contacts", () => {
  it("POST /contacts creates a user by default and a lead on request, valid against the spec", async () => {
    // owner_id is an integer up to 2.15 and a string from 2.16 (whichever version this build pins).
    const ownerId = compareVersions(apiVersion, "2.16") >= 0 ? "7" : 7
    const user = await call("POST", "/contacts", {
      email: "maya@northwind.example",
      name: "Maya",
      owner_id: ownerId
    })
    expectSpecValid("CreateContact", user)
    expect(user.body).toMatchObject({
      type: "contact",
      role: "user",
      email: "maya@northwind.example",
      owner_id: ownerId
    })
    expect(user.body.id).toMatch(/^[0-9a-f]{24}$/)
    expect(user.body.email_domain).toBe("northwind.example")
    const lead = await call("POST", "/contacts", { role: "lead", name: "Anonymous" })
    expectSpecValid("CreateContact", lead)
    expect(lead.body.role).toBe("lead")
  })

  it("GET /contacts/{id} returns the contact; an unknown id is 404", async () => {
    const created = await newUser()
    const found = await call("GET", `/contacts/${created.id}`)
    expectSpecValid("ShowContact", found)
    expect(found.body.id).toBe(created.id)
    expectErrorList(await call("GET", "/contacts/000000000000000000000000"), 404, "not_found")
  })

  it("PUT /contacts/{id} updates fields, merges custom attributes and converts a lead to a user", async () => {
    const lead = (await call("POST", "/contacts", { role: "lead", custom_attributes: { plan: "free" } })).body
    const updated = await call("PUT", `/contacts/${lead.id}`, {
      role: "user",
      email: "converted@example.com",
      custom_attributes: { seats: 3 }
    })
    expectSpecValid("UpdateContact", updated)
    expect(updated.body).toMatchObject({ role: "user", email: "converted@example.com" })
    expect(updated.body.custom_attributes).toEqual({ plan: "free", seats: 3 })
    expectErrorList(
      await call("PUT", `/contacts/${lead.id}`, { role: "lead" }),
      400,
      "parameter_invalid",
      "role"
    )
    expectErrorList(await call("PUT", "/contacts/000000000000000000000000", { name: "x" }), 404, "not_found")
  })

  it("keeps one user per email and one contact per external_id (409 conflict)", async () => {
    const user = await newUser("dup@example.com")
    const again = await call("POST", "/contacts", { email: "DUP@example.com" })
    expectErrorList(again, 409, "conflict")
    expect(again.body.errors?.[0]?.message).toContain(user.id)
  })

  it("GET /contacts pages forward with starting_after until every contact was seen once", async () => {
    for (let i = 0; i < 5; i++) await newUser()
    const total = sim.counts().contacts
    const seen: Array<string> = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await call(
        "GET",
        `/contacts?per_page=4${cursor === undefined ? "" : `&starting_after=${cursor}`}`
      )
      expectSpecValid("ListContacts", page)
      expect(page.body.total_count).toBe(total)
      seen.push(...list(page.body.data).map((contact) => String(contact.id)))
      const next = page.body.pages?.next
      cursor = next === undefined ? undefined : String(next.starting_after)
      pages++
    } while (cursor !== undefined && pages < 100)
    expect(seen).toHaveLength(total)
    expect(new Set(seen).size).toBe(total)
    const second = await call("GET", "/contacts?per_page=4&page=2")
    expect(second.body.data?.[0]?.id).toBe(seen[4])
  })

  it("names the field when a request breaks the spec", async () => {
    expectErrorList(await call("POST", "/contacts", {}), 400, "parameter_not_found", "email")
    expectErrorList(await call("POST", "/contacts", { email: 42 }), 400, "parameter_invalid", "email")
    expectErrorList(await call("POST", "/contacts", { role: "admin" }), 400, "parameter_invalid", "role")
    expectErrorList(await call("POST", "/contacts", "{not json"), 400, "bad_request")
    expectErrorList(await call("GET", "/contacts?per_page=500"), 400, "parameter_invalid", "per_page")
    expectErrorList(await call("GET", "/contacts?per_page=two"), 400, "parameter_invalid", "per_page")
    expectErrorList(
      await call("GET", "/contacts?starting_after=bm9wZQ"),
      400,
      "parameter_invalid",
      "starting_after"
    )
  })
})

describe("conversations", () => {
  it("POST /conversations starts a conversation from a contact and answers with its message", async () => {
    const user = await newUser()
    const started = await call("POST", "/conversations", {
      from: { type: "user", id: user.id },
      body: "Hello"
    })
    expectSpecValid("createConversation", started)
    // As Intercom's example shows it: the message as sent; the conversation's source holds it as HTML.
    expect(started.body).toMatchObject({ type: "user_message", body: "Hello", message_type: "inapp" })
    const conversation = await call("GET", `/conversations/${started.body.conversation_id}`)
    expectSpecValid("retrieveConversation", conversation)
    expect(conversation.body.source?.author).toMatchObject({ type: "user", id: user.id })
    expect(conversation.body.contacts?.contacts?.[0]?.id).toBe(user.id)
  })

  it("refuses an unknown contact (404) and a malformed from (400 naming the field)", async () => {
    const unknown = await call("POST", "/conversations", {
      from: { type: "user", id: "0".repeat(24) },
      body: "x"
    })
    expectErrorList(unknown, 404, "not_found")
    const lead = (await call("POST", "/contacts", { role: "lead" })).body
    expectErrorList(
      await call("POST", "/conversations", { from: { type: "user", id: lead.id }, body: "x" }),
      404,
      "not_found"
    )
    expectErrorList(
      await call("POST", "/conversations", { from: { type: "user", id: "abc" }, body: "x" }),
      400,
      "parameter_invalid",
      "from.id"
    )
    expectErrorList(
      await call("POST", "/conversations", { from: { type: "bot", id: lead.id }, body: "x" }),
      400,
      "parameter_invalid",
      "from.type"
    )
    expectErrorList(
      await call("POST", "/conversations", { from: { type: "lead", id: lead.id } }),
      400,
      "parameter_not_found",
      "body"
    )
  })

  it("POST /conversations/{id}/reply takes contact replies by id, email, user_id and 'last', and admin replies", async () => {
    const user = await newUser("replier@example.com")
    const started = (
      await call("POST", "/conversations", { from: { type: "user", id: user.id }, body: "Hi" })
    ).body
    const path = `/conversations/${started.conversation_id}/reply`
    const base = { type: "user", message_type: "comment" }
    for (const identifier of [
      { intercom_user_id: user.id },
      { email: "replier@example.com" },
      { user_id: user.external_id }
    ]) {
      const replied = await call("POST", path, { ...base, ...identifier, body: "More detail" })
      expectSpecValid("replyConversation", replied)
    }
    const last = await call("POST", "/conversations/last/reply", {
      ...base,
      intercom_user_id: user.id,
      body: "Last"
    })
    expectSpecValid("replyConversation", last)
    expect(last.body.id).toBe(started.conversation_id)
    const admin = sim.store.defaultAdmin
    const answered = await call("POST", path, {
      type: "admin",
      message_type: "comment",
      admin_id: Number(admin.id),
      body: "On it"
    })
    expectSpecValid("replyConversation", answered)
    const parts = answered.body.conversation_parts?.conversation_parts
    expect(list(parts).map((part) => String(part.author?.type))).toEqual([
      "user",
      "user",
      "user",
      "user",
      "admin"
    ])
    expect(answered.body.waiting_since).toBeNull()
    const note = await call("POST", path, {
      type: "admin",
      message_type: "note",
      admin_id: admin.id,
      body: "internal"
    })
    expect(list(note.body.conversation_parts?.conversation_parts).at(-1)?.part_type).toBe("note")
  })

  it("refuses replies it cannot place, naming the field", async () => {
    const user = await newUser()
    const started = (
      await call("POST", "/conversations", { from: { type: "user", id: user.id }, body: "Hi" })
    ).body
    const path = `/conversations/${started.conversation_id}/reply`
    expectErrorList(await call("POST", path, { type: "bot", body: "x" }), 400, "parameter_invalid", "type")
    expectErrorList(
      await call("POST", path, { type: "admin", message_type: "comment", body: "x" }),
      400,
      "parameter_not_found",
      "admin_id"
    )
    expectErrorList(
      await call("POST", path, { type: "admin", message_type: "shout", admin_id: "1", body: "x" }),
      400,
      "parameter_invalid",
      "message_type"
    )
    expectErrorList(
      await call("POST", path, { type: "user", message_type: "comment", body: "x" }),
      400,
      "parameter_not_found",
      "intercom_user_id"
    )
    expectErrorList(
      await call("POST", path, { type: "user", message_type: "comment", intercom_user_id: user.id }),
      400,
      "parameter_not_found",
      "body"
    )
    expectErrorList(
      await call("POST", "/conversations/999999999/reply", {
        type: "user",
        message_type: "comment",
        intercom_user_id: user.id,
        body: "x"
      }),
      404,
      "not_found"
    )
    expectErrorList(
      await call("POST", path, { type: "admin", message_type: "comment", admin_id: "1", body: "x" }),
      404,
      "admin_not_found"
    )
  })
})

describe("companies, tags and /me", () => {
  it("POST /companies upserts on company_id", async () => {
    const created = await call("POST", "/companies", {
      company_id: "acme-1",
      name: "Acme",
      plan: "Growth",
      monthly_spend: 99
    })
    expectSpecValid("createOrUpdateCompany", created)
    expect(created.body).toMatchObject({
      company_id: "acme-1",
      name: "Acme",
      monthly_spend: 99,
      plan: { type: "plan", name: "Growth" }
    })
    const updated = await call("POST", "/companies", {
      company_id: "acme-1",
      size: 40,
      custom_attributes: { tier: "gold" }
    })
    expectSpecValid("createOrUpdateCompany", updated)
    expect(updated.body).toMatchObject({
      id: created.body.id,
      name: "Acme",
      size: 40,
      custom_attributes: { tier: "gold" }
    })
    expectErrorList(await call("POST", "/companies", { size: "big" }), 400, "parameter_invalid", "size")
    // The spec types monthly_spend as an integer, so a fraction is refused rather than truncated.
    expectErrorList(
      await call("POST", "/companies", { company_id: "acme-1", monthly_spend: 9.5 }),
      400,
      "parameter_invalid",
      "monthly_spend"
    )
  })

  it("GET /tags and GET /me", async () => {
    const tags = await call("GET", "/tags")
    expectSpecValid("listTags", tags)
    expect(list(tags.body.data).length).toBeGreaterThan(0)
    const me = await call("GET", "/me")
    expectSpecValid("identifyAdmin", me)
    expect(me.body.app?.id_code).toBe(sim.store.workspace.id_code)
  })
})

describe("auth and versions", () => {
  const operations: ReadonlyArray<[string, string, unknown?]> = [
    ["POST", "/contacts", { email: "x@example.com" }],
    ["GET", "/contacts"],
    ["GET", "/contacts/000000000000000000000000"],
    ["PUT", "/contacts/000000000000000000000000", { name: "x" }],
    ["POST", "/conversations", { from: { type: "user", id: "0".repeat(24) }, body: "x" }],
    ["POST", "/conversations/1/reply", { type: "admin" }],
    ["POST", "/companies", { name: "x" }],
    ["GET", "/tags"],
    ["GET", "/me"]
  ]

  it.each(operations)("%s %s without a valid Bearer token is 401 error.list", async (method, path, body) => {
    expectErrorList(await call(method, path, body, { authorization: "" }), 401, "unauthorized")
    expectErrorList(
      await call(method, path, body, { authorization: "Bearer not-a-token" }),
      401,
      "unauthorized"
    )
  })

  it("honours Intercom-Version: refuses unknown versions and shapes responses per version", async () => {
    expectErrorList(
      await call("GET", "/me", undefined, { "intercom-version": "9.9" }),
      400,
      "intercom_version_invalid"
    )
    expectErrorList(
      await call("GET", "/me", undefined, { "intercom-version": "1.4" }),
      400,
      "intercom_version_invalid"
    )
    const user = await newUser()
    const older = await call("GET", `/contacts/${user.id}`, undefined, { "intercom-version": "2.10" })
    expect(older.status).toBe(200)
    expect("formatted_phone" in older.body).toBe(false)
    const unversioned = await call("GET", `/contacts/${user.id}`, undefined, { "intercom-version": "" })
    expectSpecValid("ShowContact", unversioned)
  })

  it("works with the typed client (createIntercomClient) end to end", async () => {
    const client = createIntercomClient({ accessToken: sim.accessToken, baseUrl: sim.url })
    const created = await client.POST("/contacts", { body: { email: "typed@example.com", role: "user" } })
    expect(created.error).toBeUndefined()
    const id = created.data!.id
    const shown = await client.GET("/contacts/{contact_id}", {
      params: { path: { contact_id: id } }
    } as never)
    expect(shown.response.status).toBe(200)
    expect(client.lastRateLimit()).toMatchObject({ limit: expect.any(Number), remaining: expect.any(Number) })
  })
})

describe("the surface around the eight", () => {
  it("an operation of Intercom's the twin does not serve says so by its operationId, never as a missing record", async () => {
    const user = await newUser()
    const unserved = await call("DELETE", `/contacts/${user.id}`)
    expectErrorList(unserved, 501, "not_implemented")
    expect(unserved.body.errors?.[0]?.message).toContain("does not implement DeleteContact")
    expect(readRateLimit(unserved.headers)).toBeDefined()
    // An operation only a newer version has, asked for with an older one: Intercom's version error.
    const older = await call("POST", `/contacts/${user.id}/block`, {}, { "intercom-version": "2.11" })
    expectErrorList(older, 400, "intercom_version_invalid")
    expect(older.body.errors?.[0]?.message).toBe(
      "Requested resource is not available in current API version."
    )
    // A path Intercom does not have at all is its 404, with the rate-limit headers of any answer.
    const nowhere = await call("GET", "/no/such/resource")
    expectErrorList(nowhere, 404, "not_found")
    expect(readRateLimit(nowhere.headers)).toBeDefined()
    expectErrorList(await call("PATCH", "/contacts"), 405, "method_not_allowed")
  })

  it("answers as Intercom's examples show: signed_up_at null on create, an empty list has no pages", async () => {
    const empty = await startSimulator({ clientSecret: "s", seed: "empty" })
    try {
      const headers = { authorization: `Bearer ${Redacted.value(empty.accessToken)}` }
      const list = (await (await fetch(`${empty.url}/contacts`, { headers })).json()) as Json
      expect(list.pages?.total_pages).toBe(0)
      expect(list.total_count).toBe(0)
    } finally {
      await empty.close()
    }
    const created = await newUser()
    expect(created.signed_up_at).toBeNull()
    expect(created.tags?.type).toBe("list")
    expect(created.location).toMatchObject({ type: "location", country_code: null, continent_code: null })
    expect(created.opted_in_subscription_types?.type).toBe("list")
    expect(created.utm_source).toBeNull()
  })

  it("tags and companies attach to a contact, show on it, list and detach", async () => {
    const user = await newUser()
    // Shown once before the changes: a kept answer must not outlive them.
    expect((await call("GET", `/contacts/${user.id}`)).body.tags?.total_count).toBe(0)
    const tag = (await call("POST", "/tags", { name: "Renewal" })).body
    expect((await call("POST", `/contacts/${user.id}/tags`, { id: tag.id })).body).toMatchObject({
      id: tag.id
    })
    const company = (await call("POST", "/companies", { company_id: "renew-1", name: "Renew" })).body
    await call("POST", `/contacts/${user.id}/companies`, { id: company.id })
    const shown = (await call("GET", `/contacts/${user.id}`)).body
    expect(list(shown.tags?.data).map((entry) => String(entry.id))).toEqual([String(tag.id)])
    expect(list(shown.companies?.data).map((entry) => String(entry.id))).toEqual([String(company.id)])
    expect((await call("GET", `/companies/${company.id}`)).body.user_count).toBe(1)
    expect(list((await call("GET", `/contacts/${user.id}/tags`)).body.data)).toHaveLength(1)
    expect(list((await call("GET", `/contacts/${user.id}/companies`)).body.data)).toHaveLength(1)
    await call("DELETE", `/contacts/${user.id}/tags/${tag.id}`)
    await call("DELETE", `/contacts/${user.id}/companies/${company.id}`)
    const after = (await call("GET", `/contacts/${user.id}`)).body
    expect(after.tags?.total_count).toBe(0)
    expect(after.companies?.total_count).toBe(0)
    expectErrorList(await call("DELETE", `/contacts/${user.id}/tags/${tag.id}`), 404, "not_found")
    expectErrorList(await call("GET", "/companies/000000000000000000000000"), 404, "company_not_found")
    expectErrorList(await call("POST", `/contacts/${user.id}/tags`, { id: "999999" }), 404, "not_found")
  })

  it("conversations list and search; admins list and find; tags are renamed by id", async () => {
    const user = await newUser()
    const started = (
      await call("POST", "/conversations", { from: { type: "user", id: user.id }, body: "Find me" })
    ).body
    const found = await call("POST", "/conversations/search", {
      query: { field: "source.body", operator: "~", value: "Find me" }
    })
    expect(list(found.body.conversations).map((c) => String(c.id))).toEqual([String(started.conversation_id)])
    expect(found.body.total_count).toBe(1)
    const page = (await call("GET", "/conversations?per_page=1")).body
    expect(list(page.conversations)).toHaveLength(1)
    expect(page.pages?.next?.starting_after).toBeDefined()
    const admins = (await call("GET", "/admins")).body
    const admin = list(admins.admins)[0]!
    expect((await call("GET", `/admins/${admin.id}`)).body.email).toBe(admin.email)
    expectErrorList(await call("GET", "/admins/1"), 404, "admin_not_found")
    const tag = (await call("POST", "/tags", { name: "Before" })).body
    expect((await call("POST", "/tags", { name: "After", id: tag.id })).body).toMatchObject({
      id: tag.id,
      name: "After"
    })
    expect((await call("GET", `/tags/${tag.id}`)).body.name).toBe("After")
  })
})

describe("OAuth", () => {
  const authorize = (query: string) => fetch(`${sim.url}/oauth?${query}`, { redirect: "manual" })
  const exchange = (fields: Record<string, string>) =>
    fetch(`${sim.url}/auth/eagle/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fields)
    })

  it("approves at once, redirects with code and state, and exchanges the code once for a working token", async () => {
    const redirect = await authorize(
      "client_id=sim_client_id&state=xyz&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback"
    )
    expect(redirect.status).toBe(302)
    const location = new URL(redirect.headers.get("location")!)
    expect(location.origin + location.pathname).toBe("https://app.example/callback")
    expect(location.searchParams.get("state")).toBe("xyz")
    const code = location.searchParams.get("code")!
    const answer = await exchange({ code, client_id: "sim_client_id", client_secret: "test-client-secret" })
    expect(answer.status).toBe(200)
    const tokens = (await answer.json()) as { token: string; access_token: string; token_type: string }
    expect(tokens.token_type).toBe("Bearer")
    expect(tokens.access_token).toBe(tokens.token)
    const me = await call("GET", "/me", undefined, { authorization: `Bearer ${tokens.access_token}` })
    expect(me.status).toBe(200)
    const reused = await exchange({ code, client_id: "sim_client_id", client_secret: "test-client-secret" })
    expect(reused.status).toBe(400)
  })

  it("refuses a wrong secret, a missing field and an unknown client", async () => {
    const redirect = await authorize("client_id=sim_client_id&redirect_uri=https%3A%2F%2Fapp.example%2Fcb")
    const code = new URL(redirect.headers.get("location")!).searchParams.get("code")!
    const wrong = await exchange({ code, client_id: "sim_client_id", client_secret: "guess" })
    expect(wrong.status).toBe(401)
    expect(JSON.stringify(await wrong.json())).not.toContain("test-client-secret")
    const missing = await exchange({ code, client_id: "sim_client_id" })
    expect(((await missing.json()) as Json).errors?.[0]?.field).toBe("client_secret")
    expect((await authorize("client_id=someone-else&redirect_uri=https%3A%2F%2Fx.example")).status).toBe(400)
  })
})

describe("state file", () => {
  it("keeps contacts, conversations, companies and tokens across a restart (SQLite)", async () => {
    const directory = mkdtempSync(join(tmpdir(), "intercom-sim-"))
    const stateFile = join(directory, "state.sqlite")
    try {
      const first = await startSimulator({ clientSecret: "s", stateFile, accessToken: "persisted-token" })
      const headers = { authorization: "Bearer persisted-token", "content-type": "application/json" }
      const contact = (await (
        await fetch(`${first.url}/contacts`, {
          method: "POST",
          headers,
          body: JSON.stringify({ email: "kept@example.com" })
        })
      ).json()) as { id: string }
      await fetch(`${first.url}/conversations`, {
        method: "POST",
        headers,
        body: JSON.stringify({ from: { type: "user", id: contact.id }, body: "persist me" })
      })
      await fetch(`${first.url}/companies`, {
        method: "POST",
        headers,
        body: JSON.stringify({ company_id: "kept", name: "Kept" })
      })
      const counts = first.counts()
      const workspace = first.store.workspace.id_code
      await first.close()

      const second = await startSimulator({ clientSecret: "s", stateFile })
      expect(second.counts()).toEqual(counts)
      expect(second.store.workspace.id_code).toBe(workspace)
      const again = await fetch(`${second.url}/contacts/${contact.id}`, { headers })
      expect(again.status).toBe(200)
      const duplicate = await fetch(`${second.url}/contacts`, {
        method: "POST",
        headers,
        body: JSON.stringify({ email: "kept@example.com" })
      })
      expect(duplicate.status).toBe(409)
      await second.close()
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
