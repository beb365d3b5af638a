import { describe, expect, it } from "vitest"
import {
  applyOverlay,
  InvalidOverlay,
  loadOverlay,
  OverlayTargetUnmatched,
  parseOverlay
} from "../src/Overlay.ts"
import { loadPins } from "../src/Pins.ts"

const overlayText = (actions: string): string => `overlay: 1.0.0
info: { title: test, version: 1.0.0 }
actions:
${actions}`

const failureOf = (run: () => unknown): unknown => {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error("expected a failure")
}

const sample = () => ({
  components: {
    schemas: {
      contact: {
        type: "object",
        required: ["id", "topics", "name"],
        properties: {
          id: { type: "string" },
          owner_id: { type: "integer", nullable: true },
          created_at: { type: "integer", format: "date-time" }
        }
      }
    }
  }
})

describe("overlay rules", () => {
  it("rejects an action without a description, naming the action", () => {
    const error = failureOf(() =>
      parseOverlay("bad", overlayText("  - target: $.components\n    remove: true\n"))
    )
    expect(error).toBeInstanceOf(InvalidOverlay)
    expect((error as Error).message).toBe(
      'Overlay "bad" is invalid: actions[0].description must state the reason for the fix'
    )
  })

  it("rejects a blank description and an action with both update and remove", () => {
    expect(
      failureOf(() =>
        parseOverlay("blank", overlayText('  - target: $.a\n    description: "  "\n    remove: true\n'))
      )
    ).toBeInstanceOf(InvalidOverlay)
    const both = failureOf(() =>
      parseOverlay(
        "both",
        overlayText("  - target: $.a\n    description: why\n    remove: true\n    update: {}\n")
      )
    )
    expect((both as Error).message).toContain('actions[0] needs exactly one of "update" or "remove: true"')
  })

  it("fails when a target matches nothing, naming the target and the fix", () => {
    const overlay = parseOverlay(
      "stale",
      overlayText(
        "  - target: $.components.schemas.company.properties.plan\n    description: plan is an object\n    remove: true\n"
      )
    )
    const document = sample()
    const error = failureOf(() => applyOverlay(document, overlay))
    expect(error).toBeInstanceOf(OverlayTargetUnmatched)
    expect((error as Error).message).toContain("$.components.schemas.company.properties.plan matches nothing")
    expect((error as Error).message).toContain('"plan is an object"')
    expect(document).toEqual(sample())
  })

  it("update merges objects recursively, appends to arrays and replaces scalars", () => {
    const document = sample()
    const overlay = parseOverlay(
      "merge",
      overlayText(`  - target: $.components.schemas.contact
    description: merge test
    update:
      description: A contact
      required: [email]
      properties:
        owner_id: { type: string }
        email: { type: string }
`)
    )
    const applied = applyOverlay(document, overlay)
    expect(applied).toEqual([
      { overlay: "merge", target: "$.components.schemas.contact", description: "merge test", matches: 1 }
    ])
    expect(document.components.schemas.contact).toEqual({
      type: "object",
      description: "A contact",
      required: ["id", "topics", "name", "email"],
      properties: {
        id: { type: "string" },
        owner_id: { type: "string", nullable: true },
        created_at: { type: "integer", format: "date-time" },
        email: { type: "string" }
      }
    })
  })

  it("remove deletes object members and array items, every match", () => {
    const document = sample()
    const overlay = parseOverlay(
      "remove",
      overlayText(`  - target: $.components.schemas.contact.required[?(@ === 'topics' || @ === 'name')]
    description: not properties
    remove: true
  - target: $..[?(@ && @.type === 'integer' && @.format === 'date-time')].format
    description: timestamps are integers
    remove: true
`)
    )
    const applied = applyOverlay(document, overlay)
    expect(applied.map((action) => action.matches)).toEqual([2, 1])
    expect(document.components.schemas.contact.required).toEqual(["id"])
    expect(document.components.schemas.contact.properties.created_at).toEqual({ type: "integer" })
  })

  it("every committed overlay parses: each action has a reason", () => {
    const names = new Set(Object.values(loadPins().versions).flatMap((pin) => pin.overlays))
    for (const name of names) {
      const overlay = loadOverlay(name)
      for (const action of overlay.actions) expect(action.description.trim().length).toBeGreaterThan(10)
    }
    expect([...names].sort()).toEqual([
      "2.10",
      "2.11",
      "2.12",
      "2.13",
      "2.14",
      "2.15",
      "2.16",
      "common",
      "contacts-paging"
    ])
  })
})
