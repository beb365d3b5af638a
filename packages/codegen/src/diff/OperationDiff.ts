/**
 * Two versions of a used operation compared: where it lives (moved, or path parameters renamed),
 * its parameters, its JSON request body and its responses; and two versions of a webhook item's
 * schema. Schemas they reach are compared by `SchemaDiff`.
 */
import { deref, isRecord, type JsonObject } from "../SpecRefs.ts"
import type { Collector, Draft, Via } from "./Change.ts"
import { compareSchemas, type Walk } from "./SchemaDiff.ts"

const httpMethods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

interface FoundOperation {
  readonly method: string
  readonly path: string
  readonly operation: JsonObject
  readonly pathItem: JsonObject
}

interface Parameter {
  readonly name: string
  readonly in: string
  readonly required: boolean
  readonly schema: unknown
}

/** One operation compared: both sides found, and how to record what differs. */
interface OperationPair {
  readonly from: unknown
  readonly to: unknown
  readonly operationId: string
  readonly before: FoundOperation
  readonly after: FoundOperation
  readonly emit: (draft: Omit<Draft, "direction">) => void
  readonly walk: (direction: "request" | "response") => Walk
}

const findOperation = (document: unknown, operationId: string): FoundOperation | undefined => {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {}
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isRecord(pathItem)) continue
    for (const method of httpMethods) {
      const operation = pathItem[method]
      if (isRecord(operation) && operation.operationId === operationId)
        return { method: method.toUpperCase(), path, operation, pathItem }
    }
  }
  return undefined
}

const parametersOf = (document: unknown, found: FoundOperation): ReadonlyArray<Parameter> => {
  const byKey = new Map<string, Parameter>()
  for (const list of [found.pathItem.parameters, found.operation.parameters]) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const { node } = deref(document, raw)
      if (typeof node.name !== "string" || typeof node.in !== "string") continue
      byKey.set(`${node.in}:${node.name}`, {
        name: node.name,
        in: node.in,
        required: node.required === true,
        schema: node.schema
      })
    }
  }
  // The client sends Intercom-Version itself, from the build's version; its enum grows every release.
  return [...byKey.values()].filter(
    (parameter) => !(parameter.in === "header" && parameter.name.toLowerCase() === "intercom-version")
  )
}

const pathParameterNames = (path: string): ReadonlyArray<string> =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? "")

const jsonSchemaOf = (document: unknown, holder: unknown): unknown => {
  const { node } = deref(document, holder)
  const content = node.content
  if (!isRecord(content)) return undefined
  const media = content["application/json"] ?? Object.values(content)[0]
  return isRecord(media) ? media.schema : undefined
}

const isErrorStatus = (status: string): boolean => !status.startsWith("2") && !status.startsWith("3")

/** Moved (another method or URL shape), or the same URL with its path parameters renamed. */
const compareLocation = ({ operationId, before, after, emit }: OperationPair): void => {
  const where = `${operationId} (${after.method} ${after.path})`
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, "{}")
  if (before.method !== after.method || shape(before.path) !== shape(after.path)) {
    emit({
      kind: "operation-moved",
      impact: "breaking",
      location: where,
      summary: `moved from ${before.method} ${before.path}`,
      from: `${before.method} ${before.path}`,
      to: `${after.method} ${after.path}`
    })
    return
  }
  if (before.path === after.path) return
  const newNames = pathParameterNames(after.path)
  const renames = pathParameterNames(before.path)
    .map((name, index) => [name, newNames[index] ?? ""] as const)
    .filter(([a, b]) => a !== b)
  emit({
    kind: "path-parameter-renamed",
    // Same URL on the wire, but the generated `params.path` keys change: callers stop compiling.
    impact: "breaking",
    location: where,
    summary: `path parameter ${renames.map(([a, b]) => `{${a}} → {${b}}`).join(", ")} (same URL, new name in params.path)`,
    from: before.path,
    to: after.path,
    removed: renames.map(([a]) => a),
    added: renames.map(([, b]) => b)
  })
}

/** Path parameters are matched by position (their names are the rename above); others by name. */
const parametersByKey = (document: unknown, found: FoundOperation): ReadonlyMap<string, Parameter> => {
  const key = (parameter: Parameter) =>
    parameter.in === "path"
      ? `path:#${pathParameterNames(found.path).indexOf(parameter.name)}`
      : `${parameter.in}:${parameter.name}`
  return new Map(parametersOf(document, found).map((parameter) => [key(parameter), parameter]))
}

const compareParameters = (pair: OperationPair): void => {
  const { operationId, emit } = pair
  const oldParameters = parametersByKey(pair.from, pair.before)
  const newParameters = parametersByKey(pair.to, pair.after)
  for (const [id, parameter] of newParameters) {
    const old = oldParameters.get(id)
    const label = `${operationId} ${parameter.in} parameter ${parameter.name}`
    if (old === undefined) {
      emit({
        kind: "parameter-added",
        impact: parameter.required ? "breaking" : "additive",
        location: label,
        summary: `new ${parameter.required ? "required" : "optional"} ${parameter.in} parameter`
      })
      continue
    }
    if (old.required !== parameter.required) {
      emit({
        kind: parameter.required ? "parameter-required" : "parameter-optional",
        impact: parameter.required ? "breaking" : "additive",
        location: label,
        summary: parameter.required ? "now required" : "now optional"
      })
    }
    compareSchemas(pair.walk("request"), old.schema, parameter.schema, label)
  }
  for (const [id, parameter] of oldParameters) {
    if (newParameters.has(id)) continue
    emit({
      kind: "parameter-removed",
      impact: "breaking",
      location: `${operationId} ${parameter.in} parameter ${parameter.name}`,
      summary: `${parameter.in} parameter removed: no longer documented, may be ignored`
    })
  }
}

const compareRequestBody = ({ from, to, operationId, before, after, emit, walk }: OperationPair): void => {
  const oldBody = jsonSchemaOf(from, before.operation.requestBody)
  const newBody = jsonSchemaOf(to, after.operation.requestBody)
  if (oldBody !== undefined && newBody !== undefined) {
    compareSchemas(walk("request"), oldBody, newBody, `${operationId} request body`)
    return
  }
  if (oldBody === newBody) return
  emit({
    kind: oldBody === undefined ? "request-body-added" : "request-body-removed",
    impact: "breaking",
    location: `${operationId} request body`,
    summary: oldBody === undefined ? "now takes a JSON body" : "no longer takes a JSON body"
  })
}

const compareResponses = ({ from, to, operationId, before, after, emit, walk }: OperationPair): void => {
  const oldResponses = isRecord(before.operation.responses) ? before.operation.responses : {}
  const newResponses = isRecord(after.operation.responses) ? after.operation.responses : {}
  for (const [status, response] of Object.entries(newResponses)) {
    if (Object.hasOwn(oldResponses, status)) {
      const oldSchema = jsonSchemaOf(from, oldResponses[status])
      const newSchema = jsonSchemaOf(to, response)
      if (oldSchema !== undefined && newSchema !== undefined)
        compareSchemas(walk("response"), oldSchema, newSchema, `${operationId} ${status} response`)
      continue
    }
    const { node } = deref(to, response)
    const description = typeof node.description === "string" ? ` (${node.description})` : ""
    emit({
      kind: "status-added",
      // A new error status is a failure the action must map to a step error (retryable or not).
      impact: isErrorStatus(status) ? "breaking" : "additive",
      location: `${operationId} responses`,
      summary: `new ${isErrorStatus(status) ? "error " : ""}status ${status}${description}`,
      added: [status]
    })
  }
  for (const status of Object.keys(oldResponses)) {
    if (Object.hasOwn(newResponses, status)) continue
    emit({
      kind: "status-removed",
      impact: isErrorStatus(status) ? "additive" : "breaking",
      location: `${operationId} responses`,
      summary: `status ${status} no longer documented`,
      removed: [status]
    })
  }
}

export const compareOperation = (
  from: unknown,
  to: unknown,
  operationId: string,
  collector: Collector
): void => {
  const via: Via = { operation: operationId }
  const emit = (draft: Omit<Draft, "direction">) => collector.add({ ...draft, direction: "operation" }, via)
  const before = findOperation(from, operationId)
  const after = findOperation(to, operationId)
  if (before === undefined || after === undefined) {
    const present = before ?? after
    if (present === undefined) return
    emit({
      kind: before === undefined ? "operation-added" : "operation-removed",
      impact: before === undefined ? "additive" : "breaking",
      location: `${operationId} (${present.method} ${present.path})`,
      summary: before === undefined ? "operation appears" : "operation no longer exists"
    })
    return
  }
  const walk = (direction: "request" | "response"): Walk => ({
    from,
    to,
    direction,
    via,
    collector,
    visited: new Map()
  })
  const pair: OperationPair = { from, to, operationId, before, after, emit, walk }
  compareLocation(pair)
  compareParameters(pair)
  compareRequestBody(pair)
  compareResponses(pair)
}

const hasSchema = (document: unknown, name: string): boolean =>
  isRecord(document) &&
  isRecord(document.components) &&
  isRecord(document.components.schemas) &&
  document.components.schemas[name] !== undefined

export const compareWebhookItem = (
  from: unknown,
  to: unknown,
  type: string,
  schemaName: string,
  collector: Collector
): void => {
  const via: Via = { webhookItem: type }
  const [before, after] = [hasSchema(from, schemaName), hasSchema(to, schemaName)]
  if (before && after) {
    const ref = { $ref: `#/components/schemas/${schemaName}` }
    compareSchemas(
      { from, to, direction: "response", via, collector, visited: new Map() },
      ref,
      ref,
      schemaName
    )
    return
  }
  if (before === after) return
  collector.add(
    {
      kind: after ? "schema-added" : "schema-removed",
      impact: after ? "additive" : "breaking",
      direction: "response",
      location: schemaName,
      summary: after ? "schema appears" : `schema no longer defined (webhook item ${type})`
    },
    via
  )
}
