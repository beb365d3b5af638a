import { describe, expect, it } from "vitest"
import { atPointer, deref } from "../src/SpecRefs.ts"
import { patchedDocument } from "./support/Generated.ts"

const document = {
  paths: { "/contacts/{id}": { get: { parameters: [{ $ref: "#/components/parameters/id" }] } } },
  components: {
    parameters: { id: { name: "id", in: "path" } },
    schemas: {
      contact: { type: "object", properties: { owner: { $ref: "#/components/schemas/admin_ref" } } },
      admin_ref: { $ref: "#/components/schemas/admin" },
      admin: { type: "object", title: "Admin" },
      "a/b~c": { type: "string" },
      loop_a: { $ref: "#/components/schemas/loop_b" },
      loop_b: { $ref: "#/components/schemas/loop_a" }
    }
  },
  $defs: { reason: { enum: ["a", "b"] } }
}

describe("atPointer", () => {
  it("reads a pointer into objects and arrays, with ~1 and ~0 unescaped", () => {
    expect(atPointer(document, "#/components/schemas/a~1b~0c")).toEqual({ type: "string" })
    expect(atPointer(document, "#/paths/~1contacts~1{id}/get/parameters/0")).toEqual({
      $ref: "#/components/parameters/id"
    })
    expect(atPointer(document, "#/$defs/reason/enum/1")).toBe("b")
  })

  it("reads # as the whole document, and nothing for a missing or external target", () => {
    expect(atPointer(document, "#")).toBe(document)
    expect(atPointer(document, "#/components/schemas/nope")).toBeUndefined()
    expect(atPointer(document, "other.yaml#/components/schemas/contact")).toBeUndefined()
  })
})

describe("deref", () => {
  it("follows a chain of references to its end, naming the last component", () => {
    expect(deref(document, { $ref: "#/components/schemas/admin_ref" })).toEqual({
      node: { type: "object", title: "Admin" },
      name: "admin"
    })
    expect(deref(document, { $ref: "#/components/parameters/id" }).node).toEqual({ name: "id", in: "path" })
  })

  it("answers a node that is no reference as it is, without a name", () => {
    const node = { type: "integer" }
    expect(deref(document, node)).toEqual({ node })
  })

  it("stops at a cycle, at a reference into another document and at a dangling one", () => {
    // loop_a → loop_b → loop_a again: it ends on the reference that would repeat.
    expect(deref(document, { $ref: "#/components/schemas/loop_a" })).toEqual({
      node: { $ref: "#/components/schemas/loop_a" },
      name: "loop_b"
    })
    const external = { $ref: "common.yaml#/components/schemas/x" }
    expect(deref(document, external)).toEqual({ node: external })
    expect(deref(document, { $ref: "#/components/schemas/custom_attributes" })).toEqual({
      node: {},
      name: "custom_attributes"
    })
  })

  it("resolves every reference of a pinned description (2.16) to a schema object", () => {
    const spec = patchedDocument("2.16")
    const refs = new Set<string>()
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect)
      else if (typeof value === "object" && value !== null)
        for (const [key, inner] of Object.entries(value)) {
          if (key === "$ref" && typeof inner === "string") refs.add(inner)
          else collect(inner)
        }
    }
    collect(spec)
    expect(refs.size).toBeGreaterThan(100)
    for (const ref of refs)
      expect(Object.keys(deref(spec, { $ref: ref }).node).length, ref).toBeGreaterThan(0)
  })
})
