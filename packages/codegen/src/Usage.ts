/**
 * What the integration uses of Intercom's API (`specs/intercom/usage.json`): the operations and
 * webhook items, and which actions and triggers depend on each. The diff reads it to decide which
 * changes matter and whom they touch; the core can check its own keys against the same file.
 */
import { readFileSync } from "node:fs"
import { specsRoot } from "./Pins.ts"
import { isRecord } from "./SpecRefs.ts"

export interface UsedOperation {
  /** TaskJuice action or trigger keys (`intercom/create-contact`), or `connection`. */
  readonly usedBy: ReadonlyArray<string>
}

export interface UsedWebhookItem {
  /** The component schema that describes `data.item`. */
  readonly schema: string
  readonly usedBy: ReadonlyArray<string>
}

export interface Usage {
  readonly operations: Readonly<Record<string, UsedOperation>>
  readonly webhookItems: Readonly<Record<string, UsedWebhookItem>>
}

export const usagePath: string = `${specsRoot}usage.json`

export class InvalidUsage extends Error {
  readonly _tag = "InvalidUsage"
  readonly path: string
  constructor(source: string, path: string, reason: string) {
    super(`${source}: ${path} ${reason}`)
    this.path = path
  }
}

const usedByAt = (source: string, path: string, value: unknown): ReadonlyArray<string> => {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((key) => typeof key === "string" && key !== "")
  ) {
    throw new InvalidUsage(source, path, "must be a non-empty list of action or trigger keys")
  }
  return value as ReadonlyArray<string>
}

export const parseUsage = (source: string, value: unknown): Usage => {
  if (!isRecord(value)) throw new InvalidUsage(source, "(root)", "must be an object")
  const { operations, webhookItems } = value
  if (!isRecord(operations) || Object.keys(operations).length === 0) {
    throw new InvalidUsage(source, "operations", "must map operationIds to { usedBy }")
  }
  if (!isRecord(webhookItems))
    throw new InvalidUsage(source, "webhookItems", "must map item types to { schema, usedBy }")
  const parsedOperations: Record<string, UsedOperation> = {}
  for (const [id, entry] of Object.entries(operations)) {
    if (!isRecord(entry)) throw new InvalidUsage(source, `operations.${id}`, "must be an object with usedBy")
    parsedOperations[id] = { usedBy: usedByAt(source, `operations.${id}.usedBy`, entry.usedBy) }
  }
  const parsedItems: Record<string, UsedWebhookItem> = {}
  for (const [type, entry] of Object.entries(webhookItems)) {
    if (!isRecord(entry)) throw new InvalidUsage(source, `webhookItems.${type}`, "must be an object")
    if (typeof entry.schema !== "string" || entry.schema === "") {
      throw new InvalidUsage(source, `webhookItems.${type}.schema`, "must name a component schema")
    }
    parsedItems[type] = {
      schema: entry.schema,
      usedBy: usedByAt(source, `webhookItems.${type}.usedBy`, entry.usedBy)
    }
  }
  return { operations: parsedOperations, webhookItems: parsedItems }
}

export const loadUsage = (path: string = usagePath): Usage =>
  parseUsage(path, JSON.parse(readFileSync(path, "utf8")) as unknown)

/** Every action, trigger and `connection` key the usage names, sorted. */
export const consumers = (usage: Usage): ReadonlyArray<string> =>
  [
    ...new Set([
      ...Object.values(usage.operations).flatMap((entry) => entry.usedBy),
      ...Object.values(usage.webhookItems).flatMap((entry) => entry.usedBy)
    ])
  ].sort()

/** What a description lacks of what we use: operationIds and webhook item schemas it does not define. */
export const missingFromDocument = (
  usage: Usage,
  document: {
    readonly paths?: Record<string, Record<string, unknown>>
    readonly components?: { readonly schemas?: Record<string, unknown> }
  }
): ReadonlyArray<string> => {
  const operationIds = new Set<string>()
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const id = (operation as { operationId?: unknown } | null)?.operationId
      if (typeof id === "string") operationIds.add(id)
    }
  }
  const schemas = document.components?.schemas ?? {}
  return [
    ...Object.keys(usage.operations)
      .filter((id) => !operationIds.has(id))
      .map((id) => `operation ${id}`),
    ...Object.entries(usage.webhookItems)
      .filter(([, item]) => schemas[item.schema] === undefined)
      .map(([type, item]) => `webhook item ${type} (schema ${item.schema})`)
  ]
}
