/**
 * A strict decode serves a value without excess keys through the lenient decoder (a strict one
 * gathers every object's covered keys on each call). Whatever the value, the outcome must be the one
 * effect's own strict decode gives: checked here on every action's input examples, with an unknown
 * key put at each of their objects in turn, and on values the shortcut cannot judge.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { actions } from "../../src/actions/index.ts"
import { decoderOf, issuesOf } from "../../src/internal/schema.ts"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The value with `extra: true` added to the object at each place in it, one variant per object. */
const withExcessKeys = (value: unknown): ReadonlyArray<unknown> => {
  if (Array.isArray(value))
    return value.flatMap((element, index) =>
      withExcessKeys(element).map((variant) => value.map((each, at) => (at === index ? variant : each)))
    )
  if (!isRecord(value)) return []
  return [
    { ...value, extra: true },
    ...Object.entries(value).flatMap(([key, field]) =>
      withExcessKeys(field).map((variant) => ({ ...value, [key]: variant }))
    )
  ]
}

/** Each example of the Schema and of every Schema in it (a union's members publish their own). */
const examplesOf = (schema: Schema.Top): ReadonlyArray<unknown> => {
  const document = Schema.toJsonSchemaDocument(schema)
  const found: Array<unknown> = []
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (isRecord(node)) {
      if (Array.isArray(node.examples)) found.push(...node.examples.filter(isRecord))
      Object.values(node).forEach(walk)
    }
  }
  walk(document)
  return found
}

const outcome = (exit: Exit.Exit<unknown, Schema.SchemaError>) =>
  Exit.isSuccess(exit) ? { value: exit.value } : { issues: issuesOf(exit.cause) }

describe("a strict decode", () => {
  for (const action of actions) {
    it(`${action.key}: decides as effect's strict decode does, an unknown key anywhere or none`, () => {
      const decode = decoderOf(action.input, "strict")
      const reference = Schema.decodeUnknownExit(action.input, { errors: "all", onExcessProperty: "error" })
      const examples = examplesOf(action.input)
      const values = [...examples, ...examples.flatMap(withExcessKeys), {}, [], null, "x"]
      for (const value of values)
        assert.deepStrictEqual(outcome(decode(value)), outcome(reference(value)), JSON.stringify(value))
    })
  }

  it("refuses an enumerable symbol key, as effect's strict decode does", () => {
    const schema = Schema.Struct({ name: Schema.String })
    const value = { name: "Ada", [Symbol("extra")]: 1 }
    const strict = decoderOf(schema, "strict")(value)
    assert.isTrue(Exit.isFailure(strict))
    assert.deepStrictEqual(
      outcome(strict),
      outcome(Schema.decodeUnknownExit(schema, { errors: "all", onExcessProperty: "error" })(value))
    )
  })

  it("refuses an unknown key in an array's element and in a union's member", () => {
    const schema = Schema.Struct({
      items: Schema.Array(Schema.Struct({ id: Schema.String })),
      by: Schema.Union([
        Schema.Struct({ type: Schema.Literal("a") }),
        Schema.Struct({ type: Schema.Literal("b"), b: Schema.String })
      ])
    })
    const decode = decoderOf(schema, "strict")
    assert.isTrue(Exit.isSuccess(decode({ items: [{ id: "1" }], by: { type: "b", b: "x" } })))
    assert.isTrue(Exit.isFailure(decode({ items: [{ id: "1", extra: 1 }], by: { type: "a" } })))
    assert.isTrue(Exit.isFailure(decode({ items: [], by: { type: "a", b: "x" } })))
  })
})
