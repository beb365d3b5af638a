/**
 * The testkit's API fixtures, which the bundle's tests answer with, checked against the build's own
 * description of each schema: a pinned version that stops accepting one fails here, by name.
 */
import { apiVersion } from "@taskjuice/intercom-client"
import { SpecSchemas } from "@taskjuice/intercom-simulator"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import { describe, expect, it } from "vitest"

const spec = new SpecSchemas()

const fixtures: ReadonlyArray<readonly [string, unknown]> = [
  ["contact", Answers.contact()],
  [
    "contact_list",
    Answers.contactList([Answers.contact()], { total: 31, perPage: 2, next: Answers.contactId })
  ],
  ["conversation", Answers.conversation],
  ["message", Answers.message],
  ["company", Answers.company],
  ["tag_list", Answers.tagList],
  ["error", Answers.errorList("parameter_invalid", "Name is too long", "name")],
  ["error", Answers.unauthorized]
]

describe(`the testkit's API fixtures under Intercom ${apiVersion}`, () => {
  it.each(fixtures)("%s fits the build's description", (name, value) => {
    const problems = spec
      .componentErrors(name, value)
      .map((error) => `${error.instancePath || "/"} ${error.message}`)
    expect(problems).toEqual([])
  })
})
