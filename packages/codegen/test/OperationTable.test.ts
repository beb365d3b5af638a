import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { operationTable } from "../src/OperationTable.ts"
import { generatedVersion, patchedDocument } from "./support/Generated.ts"

const expected2_11 = {
  CreateContact: { method: "POST", path: "/contacts" },
  ShowContact: { method: "GET", path: "/contacts/{contact_id}" },
  UpdateContact: { method: "PUT", path: "/contacts/{contact_id}" },
  ListContacts: { method: "GET", path: "/contacts" },
  createConversation: { method: "POST", path: "/conversations" },
  replyConversation: { method: "POST", path: "/conversations/{conversation_id}/reply" },
  createOrUpdateCompany: { method: "POST", path: "/companies" },
  listTags: { method: "GET", path: "/tags" },
  identifyAdmin: { method: "GET", path: "/me" }
} as const

describe("the operation table", () => {
  it("maps the operations we use to their 2.11 method and path", () => {
    const table = operationTable(patchedDocument("2.11") as never)
    for (const [id, entry] of Object.entries(expected2_11)) expect(table[id], id).toEqual(entry)
  })

  it("follows the path parameter names of each version ({id} in 2.12)", () => {
    const table = operationTable(patchedDocument("2.12") as never)
    expect(table.ShowContact).toEqual({ method: "GET", path: "/contacts/{id}" })
    expect(table.replyConversation).toEqual({ method: "POST", path: "/conversations/{id}/reply" })
  })

  it("is written, sorted by operationId, into operations.ts", () => {
    const text = readFileSync(join(generatedVersion("2.11").outDir, "operations.ts"), "utf8")
    const written = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("} as const") + 1)) as Record<
      string,
      unknown
    >
    expect(written).toEqual(operationTable(patchedDocument("2.11") as never))
    expect(Object.keys(written)).toEqual(Object.keys(written).sort((a, b) => a.localeCompare(b)))
  })
})
