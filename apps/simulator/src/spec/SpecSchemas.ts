/**
 * One pinned (patched) OpenAPI document as validators: request bodies and parameters are checked
 * before a handler runs, and tests check every response against the operation's response schema.
 * OpenAPI 3.0 schemas are turned into JSON Schema first (`nullable`, `$ref` into components).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import { isObject } from "effect/Predicate"

export interface OpenApiOperation {
  readonly operationId?: string
  readonly parameters?: ReadonlyArray<unknown>
  readonly requestBody?: unknown
  readonly responses?: Readonly<Record<string, unknown>>
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly components: { readonly schemas: Readonly<Record<string, unknown>>; readonly parameters?: unknown }
}

/** What a request got wrong, in Intercom's words: `code`, the field's path, and why. */
export interface FieldProblem {
  readonly code: "parameter_not_found" | "parameter_invalid"
  readonly field: string
  readonly message: string
}

type JsonObject = Record<string, unknown>

const specId = "intercom-spec"

/** Keys whose values are maps of names to schemas, so their own keys are names, not keywords. */
const schemaMaps = new Set(["properties", "patternProperties", "definitions", "$defs"])
/** Keys whose values are data, not schemas. */
const dataKeys = new Set(["enum", "default", "example", "examples", "const", "required"])
/** OpenAPI-only or documentation keywords that JSON Schema does not know. */
const droppedKeys = new Set([
  "nullable",
  "example",
  "examples",
  "description",
  "discriminator",
  "xml",
  "externalDocs"
])

/**
 * One OpenAPI 3.0 schema as JSON Schema. `nullable: true` becomes a `null` type (or `anyOf` with
 * null when the schema composes others), and `#/…` refs point into the registered components.
 */
export const toJsonSchema = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!isObject(node)) return node
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(node)) {
    if (droppedKeys.has(key) || key.startsWith("x-")) continue
    if (key === "$ref" && typeof value === "string") {
      out[key] = value.startsWith("#/") ? `${specId}${value}` : value
    } else if (schemaMaps.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)])
      )
    } else if (dataKeys.has(key)) {
      out[key] = value
    } else {
      out[key] = toJsonSchema(value)
    }
  }
  if (node.nullable !== true) return out
  const composes = ["$ref", "allOf", "anyOf", "oneOf"].some((key) => key in out)
  if (typeof out.type === "string" && !composes) {
    out.type = [out.type, "null"]
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    return out
  }
  return { anyOf: [out, { type: "null" }] }
}

/** The document `@taskjuice/intercom-client` was generated from (whichever version the build uses). */
export const loadBundledSpec = (): OpenApiDocument => {
  const url = import.meta.resolve("@taskjuice/intercom-client/spec.json")
  return JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as OpenApiDocument
}

const instancePathOf = (error: ErrorObject): string => {
  const segments = error.instancePath.split("/").slice(1)
  let path = ""
  for (const segment of segments) {
    const name = segment.replace(/~1/g, "/").replace(/~0/g, "~")
    path += /^\d+$/.test(name) ? `[${name}]` : path === "" ? name : `.${name}`
  }
  return path
}

const join = (base: string, name: string): string =>
  base === "" ? name : name === "" ? base : name.startsWith("[") ? `${base}${name}` : `${base}.${name}`

/**
 * Turns ajv's findings into the single problem worth reporting: the most specific one. `at` is
 * where the validated value sits in the request (`query.value[1]`), so the field is named in full.
 */
export const describeProblem = (errors: ReadonlyArray<ErrorObject>, at = ""): FieldProblem => {
  const pathOf = (error: ErrorObject): string => join(at, instancePathOf(error))
  const missing = errors.filter((error) => error.keyword === "required")
  const concrete = errors.filter((error) => !["anyOf", "oneOf", "allOf", "if"].includes(error.keyword))
  const anyOf = errors.find((error) => error.keyword === "anyOf")
  // "give at least one of these" (create_contact_request's anyOf of required lists).
  if (anyOf !== undefined && concrete.length > 0 && concrete.length === missing.length) {
    const names = missing.map((error) => String(error.params.missingProperty))
    const base = pathOf(anyOf)
    return {
      code: "parameter_not_found",
      field: join(base, names[0] ?? ""),
      message: `one of ${names.join(", ")} is required`
    }
  }
  const chosen = [...concrete].sort((a, b) => b.instancePath.length - a.instancePath.length)[0] ?? errors[0]
  if (chosen === undefined)
    return { code: "parameter_invalid", field: at, message: `${at || "the request"} is invalid` }
  const base = pathOf(chosen)
  switch (chosen.keyword) {
    case "required": {
      const field = join(base, String(chosen.params.missingProperty))
      return { code: "parameter_not_found", field, message: `${field} is required` }
    }
    case "type":
      return {
        code: "parameter_invalid",
        field: base,
        message: `${base || "body"} must be ${String(chosen.params.type).replace(",", " or ")}`
      }
    case "enum":
      return {
        code: "parameter_invalid",
        field: base,
        message: `${base} must be one of ${(chosen.params.allowedValues as ReadonlyArray<unknown>).join(", ")}`
      }
    default:
      return {
        code: "parameter_invalid",
        field: base,
        message: `${base || "body"} ${chosen.message ?? "is invalid"}`
      }
  }
}

export interface ParameterSpec {
  readonly name: string
  readonly in: "query" | "path" | "header" | "cookie"
  readonly required: boolean
  readonly schema: unknown
}

const formats = {
  // Intercom's `uri` fields hold relative URLs ("/contacts/…/tags"), and the spec even marks
  // `addressable_list.type` ("tag") as a uri; its own examples pass only as URI references.
  uri: /^\S+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  // Intercom sends "" as the email of an author who has none (a lead that gave no address).
  email: /^$|^[^\s@]+@[^\s@]+$/,
  "date-time": (value: string) => !Number.isNaN(Date.parse(value)),
  date: /^\d{4}-\d{2}-\d{2}$/,
  float: { type: "number", validate: () => true },
  timestamp: { type: "number", validate: () => true }
} as const

/** Validators for one OpenAPI document, compiled on first use and cached. */
export class SpecSchemas {
  readonly document: OpenApiDocument
  private readonly ajv: Ajv
  private readonly operations = new Map<
    string,
    { method: string; path: string; operation: OpenApiOperation }
  >()
  private readonly cache = new Map<string, ValidateFunction>()
  private readonly parameterCache = new Map<string, ReadonlyArray<ParameterSpec>>()

  constructor(document: OpenApiDocument = loadBundledSpec()) {
    this.document = document
    this.ajv = new Ajv({ strict: false, allErrors: false, formats })
    const schemas = Object.fromEntries(
      Object.entries(document.components.schemas).map(([name, schema]) => [name, toJsonSchema(schema)])
    )
    this.ajv.addSchema({ $id: specId, components: { schemas } })
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (isObject(operation) && typeof operation.operationId === "string") {
          this.operations.set(operation.operationId, { method: method.toUpperCase(), path, operation })
        }
      }
    }
  }

  operation(operationId: string): { method: string; path: string; operation: OpenApiOperation } {
    const found = this.operations.get(operationId)
    if (found === undefined) throw new Error(`The OpenAPI document has no operation "${operationId}"`)
    return found
  }

  /** Whether the document describes the operation. */
  hasOperation(operationId: string): boolean {
    return this.operations.has(operationId)
  }

  /** Every operation the document describes: its id, method (upper case) and path template. */
  listOperations(): ReadonlyArray<{
    readonly operationId: string
    readonly method: string
    readonly path: string
  }> {
    return [...this.operations].map(([operationId, { method, path }]) => ({ operationId, method, path }))
  }

  /** The OpenAPI schema of an operation's JSON answer for a status (`$ref`s left as they are). */
  responseSchema(operationId: string, status = 200): unknown {
    const responses = this.operation(operationId).operation.responses ?? {}
    const response = this.resolve(responses[String(status)] ?? responses.default)
    return SpecSchemas.jsonSchemaOf(isObject(response) ? response.content : undefined)
  }

  /** The recorded examples of an operation's JSON answer for a status, by name. */
  responseExamples(operationId: string, status = 200): ReadonlyArray<unknown> {
    const responses = this.operation(operationId).operation.responses ?? {}
    const response = this.resolve(responses[String(status)])
    const content =
      isObject(response) && isObject(response.content) ? response.content["application/json"] : undefined
    const examples = isObject(content) && isObject(content.examples) ? content.examples : {}
    return Object.values(examples).map((example) => (isObject(example) ? example.value : undefined))
  }

  /** A named component schema (`contact`), or undefined. */
  component(name: string): unknown {
    return this.document.components.schemas[name]
  }

  private compile(key: string, schema: () => unknown): ValidateFunction {
    const cached = this.cache.get(key)
    if (cached !== undefined) return cached
    const compiled = this.ajv.compile(toJsonSchema(schema()) as object)
    this.cache.set(key, compiled)
    return compiled
  }

  /** A `$ref` into the document, followed once; anything else as it is. */
  resolve(node: unknown): unknown {
    if (isObject(node) && typeof node.$ref === "string" && node.$ref.startsWith("#/")) {
      let target: unknown = this.document
      for (const part of node.$ref.slice(2).split("/")) target = isObject(target) ? target[part] : undefined
      return target
    }
    return node
  }

  private static jsonSchemaOf(content: unknown): unknown {
    if (!isObject(content)) return undefined
    const json = content["application/json"]
    return isObject(json) ? json.schema : undefined
  }

  /** The operation's parameters, `$ref`s resolved. */
  parameters(operationId: string): ReadonlyArray<ParameterSpec> {
    let parameters = this.parameterCache.get(operationId)
    if (parameters === undefined) {
      const { operation } = this.operation(operationId)
      parameters = (operation.parameters ?? []).map((parameter) => this.resolve(parameter) as ParameterSpec)
      this.parameterCache.set(operationId, parameters)
    }
    return parameters
  }

  /** A validator for one parameter's schema (values already converted from text). */
  parameterValidator(operationId: string, parameter: ParameterSpec): ValidateFunction {
    return this.compile(`${operationId}:parameter:${parameter.in}:${parameter.name}`, () => parameter.schema)
  }

  /** The problem with a request body, or `undefined` when it is valid for the operation. */
  validateRequestBody(operationId: string, body: unknown): FieldProblem | undefined {
    const validate = this.compile(`${operationId}:request`, () => {
      const requestBody = this.resolve(this.operation(operationId).operation.requestBody)
      return SpecSchemas.jsonSchemaOf(isObject(requestBody) ? requestBody.content : undefined) ?? {}
    })
    return validate(body) ? undefined : describeProblem(validate.errors ?? [])
  }

  /**
   * The problem with a value for a named component schema (`admin_reply_conversation_request`);
   * `at` is the value's place in the request, to name the field in full.
   */
  validateComponent(name: string, value: unknown, at = ""): FieldProblem | undefined {
    const validate = this.compile(`component:${name}`, () => ({ $ref: `#/components/schemas/${name}` }))
    return validate(value) ? undefined : describeProblem(validate.errors ?? [], at)
  }

  /** ajv's errors for a response body, empty when it matches the operation's response schema. */
  responseErrors(operationId: string, status: number, body: unknown): ReadonlyArray<ErrorObject> {
    const validate = this.compile(`${operationId}:response:${status}`, () => {
      const responses = this.operation(operationId).operation.responses ?? {}
      const response = this.resolve(responses[String(status)] ?? responses.default)
      const schema = SpecSchemas.jsonSchemaOf(isObject(response) ? response.content : undefined)
      if (schema === undefined) throw new Error(`${operationId} declares no JSON response for ${status}`)
      return schema
    })
    return validate(body) ? [] : [...(validate.errors ?? [])]
  }

  /** ajv's errors for a value of a named component schema (`error`, `contact`), empty when valid. */
  componentErrors(name: string, value: unknown): ReadonlyArray<ErrorObject> {
    const validate = this.compile(`component:${name}`, () => ({ $ref: `#/components/schemas/${name}` }))
    return validate(value) ? [] : [...(validate.errors ?? [])]
  }
}
