import { readFile } from "node:fs/promises"
import { apiVersion } from "@taskjuice/intercom-client"
import { actions, decodeInput, triggers, webhookFixture } from "@taskjuice/intercom-core"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import { assert, describe, expect, it } from "vitest"
import { startBundleHost } from "../src/BundleHost.ts"
import { docsPath, keepsUnlistedFields, renderDocs } from "../src/Docs.ts"
import { type JsonSchema, makeManifest } from "../src/Manifest.ts"
import { stepErrorCodes } from "../src/StepError.ts"
import { runtimeFetch } from "./support/Runtime.ts"

const manifest = makeManifest()

const compile = (schema: JsonSchema) => {
  const ajv = new Ajv2020({ strict: true, allErrors: true })
  assert.isTrue(ajv.validateSchema(schema), JSON.stringify(ajv.errors))
  return ajv.compile(schema)
}

const every = [
  ...manifest.actions.flatMap((action) => [
    [`${action.key} input`, action.input] as const,
    [`${action.key} output`, action.output] as const
  ]),
  ...manifest.triggers.flatMap((trigger) => [
    [`${trigger.key} options`, trigger.options] as const,
    [`${trigger.key} payload`, trigger.payload] as const
  ])
]

describe("the manifest", () => {
  it("matches the snapshot", async () => {
    // One snapshot per Intercom API version the build can be generated for.
    await expect(`${JSON.stringify(manifest, null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/manifest-${apiVersion}.json.snap`
    )
  })

  it("is generated from the core: app, version, connection, every action and the documented triggers", () => {
    assert.strictEqual(manifest.app.key, "intercom")
    assert.strictEqual(manifest.app.intercomApiVersion, apiVersion)
    assert.strictEqual(manifest.connection.type, "oauth2")
    assert.isFalse(manifest.connection.refresh)
    assert.deepStrictEqual(
      manifest.connection.regions.map((region) => [region.region, region.tokenUrl]),
      [
        ["us", "https://api.intercom.io/auth/eagle/token"],
        ["eu", "https://api.eu.intercom.io/auth/eagle/token"],
        ["au", "https://api.au.intercom.io/auth/eagle/token"]
      ]
    )
    assert.deepStrictEqual(
      manifest.actions.map((action) => [action.key, action.idempotent]),
      actions.map((action) => [action.key, action.idempotent])
    )
    assert.deepStrictEqual(
      manifest.triggers.map((trigger) => trigger.key),
      ["intercom/conversation-created", "intercom/conversation-user-replied", "intercom/contact-created"]
    )
    assert.deepStrictEqual(
      manifest.triggers.map((trigger) => trigger.topics),
      triggers.map((trigger) => [...trigger.topics])
    )
    assert.deepStrictEqual(
      manifest.errors.map((entry) => entry.code),
      [...stepErrorCodes]
    )
    assert.notInclude(
      manifest.webhook.responses.map((response) => response.status),
      410
    )
  })

  for (const [name, schema] of every) {
    it(`${name} is a valid JSON Schema (draft 2020-12)`, () => {
      compile(schema)
    })
  }

  it("accepts every input example the core declares, and every trigger's sample payload", () => {
    let examples = 0
    for (const action of manifest.actions) {
      const validate = compile(action.input)
      for (const example of Array.isArray(action.input.examples) ? action.input.examples : []) {
        examples++
        assert.isTrue(validate(example), `${action.key}: ${JSON.stringify(validate.errors)}`)
      }
    }
    assert.isAtLeast(examples, 5)
    for (const trigger of manifest.triggers) {
      const validate = compile(trigger.payload)
      assert.isTrue(validate(trigger.sample), `${trigger.key}: ${JSON.stringify(validate.errors)}`)
      for (const topic of trigger.topics)
        assert.isTrue(validate(webhookFixture(topic)), `${trigger.key} on ${topic}`)
    }
  })

  /** Asserts that the manifest's input schema and the core decide `input` alike; returns whether it passes. */
  const sameVerdict = (key: string) => {
    const action = actions.find((each) => each.key === key)
    const validate = compile(manifest.actions.find((each) => each.key === key)?.input ?? {})
    assert.exists(action)
    return (input: unknown): boolean => {
      const decodes = Exit.isSuccess(Effect.runSyncExit(decodeInput(action, input)))
      assert.strictEqual(validate(input), decodes, `${key}: ${JSON.stringify(input)}`)
      return decodes
    }
  }

  const contactId = "63a07ddf05a32042dffac965"

  it("states the rules that span several fields, agreeing with the core on each case", () => {
    const reply = { conversation_id: "363" }
    const admin = { ...reply, type: "admin", admin_id: "991267596" }
    const contact = { ...reply, type: "user", body: "Thanks" }
    const options = [{ text: "Yes", uuid: "yes" }]
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]> = [
      [
        "intercom/create-contact",
        [
          { email: "ada@example.com" },
          { external_id: "u-1" },
          { role: "lead" },
          { name: "Ada" },
          {},
          { emial: "a@b.example" },
          { email: "ada@example.com", emial: "a@b.example" }
        ]
      ],
      [
        "intercom/update-contact",
        [
          { contact_id: contactId, name: "Ada" },
          { contact_id: contactId, phone: null },
          { contact_id: contactId },
          { contact_id: "..", name: "Ada" },
          { contact_id: contactId, naem: "Ada" }
        ]
      ],
      [
        "intercom/reply-conversation",
        [
          { ...admin, message_type: "comment", body: "On it" },
          { ...admin, message_type: "note" },
          { ...admin, message_type: "comment", body: "On it", reply_options: options },
          { ...admin, message_type: "quick_reply", reply_options: options },
          { ...admin, message_type: "quick_reply", body: "Pick one" },
          { ...contact, email: "ada@example.com" },
          { ...contact, intercom_user_id: contactId },
          { ...contact, user_id: "u-1" },
          contact,
          { ...contact, email: "ada@example.com", user_id: "u-1" },
          { ...contact, type: "bot", email: "ada@example.com" },
          { ...contact, conversation_id: "last", email: "ada@example.com" },
          { ...admin, conversation_id: "last", message_type: "note", body: "On it" },
          { ...admin, message_type: "note", body: "On it", bdoy: "On it" }
        ]
      ]
    ]
    for (const [key, inputs] of cases) {
      const passes = sameVerdict(key)
      const refused = inputs.filter((input) => !passes(input)).length
      assert.isAtLeast(refused, 1, `${key}: some case must be refused`)
    }
  })

  it("agrees with the core on generated inputs: any mix of the fields the rules are about, unknown fields and ids", () => {
    const some = <T>(value: T) => fc.constant(value)
    // A field no input names (a typo of one that does, or not), and ids well-formed or not.
    const unknown = { emial: some("a@b.example"), zzz: some(1) }
    const anyContactId = fc.constantFrom(contactId, "..", "c1", "")
    const anyConversationId = fc.constantFrom("363", "last", "..", "3/6")
    const options = [{ text: "Yes", uuid: "yes" }]
    const fields = {
      "intercom/create-contact": fc.record(
        {
          email: some("ada@example.com"),
          external_id: some("u-1"),
          role: fc.constantFrom("user", "lead"),
          name: some("Ada"),
          ...unknown
        },
        { requiredKeys: [] }
      ),
      "intercom/update-contact": fc.record(
        {
          contact_id: anyContactId,
          name: some("Ada"),
          phone: some(null),
          email: some("ada@example.com"),
          ...unknown
        },
        { requiredKeys: ["contact_id"] }
      ),
      "intercom/reply-conversation": fc.oneof(
        fc.record(
          {
            conversation_id: anyConversationId,
            type: fc.constantFrom("admin", "bot"),
            admin_id: fc.constantFrom("991267596", "99/1"),
            message_type: fc.constantFrom("comment", "note", "quick_reply"),
            body: some("On it"),
            reply_options: some(options),
            ...unknown
          },
          { requiredKeys: ["conversation_id", "type", "admin_id", "message_type"] }
        ),
        fc.record(
          {
            conversation_id: anyConversationId,
            type: some("user"),
            body: some("Thanks"),
            intercom_user_id: anyContactId,
            email: some("ada@example.com"),
            user_id: some("u-1"),
            ...unknown
          },
          { requiredKeys: ["conversation_id", "type", "body"] }
        )
      )
    }
    for (const [key, inputs] of Object.entries(fields)) {
      const passes = sameVerdict(key)
      // The property is the assertion inside `passes`; a refused input is a fine outcome.
      fc.assert(
        fc.property(inputs, (input) => {
          passes(input)
        }),
        { numRuns: 300, seed: 20261124 }
      )
    }
  })

  it("describes Intercom's answers with the output schemas, and rejects what is not one", () => {
    const output = (key: string) =>
      compile(manifest.actions.find((action) => action.key === key)?.output ?? {})
    assert.isTrue(output("intercom/get-contact")(Answers.contact()))
    assert.isTrue(output("intercom/create-conversation")(Answers.message))
    assert.isTrue(output("intercom/reply-conversation")(Answers.conversation))
    assert.isTrue(output("intercom/create-company")(Answers.company))
    assert.isFalse(output("intercom/get-contact")({ type: "contact" }))
    const input = compile(
      manifest.actions.find((action) => action.key === "intercom/list-contacts")?.input ?? {}
    )
    assert.isFalse(input({ per_page: 500 }))
  })

  it("is served at GET /manifest", async () => {
    const host = await startBundleHost({
      clientId: "id",
      clientSecret: Redacted.make("secret"),
      writeLine: () => {}
    })
    try {
      const response = await runtimeFetch(host, "/manifest")
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(await response.json(), JSON.parse(JSON.stringify(manifest)))
    } finally {
      await host.close()
    }
  })
})

const pins = JSON.parse(
  await readFile(new URL("../../../specs/intercom/pins.json", import.meta.url), "utf8")
) as { readonly default: string }

describe(docsPath, () => {
  // The committed page documents the default build; a build for another version has its own manifest.
  it.skipIf(apiVersion !== pins.default)(
    "is the page rendered from the current manifest (run `./dev taskjuice docs` when this fails)",
    async () => {
      const written = await readFile(new URL(`../${docsPath}`, import.meta.url), "utf8")
      assert.strictEqual(written, renderDocs(manifest))
    }
  )

  it("has TaskJuice's app-page sections and names every trigger, action and error code", () => {
    const page = renderDocs(manifest)
    const headings = page.split("\n").filter((line) => line.startsWith("## "))
    assert.deepStrictEqual(headings, [
      "## What it does",
      "## Connect an Intercom account",
      "## Triggers",
      "## Actions",
      "## Errors",
      "## Known limitations"
    ])
    for (const key of [...manifest.actions, ...manifest.triggers].map((entry) => entry.key))
      assert.include(page, `\`${key}\``)
    for (const code of stepErrorCodes) assert.include(page, `\`${code}\``)
  })

  it("says which outputs carry every field Intercom returns, from their schemas", () => {
    const page = renderDocs(manifest)
    assert.include(page, "Action outputs carry every field Intercom returns")
    const output = (key: string) => manifest.actions.find((action) => action.key === key)?.output ?? {}
    for (const key of ["intercom/get-contact", "intercom/reply-conversation", "intercom/create-company"]) {
      assert.isTrue(keepsUnlistedFields(output(key), output(key)), key)
    }
    // A page of contacts is the bundle's own wrapper; its items are Intercom's contacts.
    assert.isFalse(keepsUnlistedFields(output("intercom/list-contacts"), output("intercom/list-contacts")))
    assert.include(page, "Each item of `contacts` carries every field Intercom returns")
    assert.isFalse(keepsUnlistedFields({ type: "object", additionalProperties: false }, {}))
    const actions = page.slice(page.indexOf("## Actions"), page.indexOf("## Errors"))
    // One note per action: every output here holds Intercom objects.
    assert.lengthOf(actions.match(/[Cc]arries every field Intercom returns/g) ?? [], manifest.actions.length)
  })
})
