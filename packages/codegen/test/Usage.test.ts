import { describe, expect, it } from "vitest"
import { consumers, InvalidUsage, loadUsage, missingFromDocument, parseUsage } from "../src/Usage.ts"
import { patchedDocument } from "./support/Generated.ts"

describe("specs/intercom/usage.json", () => {
  it("declares the ten operations, two webhook items, and their actions and triggers", () => {
    const usage = loadUsage()
    expect(Object.keys(usage.operations).sort()).toEqual(
      [
        "CreateContact",
        "SearchContacts",
        "ShowContact",
        "UpdateContact",
        "ListContacts",
        "createConversation",
        "replyConversation",
        "createOrUpdateCompany",
        "listTags",
        "identifyAdmin"
      ].sort()
    )
    expect(usage.webhookItems.conversation).toEqual({
      schema: "conversation",
      usedBy: ["intercom/conversation-created", "intercom/conversation-user-replied"]
    })
    expect(consumers(usage)).toContain("intercom/contact-created")
    expect(consumers(usage)).toHaveLength(12)
  })

  it("names only what every pinned description defines", () => {
    for (const version of ["2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16"]) {
      expect(missingFromDocument(loadUsage(), patchedDocument(version)), version).toEqual([])
    }
  })

  it("rejects a malformed entry, naming the field path", () => {
    const attempt = (value: unknown) => {
      try {
        parseUsage("usage.json", value)
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidUsage)
        return (error as Error).message
      }
      throw new Error("expected a failure")
    }
    expect(attempt({ operations: { ShowContact: { usedBy: [] } }, webhookItems: {} })).toBe(
      "usage.json: operations.ShowContact.usedBy must be a non-empty list of action or trigger keys"
    )
    expect(
      attempt({
        operations: { ShowContact: { usedBy: ["x"] } },
        webhookItems: { contact: { usedBy: ["y"] } }
      })
    ).toBe("usage.json: webhookItems.contact.schema must name a component schema")
  })
})
