/**
 * The app page, rendered from the manifest in the shape of TaskJuice's app pages (What it does,
 * Connect, Triggers, Actions, Errors, Known limitations). Every fact comes from the manifest, so the
 * page changes when the core does; `./dev taskjuice docs` writes it and a test checks it is current.
 */

import { rateLimitHeaderNames, rateLimitWindowSeconds, windowAllowance } from "@taskjuice/intercom-client"
import type { JsonSchema, Manifest, ManifestAction, ManifestTrigger } from "./Manifest.ts"
import type { Json, StepErrorCodeDescription } from "./StepError.ts"

type SchemaNode = { readonly [key: string]: Json }

const isNode = (value: Json | undefined): value is SchemaNode =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const nodes = (value: Json | undefined): ReadonlyArray<SchemaNode> =>
  Array.isArray(value) ? (value as ReadonlyArray<Json>).filter(isNode) : []

/** Follows a local `#/$defs/…` reference against the root schema. */
const resolve = (node: SchemaNode, root: JsonSchema): SchemaNode => {
  const ref = node.$ref
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return node
  const defs = root.$defs
  const target = isNode(defs) ? defs[ref.slice("#/$defs/".length)] : undefined
  return isNode(target) ? resolve(target, root) : node
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ")

/** A short type name: `string`, `integer (1–150)`, `"user" \| "lead"`, `string or null`, `object`, … */
export const describeType = (input: SchemaNode, root: JsonSchema): string => {
  const node = resolve(input, root)
  const variants = nodes(node.anyOf ?? node.oneOf)
  if (variants.length > 0) {
    const names = variants.map((variant) => describeType(variant, root))
    return [...new Set(names)].join(" or ")
  }
  const enumValues = node.enum
  if (Array.isArray(enumValues)) return enumValues.map((value) => JSON.stringify(value)).join(" | ")
  const type = node.type
  if (type === "array") {
    const items = isNode(node.items) ? describeType(node.items, root) : "any"
    return `list of ${items}`
  }
  if (type === "integer" || type === "number") {
    const minimum = typeof node.minimum === "number" ? node.minimum : undefined
    const maximum = typeof node.maximum === "number" ? node.maximum : undefined
    const bounded =
      maximum !== undefined && maximum < 2 ** 31 ? `${minimum ?? ""}–${maximum}` : minimum === 0 ? "≥ 0" : ""
    return bounded === "" ? type : `${type} (${bounded})`
  }
  if (typeof type === "string") return type
  if (isNode(node.not)) return "any"
  return "any"
}

/** A field's own description, or the one on the non-null member of a nullable field. */
const descriptionOf = (input: SchemaNode, root: JsonSchema): string => {
  if (typeof input.description === "string") return input.description
  const node = resolve(input, root)
  if (typeof node.description === "string") return node.description
  for (const variant of nodes(node.anyOf ?? node.oneOf)) {
    const described = descriptionOf(variant, root)
    if (described !== "") return described
  }
  return ""
}

interface FieldRow {
  readonly field: string
  readonly type: string
  readonly required: boolean
  readonly description: string
}

/** The fields of an object schema, one level of nesting spelled out as `parent.child`. */
const fieldRows = (input: SchemaNode, root: JsonSchema, prefix = "", depth = 0): ReadonlyArray<FieldRow> => {
  const node = resolve(input, root)
  const properties = node.properties
  if (!isNode(properties)) return []
  const required = new Set(Array.isArray(node.required) ? node.required : [])
  const rows: Array<FieldRow> = []
  for (const [name, value] of Object.entries(properties)) {
    if (!isNode(value)) continue
    const field = resolve(value, root)
    const description = descriptionOf(value, root)
    rows.push({
      field: `${prefix}${name}`,
      type: describeType(value, root),
      required: required.has(name),
      description
    })
    if (depth === 0 && field.type === "object")
      rows.push(...fieldRows(field, root, `${prefix}${name}.`, depth + 1))
  }
  return rows
}

/**
 * Whether an object schema keeps the fields it does not list: its rest is a schema (any value), as the
 * core's Intercom objects publish it, rather than a plain object's bare `true`.
 */
export const keepsUnlistedFields = (input: SchemaNode, root: JsonSchema): boolean => {
  const node = resolve(input, root)
  return [node, ...nodes(node.allOf).map((part) => resolve(part, root))].some((part) =>
    isNode(part.additionalProperties)
  )
}

/** Which Intercom objects of an output carry every field Intercom returned: the output, or its lists' items. */
const unlistedFieldsNote = (schema: JsonSchema): string => {
  const kept = "every field Intercom returns, including the ones not listed"
  if (keepsUnlistedFields(schema, schema)) return `Carries ${kept}.\n`
  const properties = resolve(schema, schema).properties
  const lists = Object.entries(isNode(properties) ? properties : {}).flatMap(([name, value]) => {
    const list = isNode(value) ? resolve(value, schema) : undefined
    return list !== undefined && isNode(list.items) && keepsUnlistedFields(list.items, schema) ? [name] : []
  })
  return lists.length === 0
    ? ""
    : `Each item of ${lists.map((name) => `\`${name}\``).join(", ")} carries ${kept}.\n`
}

const fieldTable = (rows: ReadonlyArray<FieldRow>, withRequired: boolean): string => {
  if (rows.length === 0) return "_No fields._\n"
  const header = withRequired
    ? "| Field | Type | Required | Description |\n| --- | --- | --- | --- |"
    : "| Field | Type | Description |\n| --- | --- | --- |"
  const lines = rows.map((row) =>
    withRequired
      ? `| \`${row.field}\` | ${escapeCell(row.type)} | ${row.required ? "yes" : "no"} | ${escapeCell(row.description)} |`
      : `| \`${row.field}\` | ${escapeCell(row.type)} | ${escapeCell(row.description)} |`
  )
  return `${header}\n${lines.join("\n")}\n`
}

/** The rules an object states over several fields (its `allOf` parts, each described). */
const rulesNote = (node: SchemaNode, root: JsonSchema): string => {
  const rules = nodes(resolve(node, root).allOf)
    .map((part) => (typeof part.description === "string" ? part.description : ""))
    .filter((rule) => rule !== "")
  return rules.length === 0 ? "" : `\nAlso required: ${rules.join("; ")}.\n`
}

/** An input is one object, or a choice of objects (e.g. reply as an admin or as the contact). */
const inputSection = (schema: JsonSchema): string => {
  const variants = nodes(schema.anyOf ?? schema.oneOf)
  if (variants.length === 0) {
    const rows = fieldRows(schema, schema)
    return rows.length === 0 ? "No input.\n" : `${fieldTable(rows, true)}${rulesNote(schema, schema)}`
  }
  return variants
    .map((variant, index) => {
      const resolved = resolve(variant, schema)
      const properties = isNode(resolved.properties) ? resolved.properties : {}
      const discriminator = isNode(properties.type) ? descriptionOf(properties.type, schema) : ""
      const title = descriptionOf(resolved, schema) || discriminator || `variant ${index + 1}`
      return `One of (${index + 1}) — ${title}:\n\n${fieldTable(fieldRows(resolved, schema), true)}${rulesNote(resolved, schema)}`
    })
    .join("\n")
}

const examplesOf = (schema: JsonSchema): ReadonlyArray<Json> =>
  Array.isArray(schema.examples) ? schema.examples : []

const renderAction = (action: ManifestAction): string => {
  const examples = examplesOf(action.input)
  return [
    `### ${action.title}`,
    "",
    `Key: \`${action.key}\`. ${action.description}`,
    "",
    `- Idempotent: ${action.idempotent ? "yes — safe to replay" : "no — a replay after an unclear failure may act twice"}`,
    `- Retries inside the step: ${action.retry.description}`,
    `- Intercom operations: ${action.operations.map((operation) => `\`${operation}\``).join(", ")}`,
    "",
    "**Input**",
    "",
    inputSection(action.input),
    ...(examples.length === 0
      ? []
      : ["Example input:", "", "```json", ...examples.map((example) => JSON.stringify(example)), "```", ""]),
    "**Output** (`$steps.<node>.data`)",
    "",
    fieldTable(fieldRows(action.output, action.output), false),
    unlistedFieldsNote(action.output)
  ].join("\n")
}

const renderTrigger = (trigger: ManifestTrigger): string => {
  const options = fieldRows(trigger.options, trigger.options)
  const sample = JSON.stringify(trigger.sample, null, 2)
  return [
    `### ${trigger.title}`,
    "",
    `Key: \`${trigger.key}\`. ${trigger.description}`,
    "",
    `Fires on the Intercom topics ${trigger.topics.map((topic) => `\`${topic}\``).join(", ")}. The activation payload ($trigger) is the whole notification envelope; the object is under \`data.item\`.`,
    "",
    "**Options**",
    "",
    options.length === 0 ? "None.\n" : fieldTable(options, false),
    "<details><summary>Sample activation payload</summary>",
    "",
    "```json",
    sample,
    "```",
    "",
    "</details>",
    ""
  ].join("\n")
}

/** How the runtime consumes activations: the cursor API and its guarantees. */
const renderActivations = (activations: Manifest["activations"]): ReadonlyArray<string> => [
  "### Consuming activations",
  "",
  activations.delivery,
  "",
  "| Route | What it does |",
  "| --- | --- |",
  `| \`${activations.read.method} ${activations.read.path}?after=&limit=&wait=\` | ${escapeCell(`Reads the activations after \`after\`, ${activations.read.after}; at most \`limit\` (default ${activations.read.limit.default}, at most ${activations.read.limit.max}); \`wait\` milliseconds long-polls for the first one (default ${activations.read.waitMs.default}, at most ${activations.read.waitMs.max}). Answers ${activations.read.answer}.`)} |`,
  `| \`${activations.ack.method} ${activations.ack.path}\` | ${escapeCell(`Body ${activations.ack.body}.`)} |`,
  "",
  `Both are runtime API routes (the runtime token, JSON bodies). ${activations.dedupeKey}`,
  ""
]

const renderError = (entry: StepErrorCodeDescription): string =>
  `| \`${entry.code}\` | ${entry.providerStatus ?? "—"} | ${entry.retryable === "depends" ? "depends" : entry.retryable ? "yes" : "no"} | ${escapeCell(entry.meaning)} | ${escapeCell(entry.remedy)} |`

/** Intercom's guide to its OAuth flow and the scopes an app asks for. */
export const intercomOAuthGuideUrl =
  "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth"

/**
 * The per-minute budget Intercom's older documentation gives (and TaskJuice's page repeats); its
 * current rate-limit page states higher defaults, and the headers of each answer the real budget.
 */
const documentedPerMinute = 1_000

const rateLimitNote = (): string => {
  const headers = Object.values(rateLimitHeaderNames)
    .map((name) => `\`${name}\``)
    .join(", ")
  const perMinute = documentedPerMinute.toLocaleString("en-US")
  return `- Intercom limits each app's REST calls per minute: ${perMinute} requests per minute in its older documentation, 10,000 a minute per app and 25,000 per workspace on its current rate-limit page. The workspace's real budget is what each answer says in ${headers}, spread over ${rateLimitWindowSeconds}-second windows (${perMinute} a minute allows ${windowAllowance(documentedPerMinute)} per window). The bundle paces each workspace's requests by those headers and waits out a 429 inside the step; when the wait would be too long the step fails with \`RATE_LIMITED\`, which is retryable, so a workflow's retry policy can back off.`
}

/** Every topic some trigger listens to, in the order the triggers list them. */
const subscribedTopics = (manifest: Manifest): ReadonlyArray<string> => [
  ...new Set(manifest.triggers.flatMap((trigger) => trigger.topics))
]

/** Where and how the topics are subscribed: once, for TaskJuice's app, in Intercom's Developer Hub. */
const subscriptionSteps = (manifest: Manifest): ReadonlyArray<string> => [
  "### Subscribe the topics in Intercom's Developer Hub",
  "",
  "TaskJuice does not create webhook subscriptions: Intercom keeps them on the app, set in its Developer Hub, not per workspace. Subscribe once, for the OAuth app that issued the connections (TaskJuice's Intercom app), and every workspace connected through it is covered.",
  "",
  `1. In the Developer Hub, open the app → **Webhooks**, and set the endpoint URL to the host's public URL followed by \`${manifest.webhook.path}\`, e.g. \`https://hooks.example.com${manifest.webhook.path}\` (the host's \`--public-url\`; \`./dev start\` prints it). It is the one URL to register, for every topic and every workspace; Intercom checks it with a HEAD request and a \`ping\`.`,
  `2. Subscribe the topics of the triggers your workflows use: ${subscribedTopics(manifest)
    .map((topic) => `\`${topic}\``)
    .join(", ")}. A topic nobody subscribed never fires; one no trigger handles is acknowledged and ignored.`,
  `3. Nothing else to set: deliveries are signed with ${manifest.webhook.signature.key}, which the bundle already holds.`,
  ""
]

/** The list actions that page with cursors: those whose input takes `starting_after`. */
const cursorPagedActions = (manifest: Manifest): ReadonlyArray<string> =>
  manifest.actions
    .filter((action) => {
      const properties = action.input.properties
      return isNode(properties) && "starting_after" in properties
    })
    .map((action) => `\`${action.key}\``)

/** Where the generated page lives, relative to the bundle's package root. */
export const docsPath = "docs/intercom.md"

export const renderDocs = (manifest: Manifest): string => {
  const actionTitles = manifest.actions.map((action) => action.title.toLowerCase())
  const lines = [
    "<!-- Generated from the manifest by `./dev taskjuice docs`; do not edit by hand. -->",
    "",
    `# ${manifest.app.name} integration`,
    "",
    manifest.app.summary,
    "",
    "## What it does",
    "",
    `Run your clients' Intercom from TaskJuice: connect a client's Intercom workspace once, then use it in any workflow. ${manifest.actions.length} actions (${actionTitles.join(", ")}) and ${manifest.triggers.length} triggers (${manifest.triggers.map((trigger) => trigger.title.toLowerCase()).join(", ")}). Every request uses Intercom API version ${manifest.app.intercomApiVersion}.`,
    "",
    "## Connect an Intercom account",
    "",
    "1. Open your workspace → **Connections** → **Intercom** → **Connect** (or pick **Connect New Account** on an Intercom node).",
    "2. Sign in to Intercom and choose the Intercom workspace to connect.",
    `3. Approve the permissions of TaskJuice's Intercom app. ${manifest.connection.scopes}`,
    "4. You are sent back to TaskJuice; the connection is named after the Intercom workspace.",
    "",
    `- OAuth 2.0 (authorization code). ${manifest.connection.tokenRequest}`,
    `- ${manifest.connection.identity}`,
    "- Intercom access tokens have no expiry and there is no refresh token: a connection stays valid until it is revoked.",
    `- To revoke: ${manifest.connection.revoke}`,
    "- Personal access tokens are not supported: a connection is made through OAuth only, which gives a token scoped to the workspace and tied to the admin who authorized it.",
    `- Intercom's guide to the grant flow and the scopes an app asks for: [Setting up OAuth](${intercomOAuthGuideUrl}).`,
    "",
    "| Region | Authorize URL | Token URL | API host |",
    "| --- | --- | --- | --- |",
    ...manifest.connection.regions.map(
      (region) =>
        `| ${region.region.toUpperCase()} | ${region.authorizeUrl} | ${region.tokenUrl} | ${region.apiBaseUrl} |`
    ),
    "",
    "## Triggers",
    "",
    "| Key | Name | Fires on |",
    "| --- | --- | --- |",
    ...manifest.triggers.map(
      (trigger) =>
        `| \`${trigger.key}\` | ${trigger.title} | ${trigger.topics.map((topic) => `\`${topic}\``).join(", ")} |`
    ),
    "",
    `All triggers share one app-scoped webhook URL (\`${manifest.webhook.path}\`): Intercom sends every workspace's notifications there and they are routed by \`app_id\` to that workspace's connections. Intercom signs each delivery with ${manifest.webhook.signature.algorithm} in \`${manifest.webhook.signature.header}\`, keyed by ${manifest.webhook.signature.key}; \`${manifest.webhook.signature.alsoAccepted.header}\` (${manifest.webhook.signature.alsoAccepted.algorithm}) is accepted too. Deliveries are de-duplicated ${manifest.webhook.dedupe}.`,
    "",
    "| Answer | When |",
    "| --- | --- |",
    ...manifest.webhook.responses.map((response) => `| ${response.status} | ${escapeCell(response.when)} |`),
    "",
    ...subscriptionSteps(manifest),
    ...manifest.triggers.map(renderTrigger),
    ...renderActivations(manifest.activations),
    "## Actions",
    "",
    ...(manifest.actions.some((action) => unlistedFieldsNote(action.output) !== "")
      ? [
          "Action outputs carry every field Intercom returns for the objects they hold (contacts, conversations, companies, …), not only the fields their tables list: those are the ones the bundle checks, and every other field, including one Intercom adds later, is kept as Intercom sent it. The output JSON Schemas in the manifest allow additional properties accordingly.",
          ""
        ]
      : []),
    ...manifest.actions.map(renderAction),
    "## Errors",
    "",
    "A failed step carries `code`, `message`, `providerStatus`, `retryable` and `detail`.",
    "",
    "| Code | Provider status | Retryable | Meaning | What to do |",
    "| --- | --- | --- | --- | --- |",
    ...manifest.errors.map(renderError),
    "",
    "## Known limitations",
    "",
    `- Every request sends \`Intercom-Version: ${manifest.app.intercomApiVersion}\`, whatever version the app is set to in the Developer Hub; operations and fields added in later versions are not available. Webhook payloads follow the app's version, so keep the app on ${manifest.app.intercomApiVersion} too.`,
    rateLimitNote(),
    `- Pagination uses cursors: ${cursorPagedActions(manifest).join(", ")} returns one page per call with \`next_cursor\`, passed back as \`starting_after\` for the next page; a workflow that needs every page loops until it is null.`,
    "- Webhook subscriptions are set per topic in Intercom's Developer Hub, on the OAuth app that issued the connections; TaskJuice does not create them.",
    "- Permissions (scopes) are set on TaskJuice's Intercom app, not per connection; Intercom shows them on its consent screen.",
    `- Webhook bodies over ${manifest.webhook.bodyLimitBytes} bytes are refused (413).`,
    "- Intercom delivers webhooks at least once and in no particular order; use `created_at` in the payload to order events.",
    "- A create or reply that times out or meets a server error is not retried automatically, because it may already have happened in Intercom (`retryable: false`, `detail.mayHaveTakenEffect`).",
    ""
  ]
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`
}
