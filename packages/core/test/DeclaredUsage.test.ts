/**
 * `specs/intercom/usage.json` is the one declared source of what the integration uses of Intercom's
 * API (the codegen's diff reads it to say whom a change touches). The actions and triggers must say
 * the same thing, so a new call or trigger cannot slip past the version reports.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { actions } from "../src/actions/index.ts"
import { triggers } from "../src/triggers/index.ts"

interface Usage {
  readonly operations: Readonly<Record<string, { readonly usedBy: ReadonlyArray<string> }>>
  readonly webhookItems: Readonly<
    Record<string, { readonly schema: string; readonly usedBy: ReadonlyArray<string> }>
  >
}

const usage = JSON.parse(
  readFileSync(new URL("../../../specs/intercom/usage.json", import.meta.url), "utf8")
) as Usage

const sorted = (values: Iterable<string>): Array<string> => [...values].sort()

describe("specs/intercom/usage.json and the core agree", () => {
  for (const action of actions) {
    it(`${action.key}: its declared operations are exactly those usage.json attributes to it`, () => {
      const attributed = Object.entries(usage.operations)
        .filter(([, entry]) => entry.usedBy.includes(action.key))
        .map(([operation]) => operation)
      assert.deepStrictEqual(sorted(action.operations), sorted(attributed))
    })
  }

  it("create-contact declares the lookups that keep its retries from duplicating", () => {
    const createContact = actions.find((action) => action.key === "intercom/create-contact")
    assert.includeMembers(
      [...(createContact?.operations ?? [])],
      ["CreateContact", "SearchContacts", "ShowContact"]
    )
  })

  for (const trigger of triggers) {
    it(`${trigger.key} appears under webhookItems`, () => {
      const items = Object.entries(usage.webhookItems).filter(([, entry]) =>
        entry.usedBy.includes(trigger.key)
      )
      assert.isAbove(items.length, 0)
    })
  }

  it("usage.json names no action or trigger the core lacks (only `connection` is the bundle's)", () => {
    const known = new Set<string>([...actions.map((a) => a.key), ...triggers.map((t) => t.key), "connection"])
    const named = [
      ...Object.values(usage.operations).flatMap((entry) => entry.usedBy),
      ...Object.values(usage.webhookItems).flatMap((entry) => entry.usedBy)
    ]
    assert.deepStrictEqual(
      named.filter((key) => !known.has(key)),
      []
    )
    const triggerKeys = new Set<string>(triggers.map((t) => t.key))
    for (const entry of Object.values(usage.webhookItems))
      for (const key of entry.usedBy)
        assert.isTrue(triggerKeys.has(key), `${key} under webhookItems is not a trigger`)
  })
})
