import { describe, expect, it } from "vitest"
import { renderDiffMarkdown } from "../src/DiffMarkdown.ts"
import { type Change, type DiffReport, diffDocuments } from "../src/SpecDiff.ts"
import { loadUsage, type Usage } from "../src/Usage.ts"
import { patchedDocument } from "./support/Generated.ts"

const usage = loadUsage()
const diff = (from: string, to: string): DiffReport =>
  diffDocuments(patchedDocument(from), patchedDocument(to), usage, {
    from: { version: from },
    to: { version: to }
  })

const find = (report: DiffReport, location: string, kind: Change["kind"]): Change => {
  const found = report.changes.filter((change) => change.location === location && change.kind === kind)
  if (found.length !== 1) {
    const near = report.changes.filter((change) =>
      change.location.startsWith(location.split(".")[0] ?? location)
    )
    throw new Error(
      `expected one ${kind} at ${location}, found ${found.length}; near: ${JSON.stringify(near.map((c) => [c.location, c.kind]))}`
    )
  }
  return found[0]!
}

const contactReaders = [
  "intercom/contact-created",
  "intercom/create-contact",
  "intercom/get-contact",
  "intercom/list-contacts",
  "intercom/update-contact"
]
const conversationReaders = [
  "intercom/conversation-created",
  "intercom/conversation-user-replied",
  "intercom/reply-conversation"
]

describe("codegen diff on the pinned versions (intercom-api.md §6)", () => {
  const to216 = diff("2.15", "2.16")

  it("2.16: contact owner_id integer → string, breaking for what we read and what we send", () => {
    const read = find(to216, "contact.owner_id", "type-changed")
    expect(read).toMatchObject({ impact: "breaking", direction: "response", from: "integer", to: "string" })
    expect(read.touches).toEqual(contactReaders)
    expect(read.webhookItems).toEqual(["contact"])
    const sent = find(to216, "create_contact_request.owner_id", "type-changed")
    expect(sent).toMatchObject({
      impact: "breaking",
      direction: "request",
      touches: ["intercom/create-contact"]
    })
    expect(find(to216, "update_contact_request.owner_id", "type-changed").touches).toEqual([
      "intercom/update-contact"
    ])
  })

  it("2.16: the conversation priority enum is replaced", () => {
    const priority = find(to216, "conversation.priority", "enum-changed")
    expect(priority).toMatchObject({
      impact: "breaking",
      direction: "response",
      added: ["high", "low", "medium", "none", "urgent"],
      removed: ["not_priority", "priority"]
    })
    expect(priority.touches).toEqual(conversationReaders)
    expect(priority.operations).toEqual(["replyConversation"])
    expect(priority.webhookItems).toEqual(["conversation"])
  })

  it("2.16: admin_assignee_id and team_assignee_id are no longer nullable (0 when unassigned)", () => {
    for (const field of ["admin_assignee_id", "team_assignee_id"]) {
      expect(find(to216, `conversation.${field}`, "nullable-removed")).toMatchObject({
        impact: "breaking",
        direction: "response",
        touches: conversationReaders
      })
    }
  })

  it("2.16: ShowContact answers 410 for a merged contact, a new error status for get-contact", () => {
    const gone = find(to216, "ShowContact responses", "status-added")
    // create-contact reads the existing contact through ShowContact when Intercom answers 409.
    expect(gone).toMatchObject({
      impact: "breaking",
      added: ["410"],
      touches: ["intercom/create-contact", "intercom/get-contact"]
    })
    expect(gone.summary).toContain("410 (Contact Merged)")
  })

  it("2.12 renames {contact_id} and {conversation_id} to {id}; 2.14 renames them back", () => {
    const to212 = diff("2.11", "2.12")
    expect(find(to212, "ShowContact (GET /contacts/{id})", "path-parameter-renamed")).toMatchObject({
      impact: "breaking",
      removed: ["contact_id"],
      added: ["id"],
      touches: ["intercom/create-contact", "intercom/get-contact"]
    })
    expect(find(to212, "UpdateContact (PUT /contacts/{id})", "path-parameter-renamed").touches).toEqual([
      "intercom/update-contact"
    ])
    expect(
      find(to212, "replyConversation (POST /conversations/{id}/reply)", "path-parameter-renamed")
    ).toMatchObject({
      removed: ["conversation_id"],
      added: ["id"]
    })
    const to214 = diff("2.13", "2.14")
    expect(find(to214, "ShowContact (GET /contacts/{contact_id})", "path-parameter-renamed")).toMatchObject({
      removed: ["id"],
      added: ["contact_id"]
    })
  })

  it("2.14 adds quick_reply to the admin reply's message_type, additive for what we send", () => {
    const to214 = diff("2.13", "2.14")
    expect(find(to214, "admin_reply_conversation_request.message_type", "enum-changed")).toMatchObject({
      impact: "additive",
      direction: "request",
      added: ["quick_reply"],
      removed: [],
      touches: ["intercom/reply-conversation"]
    })
    expect(find(to214, "admin_reply_conversation_request.reply_options", "field-added").impact).toBe(
      "additive"
    )
    const to213 = diff("2.12", "2.13")
    expect(to213.changes.some((change) => change.added?.includes("quick_reply"))).toBe(false)
  })

  it("2.12 drops 2.11's long required lists: contact (26) and conversation, breaking for readers", () => {
    const to212 = diff("2.11", "2.12")
    const contact = find(to212, "contact", "required-removed")
    expect(contact).toMatchObject({ impact: "breaking", direction: "response", touches: contactReaders })
    expect(contact.removed).toHaveLength(26)
    expect(contact.removed).toEqual(expect.arrayContaining(["id", "owner_id", "external_id", "location"]))
    const conversation = find(to212, "conversation", "required-removed")
    expect(conversation.removed).toEqual(
      expect.arrayContaining(["id", "created_at", "admin_assignee_id", "source"])
    )
    expect(conversation.touches).toEqual(conversationReaders)
    // 2.12 also drops 2.11's ListContacts pagination parameters, but our overlay re-adds them.
    expect(
      to212.changes.filter((change) => change.location.startsWith("ListContacts query parameter per_page"))
    ).toEqual([])
  })

  it("a removed query parameter is breaking for the action that sends it", () => {
    const without = structuredClone(patchedDocument("2.12")) as {
      paths: { "/contacts": { get: { parameters: Array<{ name?: string }> } } }
    }
    const listContacts = without.paths["/contacts"].get
    listContacts.parameters = listContacts.parameters.filter((parameter) => parameter.name !== "per_page")
    const report = diffDocuments(patchedDocument("2.12"), without, usage, {
      from: { version: "2.12" },
      to: { version: "2.12 without per_page" }
    })
    expect(find(report, "ListContacts query parameter per_page", "parameter-removed")).toMatchObject({
      impact: "breaking",
      touches: ["intercom/list-contacts"]
    })
  })

  it("finds nothing between a version and itself", () => {
    expect(diff("2.16", "2.16")).toMatchObject({ summary: { breaking: 0, additive: 0 }, changes: [] })
  })

  it("reports each change once, with every operation that reaches it", () => {
    const owner = find(diff("2.11", "2.16"), "contact.owner_id", "type-changed")
    expect(owner.operations).toEqual([
      "CreateContact",
      "ListContacts",
      "SearchContacts",
      "ShowContact",
      "UpdateContact"
    ])
  })

  it("renders Markdown with the summary, who is touched, and the changes", () => {
    const markdown = renderDiffMarkdown(to216)
    expect(markdown).toContain("# Intercom API 2.15 → 2.16: what changes for this integration")
    expect(markdown).toContain(`**${to216.summary.breaking} breaking, ${to216.summary.additive} additive.**`)
    expect(markdown).toContain("| intercom/get-contact |")
    expect(markdown).toMatch(
      /\| `contact\.owner_id` \| type integer → string \| we read \| intercom\/contact-created, /
    )
    expect(markdown.indexOf("## Breaking changes")).toBeLessThan(markdown.indexOf("## Additive changes"))
  })
})

describe("codegen diff rules, on small descriptions", () => {
  const document = (schemas: Record<string, unknown>, requestSchema = "thing_request") => ({
    openapi: "3.0.3",
    paths: {
      "/things/{thing_id}": {
        post: {
          operationId: "UpdateThing",
          parameters: [{ name: "thing_id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: {
            content: { "application/json": { schema: { $ref: `#/components/schemas/${requestSchema}` } } }
          },
          responses: {
            "200": { content: { "application/json": { schema: { $ref: "#/components/schemas/thing" } } } }
          }
        }
      }
    },
    components: { schemas }
  })
  const thingUsage: Usage = {
    operations: { UpdateThing: { usedBy: ["intercom/update-thing"] } },
    webhookItems: { thing: { schema: "thing", usedBy: ["intercom/thing-created"] } }
  }
  const run = (from: object, to: object) =>
    diffDocuments(from as never, to as never, thingUsage, { from: { version: "a" }, to: { version: "b" } })

  // A cycle: thing.children[] is a thing, and node is allOf itself through a wrapper.
  const thing = (childName: Record<string, unknown>) => ({
    type: "object",
    properties: {
      id: { type: "string" },
      children: { type: "array", items: { $ref: "#/components/schemas/thing" } },
      node: { $ref: "#/components/schemas/node" },
      ...childName
    }
  })
  const node = { allOf: [{ $ref: "#/components/schemas/node_base" }] }
  const nodeBase = { type: "object", properties: { next: { $ref: "#/components/schemas/node" } } }

  it("terminates on cyclic schemas and still reports what changed inside them", () => {
    const before = document({
      thing: thing({}),
      node,
      node_base: nodeBase,
      thing_request: { type: "object" }
    })
    const after = document({
      thing: thing({ label: { type: "string" } }),
      node,
      node_base: { ...nodeBase, properties: { ...nodeBase.properties, depth: { type: "integer" } } },
      thing_request: { type: "object" }
    })
    const report = run(before, after)
    expect(report.changes.map((change) => [change.location, change.kind, change.impact])).toEqual([
      ["node.depth", "field-added", "additive"],
      ["thing.label", "field-added", "additive"]
    ])
    expect(report.changes[1]?.touches).toEqual(["intercom/thing-created", "intercom/update-thing"])
  })

  it("judges a change by the way it flows: what we send against what we read", () => {
    const schemas = (required: ReadonlyArray<string>, nullable: boolean, values: ReadonlyArray<string>) => ({
      thing: {
        type: "object",
        required,
        properties: { name: { type: "string", nullable }, kind: { type: "string", enum: values } }
      },
      thing_request: {
        type: "object",
        required,
        properties: { name: { type: "string", nullable }, kind: { type: "string", enum: values } }
      }
    })
    const report = run(document(schemas([], false, ["a"])), document(schemas(["name"], true, ["a", "b"])))
    const impact = (location: string, kind: Change["kind"]) =>
      report.changes.find((change) => change.location === location && change.kind === kind)?.impact
    expect(impact("thing_request", "required-added")).toBe("breaking")
    expect(impact("thing", "required-added")).toBe("additive")
    expect(impact("thing_request.name", "nullable-added")).toBe("additive")
    expect(impact("thing.name", "nullable-added")).toBe("breaking")
    expect(impact("thing_request.kind", "enum-changed")).toBe("additive")
    expect(impact("thing.kind", "enum-changed")).toBe("breaking")
  })

  it("sees through single-member oneOf and allOf wrappers (2.12's request and response envelopes)", () => {
    const schemas = {
      thing: { type: "object", properties: { id: { type: "string" } } },
      thing_request: { type: "object", properties: { id: { type: "string" } } }
    }
    const before = document(schemas)
    const after = structuredClone(before) as ReturnType<typeof document>
    const post = after.paths["/things/{thing_id}"].post as Record<string, unknown>
    post.requestBody = {
      content: { "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/thing_request" }] } } }
    }
    post.responses = {
      "200": {
        content: {
          "application/json": {
            schema: {
              allOf: [{ $ref: "#/components/schemas/thing" }],
              properties: { extra: { type: "boolean" } }
            }
          }
        }
      }
    }
    expect(run(before, after).changes.map((change) => [change.location, change.kind])).toEqual([
      ["thing.extra", "field-added"]
    ])
  })
})
