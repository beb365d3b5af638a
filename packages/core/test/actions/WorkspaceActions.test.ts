import { assert, describe, it } from "@effect/vitest"
import { inOrder, json } from "@taskjuice/intercom-testkit"
import { company, errorList, tagList } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { CreateCompany } from "../../src/actions/CreateCompany.ts"
import { ListTags, ListTagsInput } from "../../src/actions/ListTags.ts"
import { assertRejectedBeforeSending, failureOf, runAction, successOf } from "../support/ActionHarness.ts"

describe("intercom/create-company", () => {
  const input = {
    company_id: "acme-42",
    name: "Acme",
    plan: "enterprise",
    size: 120,
    custom_attributes: { tier: "gold" }
  }

  it.effect("upserts the company keyed on company_id", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(CreateCompany, input, inOrder(json(200, company)))
      const result = successOf(exit)
      assert.strictEqual(result.company_id, "acme-42")
      assert.strictEqual(result.plan?.name, "enterprise")
      assert.deepStrictEqual(result.custom_attributes, { tier: "gold" })
      assert.strictEqual(server.requests[0]?.path, "/companies")
      assert.deepStrictEqual(server.requests[0]?.json, input)
    })
  )

  it.effect("is idempotent, so a 500 is retried", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        CreateCompany,
        input,
        inOrder(json(500, {}), json(200, company))
      )
      assert.strictEqual(successOf(exit).id, company.id)
      assert.strictEqual(server.requests.length, 2)
    })
  )

  it.effect("keeps Intercom's code and message on a 400", () =>
    Effect.gen(function* () {
      const { exit } = yield* runAction(
        CreateCompany,
        input,
        inOrder(json(400, errorList("bad_request", "bad 'test' parameter")))
      )
      const error = failureOf(exit)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.deepInclude(error.reason, {
        _tag: "Invalid",
        code: "bad_request",
        message: "bad 'test' parameter"
      })
    })
  )

  for (const [what, bad, path] of [
    ["a missing company_id", { name: "Acme" }, "company_id"],
    ["a negative size", { company_id: "a", size: -1 }, "size"],
    ["fractional monthly_spend", { company_id: "a", monthly_spend: 10.5 }, "monthly_spend"],
    ["a nested custom attribute", { company_id: "a", custom_attributes: { x: [1] } }, "custom_attributes.x"]
  ] as const) {
    it.effect(`rejects ${what} before sending anything`, () =>
      assertRejectedBeforeSending(CreateCompany, bad, inOrder(json(200, company)), path)
    )
  }
})

describe("intercom/list-tags", () => {
  it.effect("lists every tag", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(ListTags, {}, inOrder(json(200, tagList)))
      assert.deepStrictEqual(
        successOf(exit).tags.map((t) => t.name),
        ["vip", "churn-risk"]
      )
      assert.strictEqual(server.requests[0]?.path, "/tags")
    })
  )

  it("takes no input: an empty JSON object, published as an object schema without fields", () => {
    assert.deepStrictEqual(Schema.toJsonSchemaDocument(ListTagsInput).schema, {
      type: "object",
      additionalProperties: false,
      title: "List tags",
      description: "No input"
    })
  })

  for (const [what, bad] of [
    ["null", null],
    ["a string", "all"],
    ["an array", []]
  ] as const) {
    it.effect(`rejects ${what} as input before sending anything`, () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(ListTags, bad, inOrder(json(200, tagList)))
        const error = failureOf(exit)
        if (error._tag !== "ActionInputInvalid") return assert.fail("expected ActionInputInvalid")
        assert.strictEqual(error.issues[0]?.path, "")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  }

  it.effect("a revoked token is Unauthorized and not retried", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        ListTags,
        {},
        inOrder(json(401, errorList("token_revoked", "Token revoked")))
      )
      const error = failureOf(exit)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.deepInclude(error.reason, { _tag: "Unauthorized", code: "token_revoked" })
      assert.strictEqual(server.requests.length, 1)
    })
  )
})
