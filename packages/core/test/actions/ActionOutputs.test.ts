/**
 * Every action hands the workflow everything Intercom answered: fields the output Schemas do not
 * model (social_profiles, tags, companies, custom nested objects, a field a later API version adds)
 * survive decoding at every depth, and the published JSON Schemas accept them.
 */
import { assert, describe, it } from "@effect/vitest"
import { inOrder, json, type Script } from "@taskjuice/intercom-testkit"
import {
  company,
  contact,
  contactId,
  contactList,
  conversation,
  errorList,
  message,
  tagList
} from "@taskjuice/intercom-testkit/intercom"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AnyActionDefinition } from "../../src/actions/Action.ts"
import { CreateCompany } from "../../src/actions/CreateCompany.ts"
import { CreateContact } from "../../src/actions/CreateContact.ts"
import { CreateConversation } from "../../src/actions/CreateConversation.ts"
import { GetContact } from "../../src/actions/GetContact.ts"
import { actions } from "../../src/actions/index.ts"
import { ListContacts } from "../../src/actions/ListContacts.ts"
import { ListTags } from "../../src/actions/ListTags.ts"
import { ReplyConversation } from "../../src/actions/ReplyConversation.ts"
import { UpdateContact } from "../../src/actions/UpdateContact.ts"
import { failureOf, runAction, successOf } from "../support/ActionHarness.ts"

/** Fields no output Schema models, nested objects and arrays included. */
const unmodelled = {
  x_added_in_a_later_version: { nested: { deeply: [1, { flag: true }] } }
}

// Spread, not `contact({...})`: the point is fields the pinned description may not even declare.
const richContact = {
  ...contact(),
  ...{
    social_profiles: {
      type: "list",
      data: [{ type: "social_profile", name: "Twitter", url: "https://twitter.com/ada" }]
    },
    tags: {
      type: "list",
      data: [{ type: "tag", id: "81", url: "/tags/81" }],
      url: "/contacts/63a07ddf05a32042dffac965/tags",
      total_count: 1,
      has_more: false
    },
    companies: {
      type: "list",
      data: [{ type: "company", id: "6672d3a9d5f3a8e0c1a1f0b1", url: "/companies/6672d3a9d5f3a8e0c1a1f0b1" }],
      url: "/contacts/63a07ddf05a32042dffac965/companies",
      total_count: 1,
      has_more: false
    },
    custom_attributes: { plan: "pro", address: { city: "London", lines: ["12 St James's Square"] } },
    location: {
      type: "location",
      country: "United Kingdom",
      region: "England",
      city: "London",
      country_code: "GBR",
      continent_code: "EU"
    }
  },
  ...unmodelled
}

const twoRichContacts = [richContact, { ...richContact, id: "c-2" }]

const richMessage = { ...message, ...unmodelled }

const [firstPart] = conversation.conversation_parts?.conversation_parts ?? []
const richConversation = {
  ...conversation,
  tags: { type: "tag.list", tags: [{ type: "tag", id: "81", name: "vip" }] },
  statistics: { type: "conversation_statistics", time_to_assignment: 12 },
  conversation_parts: {
    type: "conversation_part.list",
    conversation_parts: [
      {
        ...firstPart,
        author: { ...firstPart?.author, x_author_detail: { avatar: "https://example.com/a.png" } },
        ...unmodelled
      }
    ],
    total_count: 1,
    ...unmodelled
  },
  ...unmodelled
}

const richCompany = {
  ...company,
  plan: { type: "plan", id: "269315", name: "enterprise", ...unmodelled },
  tags: { type: "tag.list", tags: [{ type: "tag", id: "81", name: "vip" }] },
  ...unmodelled
}

const richTags = {
  ...tagList,
  data: (tagList.data ?? []).map((tag) => ({
    ...tag,
    applied_at: 1719492819,
    applied_by: { type: "admin", id: "1" }
  }))
}

/** A JSON round trip: exactly what a workflow receives over the wire. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const cases: ReadonlyArray<{
  readonly action: AnyActionDefinition
  readonly input: unknown
  readonly script: Script
  readonly expected: (output: unknown) => readonly [unknown, unknown]
}> = [
  {
    action: CreateContact,
    input: { role: "user", email: "ada@example.com" },
    script: inOrder(json(200, richContact)),
    expected: (output) => [output, { outcome: "created", ...richContact }]
  },
  {
    // The 409 path answers with the existing contact from ShowContact: it keeps everything too.
    action: CreateContact,
    input: { role: "user", email: "ada@example.com" },
    script: (request) =>
      request.path === "/contacts"
        ? json(
            409,
            errorList("conflict", `A contact matching those details already exists with id=${contactId}`)
          )
        : json(200, richContact),
    expected: (output) => [output, { outcome: "found", ...richContact }]
  },
  {
    action: GetContact,
    input: { contact_id: contactId },
    script: inOrder(json(200, richContact)),
    expected: (output) => [output, richContact]
  },
  {
    action: UpdateContact,
    input: { contact_id: contactId, name: "Ada Lovelace" },
    script: inOrder(json(200, richContact)),
    expected: (output) => [output, richContact]
  },
  {
    action: ListContacts,
    input: { per_page: 2 },
    script: inOrder(json(200, { ...contactList([], { total: 2 }), data: twoRichContacts })),
    expected: (output) => [(output as { contacts: unknown }).contacts, twoRichContacts]
  },
  {
    action: CreateConversation,
    input: { from: { type: "user", id: contactId }, body: "Hello there" },
    script: inOrder(json(200, richMessage)),
    expected: (output) => [output, richMessage]
  },
  {
    action: ReplyConversation,
    input: {
      conversation_id: "363",
      type: "admin",
      admin_id: "991267596",
      message_type: "comment",
      body: "On it!"
    },
    script: inOrder(json(200, richConversation)),
    expected: (output) => [output, richConversation]
  },
  {
    action: CreateCompany,
    input: { company_id: "acme-42", name: "Acme" },
    script: inOrder(json(200, richCompany)),
    expected: (output) => [output, richCompany]
  },
  {
    action: ListTags,
    input: {},
    script: inOrder(json(200, richTags)),
    expected: (output) => [(output as { tags: unknown }).tags, richTags.data]
  }
]

describe("action outputs keep every field Intercom sends", () => {
  it("every action is covered", () => {
    assert.deepStrictEqual(
      [...new Set(cases.map((c) => c.action.key))].sort(),
      actions.map((action) => action.key).sort()
    )
  })

  for (const { action, input, script, expected } of cases) {
    it.effect(`${action.key}: unmodelled fields survive, at any depth`, () =>
      Effect.gen(function* () {
        const { exit } = yield* runAction(action, input, script)
        const [actual, sent] = expected(successOf(exit))
        assert.deepStrictEqual(actual, asJson(sent))
        // And they survive encoding for the workflow, too.
        const encoded = asJson(Schema.encodeUnknownSync(action.output)(successOf(exit)))
        assert.deepStrictEqual(expected(encoded)[0], asJson(sent))
      })
    )
  }

  it.effect("a modelled field with the wrong type is still a Decode failure", () =>
    Effect.gen(function* () {
      const { exit } = yield* runAction(
        GetContact,
        { contact_id: contactId },
        inOrder(json(200, { ...richContact, created_at: "yesterday" }))
      )
      const error = failureOf(exit)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.strictEqual(error.reason._tag, "Decode")
      assert.include(error.message, "created_at")
    })
  )

  it("every published output JSON Schema accepts additional properties", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true })
    const samples: Record<string, unknown> = {
      "intercom/create-contact": { outcome: "created", ...richContact },
      "intercom/get-contact": richContact,
      "intercom/update-contact": richContact,
      "intercom/list-contacts": { contacts: [richContact], next_cursor: null, total_count: 1, ...unmodelled },
      "intercom/create-conversation": richMessage,
      "intercom/reply-conversation": richConversation,
      "intercom/create-company": richCompany,
      "intercom/list-tags": { tags: richTags.data, ...unmodelled }
    }
    for (const action of actions) {
      const document = Schema.toJsonSchemaDocument(action.output)
      const validate = ajv.compile({ ...(document.schema as object), $defs: document.definitions })
      assert.isTrue(
        validate(asJson(samples[action.key])),
        `${action.key}: ${JSON.stringify(validate.errors)}`
      )
    }
  })
})
