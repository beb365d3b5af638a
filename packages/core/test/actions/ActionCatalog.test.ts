import { assert, describe, it } from "@effect/vitest"
import { operationTable } from "@taskjuice/intercom-client"
import * as Schema from "effect/Schema"
import { actionByKey, actions, ListContacts } from "../../src/actions/index.ts"
import * as Core from "../../src/index.ts"

describe("the action catalog", () => {
  it("is public through the package index", () => {
    for (const name of [
      "actions",
      "actionByKey",
      "executeAction",
      "defineAction",
      "ActionInputInvalid",
      "allContacts"
    ]) {
      assert.property(Core, name)
    }
    for (const name of [
      "IntercomApi",
      "IntercomError",
      "RateLimiter",
      "RateLimitStore",
      "RetryPolicy",
      "ApiVersion"
    ]) {
      assert.property(Core, name)
    }
  })

  it("lists the eight actions under TaskJuice's keys", () => {
    assert.deepStrictEqual(
      actions.map((action) => action.key),
      [
        "intercom/create-contact",
        "intercom/get-contact",
        "intercom/update-contact",
        "intercom/list-contacts",
        "intercom/create-conversation",
        "intercom/reply-conversation",
        "intercom/create-company",
        "intercom/list-tags"
      ]
    )
    for (const action of actions) assert.strictEqual(actionByKey(action.key), action)
    assert.isUndefined(actionByKey("intercom/delete-everything"))
  })

  it("declares non-idempotent actions with the unsent-only policy", () => {
    const byIdempotence = actions.map((action) => `${action.key}:${action.idempotent}:${action.retry.name}`)
    assert.include(byIdempotence, "intercom/create-conversation:false:unsentOnly")
    assert.include(byIdempotence, "intercom/reply-conversation:false:unsentOnly")
    for (const action of actions.filter((a) => a.idempotent))
      assert.strictEqual(action.retry.name, "transient")
  })

  it("names only operations that exist in the generated client", () => {
    for (const action of actions) {
      assert.isAbove(action.operations.length, 0)
      for (const operation of action.operations) assert.property(operationTable, operation)
    }
  })

  /** The JSON Schema of a Schema, as the plain JSON the bundle's manifest publishes. */
  const jsonSchemaOf = (schema: Schema.Top): Record<string, unknown> =>
    JSON.parse(JSON.stringify(Schema.toJsonSchemaDocument(schema).schema))

  it("every input and output Schema converts to JSON Schema with a title and examples of input", () => {
    for (const action of actions) {
      for (const schema of [action.input, action.output]) {
        const json = jsonSchemaOf(schema)
        assert.isString(json.title, action.key)
        assert.notInclude(JSON.stringify(json), "Infinity", `${action.key}: numbers must be finite`)
      }
    }
    const listContacts = jsonSchemaOf(ListContacts.input)
    assert.deepInclude(listContacts.properties, {
      per_page: {
        type: "integer",
        minimum: 1,
        maximum: 150,
        description: "Contacts per page, 1 to 150 (Intercom's default is 10)"
      }
    })
  })

  it("the input examples decode with the input Schema", () => {
    for (const action of actions) {
      const examples = jsonSchemaOf(action.input).examples
      if (action.key !== "intercom/list-tags") assert.isArray(examples, action.key)
      for (const example of Array.isArray(examples) ? examples : [])
        Schema.decodeUnknownSync(action.input)(example)
    }
  })
})
