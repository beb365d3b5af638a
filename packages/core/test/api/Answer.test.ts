/**
 * An answer is checked by a guard that skips the fields Intercom sends beyond the modelled ones (the
 * open rest of every Intercom object). Its verdict must be the whole Schema's, whatever the answer:
 * checked on the fixtures, each with every field in turn replaced by values of other types, against
 * every answer Schema the actions check.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  company,
  contact,
  contactList,
  conversation,
  message,
  tagList
} from "@taskjuice/intercom-testkit/intercom"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { actions } from "../../src/actions/index.ts"
import { type AnswerSchema, checkerOf } from "../../src/api/Answer.ts"
import {
  Company,
  Contact,
  Conversation,
  ConversationPart,
  Message,
  Tag
} from "../../src/api/IntercomObjects.ts"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const others: ReadonlyArray<unknown> = [null, 7, "x", true, {}, [], [1], { id: 1 }]

/** The value with one field (at any depth) or one element replaced by each of `others`, or added to. */
const mutations = (value: unknown): ReadonlyArray<unknown> => {
  if (Array.isArray(value))
    return value.flatMap((element, index) =>
      mutations(element).map((variant) => value.map((each, at) => (at === index ? variant : each)))
    )
  if (!isRecord(value)) return others
  return [
    ...others,
    { ...value, unmodelled: { any: ["thing"] } },
    ...Object.entries(value).flatMap(([key, field]) => [
      ...mutations(field).map((variant) => ({ ...value, [key]: variant })),
      Object.fromEntries(Object.entries(value).filter(([other]) => other !== key))
    ])
  ]
}

const fixtures: ReadonlyArray<unknown> = [
  contact(),
  contact({ location: { type: "location", country: "France", region: null, city: "Paris" } }),
  message,
  conversation,
  company,
  tagList,
  contactList([contact(), contact({ id: "c-2" })], { total: 2 }),
  conversation.conversation_parts?.conversation_parts?.[0],
  { ...contact(), outcome: "created" },
  { contacts: [contact()], next_cursor: null, total_count: 1 }
]

const schemas: ReadonlyArray<readonly [string, Schema.Top]> = [
  ["Contact", Contact],
  ["Message", Message],
  ["Conversation", Conversation],
  ["ConversationPart", ConversationPart],
  ["Company", Company],
  ["Tag", Tag],
  ...actions.map((action) => [`${action.key} output`, action.output] as const)
]

describe("the answer check", () => {
  const values = [...fixtures, ...fixtures.flatMap(mutations)]
  for (const [name, schema] of schemas) {
    it(`${name}: passes exactly what the whole Schema passes`, () => {
      const check = checkerOf(schema as AnswerSchema<unknown>)
      const whole = Schema.is(schema)
      let passed = 0
      for (const value of values) {
        const verdict = Result.isSuccess(check(value))
        assert.strictEqual(verdict, whole(value), JSON.stringify(value))
        if (verdict) passed++
      }
      // Both verdicts occur: the values reach the Schema's fields, not only its outer shape.
      assert.isAbove(passed, 0)
      assert.isBelow(passed, values.length)
    })
  }

  it("a valid answer is passed on as it arrived, every unmodelled field kept", () => {
    const answer = { ...contact(), unmodelled: { nested: [1, 2] } }
    const checked = checkerOf(Contact)(answer)
    assert.isTrue(Result.isSuccess(checked))
    if (Result.isSuccess(checked)) assert.strictEqual<unknown>(checked.success, answer)
  })
})
