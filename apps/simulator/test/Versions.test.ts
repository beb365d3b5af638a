/**
 * Every operation the twin serves, under every pinned `Intercom-Version`, against one simulator whose
 * app default is 2.11: each answer must be valid for that version's response schema, and must carry
 * every field of the version's recorded example of that object (the example of the operation's
 * answer, and of the items of its lists).
 */
import { pinnedVersions } from "@taskjuice/intercom-client"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { apiHandlers } from "../src/http/ApiRoutes.ts"
import { type Simulator, startSimulator } from "../src/index.ts"

let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({
    clientSecret: "s",
    seed: "versions",
    apiVersion: "2.11",
    rateLimitPerMinute: 1_000_000
  })
})
afterAll(() => sim.close())

interface Answer {
  readonly operationId: string
  readonly status: number
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body, read loosely; the spec checks its shape.
  readonly body: any
}

const call = async (
  version: string | undefined,
  operationId: string,
  method: string,
  path: string,
  body?: unknown
): Promise<Answer> => {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${Redacted.value(sim.accessToken)}`,
      "content-type": "application/json",
      ...(version === undefined ? {} : { "intercom-version": version })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { operationId, status: response.status, body: await response.json() }
}

/** Calls every served operation once, in an order that makes each one's records first. */
const exercise = async (version: string): Promise<ReadonlyArray<Answer>> => {
  const answers: Array<Answer> = []
  const run = async (operationId: string, method: string, path: string, body?: unknown) => {
    const answer = await call(version, operationId, method, path, body)
    answers.push(answer)
    return answer.body
  }
  const profile = sim.descriptions.get(version).profile
  const unique = `${version.replace(".", "-")}-${Math.random().toString(36).slice(2, 8)}`
  await run("identifyAdmin", "GET", "/me")
  const admins = await run("listAdmins", "GET", "/admins")
  await run("retrieveAdmin", "GET", `/admins/${admins.admins[0].id}`)
  const contact = await run("CreateContact", "POST", "/contacts", {
    email: `ada-${unique}@example.com`,
    external_id: `ext-${unique}`,
    name: "Ada",
    owner_id: profile.ownerIdAsString ? "7" : 7
  })
  await run("ShowContact", "GET", `/contacts/${contact.id}`)
  await run("UpdateContact", "PUT", `/contacts/${contact.id}`, { name: "Ada Lovelace" })
  await run("ListContacts", "GET", "/contacts?per_page=5")
  await run("SearchContacts", "POST", "/contacts/search", {
    query: { field: "external_id", operator: "=", value: `ext-${unique}` }
  })
  const tag = await run("createTag", "POST", "/tags", { name: `Tag ${unique}` })
  await run("listTags", "GET", "/tags")
  await run("findTag", "GET", `/tags/${tag.id}`)
  await run("attachTagToContact", "POST", `/contacts/${contact.id}/tags`, { id: tag.id })
  await run("listTagsForAContact", "GET", `/contacts/${contact.id}/tags`)
  await run("detachTagFromContact", "DELETE", `/contacts/${contact.id}/tags/${tag.id}`)
  const company = await run("createOrUpdateCompany", "POST", "/companies", {
    company_id: `co-${unique}`,
    name: "Acme",
    plan: "Growth"
  })
  await run("RetrieveACompanyById", "GET", `/companies/${company.id}`)
  await run("retrieveCompany", "GET", `/companies?company_id=co-${unique}`)
  await run("listAllCompanies", "POST", "/companies/list")
  await run("attachContactToACompany", "POST", `/contacts/${contact.id}/companies`, { id: company.id })
  await run("listCompaniesForAContact", "GET", `/contacts/${contact.id}/companies`)
  await run("detachContactFromACompany", "DELETE", `/contacts/${contact.id}/companies/${company.id}`)
  const message = await run("createConversation", "POST", "/conversations", {
    from: { type: "user", id: contact.id },
    body: "Our invoices stopped syncing"
  })
  await run("retrieveConversation", "GET", `/conversations/${message.conversation_id}`)
  await run("replyConversation", "POST", `/conversations/${message.conversation_id}/reply`, {
    type: "user",
    message_type: "comment",
    intercom_user_id: contact.id,
    body: "Any news?"
  })
  await run("listConversations", "GET", "/conversations?per_page=5")
  await run("searchConversations", "POST", "/conversations/search", {
    query: { field: "id", operator: "=", value: message.conversation_id }
  })
  return answers
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The example's keys the answer lacks, at the top and in the first item of each list both have. */
const missingKeys = (answer: unknown, example: unknown, at = ""): ReadonlyArray<string> => {
  if (!isObject(answer) || !isObject(example)) return []
  const missing = Object.keys(example)
    .filter((key) => !(key in answer))
    .map((key) => `${at}${key}`)
  for (const [key, value] of Object.entries(example)) {
    const mine = answer[key]
    if (Array.isArray(value) && Array.isArray(mine) && isObject(value[0]) && isObject(mine[0])) {
      missing.push(...missingKeys(mine[0], value[0], `${at}${key}[0].`))
    }
  }
  return missing
}

const answersByVersion = new Map<string, ReadonlyArray<Answer>>()
const answersOf = async (version: string) => {
  let answers = answersByVersion.get(version)
  if (answers === undefined) {
    answers = await exercise(version)
    answersByVersion.set(version, answers)
  }
  return answers
}

describe.each(pinnedVersions)("Intercom-Version %s", (version) => {
  it("serves every operation the twin implements, each answer valid for the version's response schema", async () => {
    const answers = await answersOf(version)
    const served = [...apiHandlers(sim.store).keys()].sort()
    expect([...new Set(answers.map((answer) => answer.operationId))].sort()).toEqual(served)
    const schemas = sim.descriptions.get(version).schemas
    const problems = answers.flatMap((answer) =>
      answer.status !== 200
        ? [`${answer.operationId}: ${answer.status} ${JSON.stringify(answer.body)}`]
        : schemas
            .responseErrors(answer.operationId, 200, answer.body)
            .map((error) => `${answer.operationId}: ${error.instancePath} ${error.message}`)
    )
    expect(problems).toEqual([])
  })

  it("answers with every field of the version's recorded example of each object", async () => {
    const answers = await answersOf(version)
    const schemas = sim.descriptions.get(version).schemas
    const gaps = answers.flatMap((answer) =>
      schemas
        .responseExamples(answer.operationId)
        .flatMap((example) => missingKeys(answer.body, example).map((key) => `${answer.operationId}: ${key}`))
    )
    expect(gaps).toEqual([])
  })
})

describe("a 2.11-default twin asked for other versions by the header", () => {
  it("types owner_id as the header's version does: an integer for 2.11 and 2.14, a string for 2.16", async () => {
    const email = `owner-${Math.random().toString(36).slice(2)}@example.com`
    const unversioned = await call(undefined, "CreateContact", "POST", "/contacts", { email, owner_id: 1005 })
    expect(unversioned.body.owner_id).toBe(1005)
    const id = unversioned.body.id
    expect((await call("2.14", "ShowContact", "GET", `/contacts/${id}`)).body.owner_id).toBe(1005)
    expect((await call("2.16", "ShowContact", "GET", `/contacts/${id}`)).body.owner_id).toBe("1005")
    // 2.16 takes a string, and refuses the integer 2.11 takes (and the other way round).
    const refused = await call("2.16", "UpdateContact", "PUT", `/contacts/${id}`, { owner_id: 1006 })
    expect(refused.status).toBe(400)
    expect(refused.body.errors[0]).toMatchObject({ code: "parameter_invalid", field: "owner_id" })
    expect((await call("2.16", "UpdateContact", "PUT", `/contacts/${id}`, { owner_id: "1006" })).status).toBe(
      200
    )
    expect((await call("2.11", "UpdateContact", "PUT", `/contacts/${id}`, { owner_id: "1007" })).status).toBe(
      400
    )
  })

  it("shapes each version's conversation: 2.16's priority words and 0 for no assignee, 2.10 without ai_agent", async () => {
    const contact = (await call(undefined, "CreateContact", "POST", "/contacts", { role: "lead" })).body
    const started = await call("2.14", "createConversation", "POST", "/conversations", {
      from: { type: "lead", id: contact.id },
      body: "Hello"
    })
    const path = `/conversations/${started.body.conversation_id}`
    const newest = (await call("2.16", "retrieveConversation", "GET", path)).body
    expect(newest).toMatchObject({ priority: "none", admin_assignee_id: 0, team_assignee_id: 0 })
    const older = (await call("2.14", "retrieveConversation", "GET", path)).body
    expect(older).toMatchObject({ priority: "not_priority", admin_assignee_id: null, team_assignee_id: null })
    expect("ai_agent" in older).toBe(true)
    expect("ai_agent" in (await call("2.10", "retrieveConversation", "GET", path)).body).toBe(false)
  })

  it("refuses a version Intercom does not have, listing the valid ones", async () => {
    const answer = await call("2.99", "identifyAdmin", "GET", "/me")
    expect(answer.status).toBe(400)
    expect(answer.body.errors[0].code).toBe("intercom_version_invalid")
    expect(answer.body.errors[0].message).toContain("2.10, 2.11, 2.12, 2.13, 2.14, 2.15, 2.16")
  })
})
