import { describe, expect, it } from "vitest"
import { prepareSpec } from "../src/Generate.ts"
import { loadPins, type Pins } from "../src/Pins.ts"
import { InvalidOpenApiDocument } from "../src/Validate.ts"
import { patchedDocument } from "./support/Generated.ts"

const withoutOverlays = (version: string): Pins => {
  const pins = loadPins()
  const pin = pins.versions[version]
  if (pin === undefined) throw new Error(`no pin for ${version}`)
  return { ...pins, versions: { ...pins.versions, [version]: { ...pin, overlays: [] } } }
}

describe("validation of the patched description", () => {
  it("rejects the raw 2.11 description, naming the dangling custom_attributes $ref", async () => {
    const failure = await prepareSpec("2.11", { pins: withoutOverlays("2.11") }).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(InvalidOpenApiDocument)
    const problems = (failure as InvalidOpenApiDocument).problems
    const dangling = problems.filter((problem) => problem.rule === "no-unresolved-refs")
    expect(dangling.map((problem) => problem.pointer)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("/components/schemas/conversation/properties/custom_attributes")
      ])
    )
    expect((failure as Error).message).toContain("#/components/schemas/custom_attributes")
    expect((failure as Error).message).toContain("Intercom 2.11 description")
  })

  it("the same description with our overlays defines the schema (the global setup validated it)", () => {
    const document = patchedDocument("2.11") as { components: { schemas: Record<string, unknown> } }
    expect(document.components.schemas.custom_attributes).toMatchObject({ type: "object" })
  })
})
