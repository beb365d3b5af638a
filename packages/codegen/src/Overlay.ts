/**
 * Applies OpenAPI Overlay 1.0.0 documents (https://spec.openapis.org/overlay/v1.0.0) to a parsed
 * description. Our rules on top of the standard, so that fixes cannot rot silently:
 * every action states its reason in `description`, and a target that matches nothing is an error.
 */
import { readFileSync } from "node:fs"
import jsyaml from "js-yaml"
import { JSONPath } from "jsonpath-plus"
import { specsRoot } from "./Pins.ts"

export interface OverlayAction {
  readonly target: string
  /** Why this fix exists, in one line. Required by us (optional in the standard). */
  readonly description: string
  readonly update?: unknown
  readonly remove?: boolean
}

export interface Overlay {
  readonly name: string
  readonly overlay: string
  readonly info: { readonly title: string; readonly version: string }
  readonly actions: ReadonlyArray<OverlayAction>
}

export interface AppliedAction {
  readonly overlay: string
  readonly target: string
  readonly description: string
  readonly matches: number
}

export class InvalidOverlay extends Error {
  readonly _tag = "InvalidOverlay"
  constructor(name: string, reason: string) {
    super(`Overlay "${name}" is invalid: ${reason}`)
  }
}

export class OverlayTargetUnmatched extends Error {
  readonly _tag = "OverlayTargetUnmatched"
  readonly target: string
  constructor(name: string, action: OverlayAction) {
    super(
      `Overlay "${name}": target ${action.target} matches nothing (fix: "${action.description}"). ` +
        "The description changed under the fix; review it and update or drop the action."
    )
    this.target = action.target
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const overlayPath = (name: string): string => `${specsRoot}overlays/${name}.yaml`

export const parseOverlay = (name: string, text: string): Overlay => {
  const loaded: unknown = jsyaml.load(text)
  if (!isObject(loaded)) throw new InvalidOverlay(name, "not a YAML mapping")
  const raw = loaded as Partial<Overlay>
  if (typeof raw.overlay !== "string" || !raw.overlay.startsWith("1.")) {
    throw new InvalidOverlay(
      name,
      `"overlay" must be a 1.x version string, got ${JSON.stringify(raw.overlay)}`
    )
  }
  if (!Array.isArray(raw.actions) || raw.actions.length === 0)
    throw new InvalidOverlay(name, '"actions" must be a non-empty list')
  raw.actions.forEach((action: Partial<OverlayAction>, index) => {
    const where = `actions[${index}]`
    if (typeof action.target !== "string" || !action.target.startsWith("$")) {
      throw new InvalidOverlay(name, `${where}.target must be a JSONPath starting with "$"`)
    }
    if (typeof action.description !== "string" || action.description.trim() === "") {
      throw new InvalidOverlay(name, `${where}.description must state the reason for the fix`)
    }
    if ((action.update === undefined) === (action.remove !== true)) {
      throw new InvalidOverlay(name, `${where} needs exactly one of "update" or "remove: true"`)
    }
  })
  return { ...(raw as Omit<Overlay, "name">), name }
}

export const loadOverlay = (name: string): Overlay =>
  parseOverlay(name, readFileSync(overlayPath(name), "utf8"))

/** Overlay 1.0 merge: objects merge recursively, arrays append, anything else replaces. */
const merge = (target: Json, update: Json): Json => {
  if (Array.isArray(target)) return [...target, ...(Array.isArray(update) ? update : [update])]
  if (isObject(target) && isObject(update)) {
    const out: Record<string, Json> = { ...target }
    for (const [key, value] of Object.entries(update)) {
      const current = out[key]
      out[key] = current === undefined ? structuredClone(value) : merge(current, value)
    }
    return out
  }
  return structuredClone(update)
}

interface Match {
  readonly value: Json
  readonly parent: Json | null
  readonly parentProperty: string | number | null
}

/** Mutates `document` in place and reports what each action touched. */
export const applyOverlay = (document: object, overlay: Overlay): ReadonlyArray<AppliedAction> =>
  overlay.actions.map((action) => {
    const matches = JSONPath({ path: action.target, json: document, resultType: "all" }) as Array<Match>
    if (matches.length === 0) throw new OverlayTargetUnmatched(overlay.name, action)
    // Reverse order keeps array indices valid while removing several items of one array.
    for (const match of [...matches].reverse()) {
      const { parent, parentProperty } = match
      if (parent === null || parentProperty === null) {
        if (action.remove === true) throw new InvalidOverlay(overlay.name, "cannot remove the document root")
        Object.assign(document, merge(document as Json, action.update as Json))
        continue
      }
      const container = parent as Record<string | number, Json>
      if (action.remove === true) {
        if (Array.isArray(parent)) parent.splice(Number(parentProperty), 1)
        else delete container[parentProperty]
      } else {
        container[parentProperty] = merge(match.value, action.update as Json)
      }
    }
    return {
      overlay: overlay.name,
      target: action.target,
      description: action.description,
      matches: matches.length
    }
  })
