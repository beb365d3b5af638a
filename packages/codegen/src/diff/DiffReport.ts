/**
 * What changes for this integration between two Intercom descriptions: only the operations and
 * webhook items `specs/intercom/usage.json` declares, walked through every schema they reach
 * ($ref, allOf, oneOf, anyOf; cycles guarded), each change marked breaking or additive for the
 * direction it flows in (what we send, what we read) and mapped to the actions and triggers it touches.
 */
import { prepareSpec } from "../Generate.ts"
import type { Pins } from "../Pins.ts"
import type { ResolveOptions } from "../SpecResolver.ts"
import { loadUsage, missingFromDocument, type Usage, usagePath } from "../Usage.ts"
import { type Change, type Collected, Collector, type Impact } from "./Change.ts"
import { compareOperation, compareWebhookItem } from "./OperationDiff.ts"

export interface DiffSide {
  readonly version: string
  readonly sha256?: string
}

export interface ImpactCounts {
  readonly breaking: number
  readonly additive: number
}

export interface DiffReport {
  readonly from: DiffSide
  readonly to: DiffSide
  readonly summary: ImpactCounts
  /** Per action, trigger or `connection`: how many changes of each impact touch it. */
  readonly byConsumer: Readonly<Record<string, ImpactCounts>>
  readonly changes: ReadonlyArray<Change>
}

const impactOrder: Record<Impact, number> = { breaking: 0, additive: 1 }

/** A collected change with the operations and webhook items it is reached through, and whom they touch. */
const completed = (usage: Usage, { draft, operations, webhookItems }: Collected): Change => {
  const touches = new Set<string>()
  for (const id of operations) for (const key of usage.operations[id]?.usedBy ?? []) touches.add(key)
  for (const type of webhookItems) for (const key of usage.webhookItems[type]?.usedBy ?? []) touches.add(key)
  return {
    ...draft,
    operations: [...operations].sort(),
    webhookItems: [...webhookItems].sort(),
    touches: [...touches].sort()
  }
}

/** Breaking first, then by location and kind. */
const byImpactAndPlace = (a: Change, b: Change): number =>
  impactOrder[a.impact] - impactOrder[b.impact] ||
  a.location.localeCompare(b.location) ||
  a.kind.localeCompare(b.kind)

const countByConsumer = (changes: ReadonlyArray<Change>): Record<string, ImpactCounts> => {
  const counts: Record<string, { breaking: number; additive: number }> = {}
  for (const change of changes)
    for (const key of change.touches) {
      const entry = counts[key] ?? { breaking: 0, additive: 0 }
      entry[change.impact]++
      counts[key] = entry
    }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}

/** Compares two (overlay-patched) descriptions for what `usage` declares. */
export const diffDocuments = (
  from: unknown,
  to: unknown,
  usage: Usage,
  sides: { readonly from: DiffSide; readonly to: DiffSide }
): DiffReport => {
  const collector = new Collector()
  for (const operationId of Object.keys(usage.operations)) compareOperation(from, to, operationId, collector)
  for (const [type, item] of Object.entries(usage.webhookItems))
    compareWebhookItem(from, to, type, item.schema, collector)
  const changes = [...collector.drafts.values()]
    .map((entry) => completed(usage, entry))
    .sort(byImpactAndPlace)
  return {
    from: sides.from,
    to: sides.to,
    summary: {
      breaking: changes.filter((change) => change.impact === "breaking").length,
      additive: changes.filter((change) => change.impact === "additive").length
    },
    byConsumer: countByConsumer(changes),
    changes
  }
}

export class UsageNotInDescriptions extends Error {
  readonly _tag = "UsageNotInDescriptions"
  readonly missing: ReadonlyArray<string>
  constructor(usageSource: string, versions: ReadonlyArray<string>, missing: ReadonlyArray<string>) {
    super(
      `${usageSource} names what neither Intercom ${versions.join(" nor ")} defines: ${missing.join(", ")}. ` +
        "Fix the operationId or schema name there."
    )
    this.missing = missing
  }
}

/** Resolves, patches and validates both pinned versions, then diffs what the usage declares. */
export const diffVersions = async (
  fromVersion: string,
  toVersion: string,
  options: ResolveOptions & { readonly pins?: Pins; readonly usagePath?: string } = {}
): Promise<DiffReport> => {
  const usageSource = options.usagePath ?? usagePath
  const usage = loadUsage(usageSource)
  const from = await prepareSpec(fromVersion, options)
  const to = await prepareSpec(toVersion, options)
  const missingFrom = new Set(missingFromDocument(usage, from.document))
  const missingInBoth = missingFromDocument(usage, to.document).filter((entry) => missingFrom.has(entry))
  if (missingInBoth.length > 0)
    throw new UsageNotInDescriptions(usageSource, [fromVersion, toVersion], missingInBoth)
  return diffDocuments(from.document, to.document, usage, {
    from: { version: from.version, sha256: from.sha256 },
    to: { version: to.version, sha256: to.sha256 }
  })
}
