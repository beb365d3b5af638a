/**
 * Intercom's search query language (`POST /contacts/search`, `POST /conversations/search`), read into
 * a predicate over stored records. A query is a filter `{ field, operator, value }` or a group
 * `{ operator: "AND" | "OR", value: [query, …] }`, groups nested at most two deep, at most 15 queries
 * to a group. Each node is told apart by its shape (a `field` makes a filter) and checked against that
 * kind's schema in the request's version, so a problem is named by its full path
 * (`query.value[1].operator`); then the field and operator are checked as Intercom documents them:
 * which operators a field's type takes, and that the value has that type. Dates match by calendar day
 * in the workspace's time zone, as Intercom's do. Which fields exist is the resource's (see
 * `ContactSearch.ts`, `ConversationSearch.ts`).
 */
import * as Effect from "effect/Effect"
import { isObject } from "effect/Predicate"
import type { FieldProblem } from "../spec/SpecSchemas.ts"
import { fromSchemaProblem, InvalidField, invalidField, missingField } from "./DomainError.ts"

export type SearchFieldType = "string" | "integer" | "boolean" | "date" | "id-set"

type Scalar = string | number | boolean
type Stored = Scalar | ReadonlyArray<string> | null

export interface SearchField<R> {
  readonly type: SearchFieldType
  readonly read: (record: R) => Stored
  /** Emails compare without case, as Intercom (and the store's one-user-per-email rule) treat them. */
  readonly caseless?: boolean
}

/** What a resource's search knows: its fields, and how to read a `custom_attributes.<name>`. */
export interface SearchFields<R> {
  /** What is searched, as errors name it: "contact", "conversation". */
  readonly resource: string
  readonly fields: ReadonlyMap<string, SearchField<R>>
  readonly customAttributes: (record: R) => Readonly<Record<string, unknown>>
  readonly defaultPerPage: number
}

/** Checks a value against a named component schema of the request's version. */
export type ValidateComponent = (name: string, value: unknown, at: string) => FieldProblem | undefined

export const operatorsByType: Readonly<Record<SearchFieldType, ReadonlyArray<string>>> = {
  string: ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
  integer: ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
  boolean: ["=", "!=", "IN", "NIN"],
  date: ["=", "<", ">"],
  // tag_id and segment_id: "supports only the = and != operators".
  "id-set": ["=", "!="]
}

export const maxSearchPerPage = 150
/** "There's a limit of max 2 nested filters". */
export const maxGroupNesting = 2
/** "There's a limit of max 15 filters for each AND or OR group". */
export const maxGroupSize = 15

export const textField = <R>(read: (record: R) => string | null): SearchField<R> => ({ type: "string", read })
export const dateField = <R>(read: (record: R) => number | null): SearchField<R> => ({ type: "date", read })
export const integerField = <R>(read: (record: R) => number | null): SearchField<R> => ({
  type: "integer",
  read
})
export const booleanField = <R>(read: (record: R) => boolean | null): SearchField<R> => ({
  type: "boolean",
  read
})
export const idSetField = <R>(read: (record: R) => ReadonlyArray<string>): SearchField<R> => ({
  type: "id-set",
  read
})
/**
 * A resource's searchable fields: the ones the simulator keeps, then the ones it does not, which are
 * searchable and hold no value (as the records it answers show them: null).
 */
export const fieldTable = <R>(
  tracked: ReadonlyArray<readonly [string, SearchField<R>]>,
  untracked: { readonly [type in "string" | "date"]: ReadonlyArray<string> }
): ReadonlyMap<string, SearchField<R>> => {
  const fields = new Map(tracked)
  for (const type of ["date", "string"] as const)
    for (const name of untracked[type]) fields.set(name, { type, read: () => null })
  return fields
}

const customPrefix = "custom_attributes."

type JsonObject = Record<string, unknown>

/** Thrown inside the compiler only; `parseSearch` turns it into its failure. */
const invalid = (field: string, message: string): InvalidField => invalidField(field, message)

export type Predicate<R> = (record: R) => boolean

export interface Search<R> {
  readonly matches: Predicate<R>
  readonly perPage: number
  readonly startingAfter?: string | undefined
}

/** Calendar days in one time zone, as sortable `YYYY-MM-DD` keys; cached per timestamp. */
const dayKeys = (timeZone: string): ((unixSeconds: number) => string) => {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  })
  const cache = new Map<number, string>()
  return (unixSeconds) => {
    let key = cache.get(unixSeconds)
    if (key === undefined) {
      key = format.format(new Date(unixSeconds * 1000))
      cache.set(unixSeconds, key)
    }
    return key
  }
}

/** A custom attribute's type is the query value's: Intercom's is the data attribute's, which we do not keep. */
const customField = <R>(search: SearchFields<R>, name: string, value: unknown): SearchField<R> => {
  const sample = Array.isArray(value) ? value[0] : value
  const type: SearchFieldType =
    typeof sample === "number" ? "integer" : typeof sample === "boolean" ? "boolean" : "string"
  return {
    type,
    read: (record) => {
      const stored = search.customAttributes(record)[name]
      return typeof stored === "string" || typeof stored === "number" || typeof stored === "boolean"
        ? stored
        : null
    }
  }
}

const typeNames: Readonly<Record<SearchFieldType, string>> = {
  string: "a string",
  integer: "an integer",
  boolean: "a boolean",
  date: "a UNIX timestamp",
  "id-set": "an id"
}

/** The query value as the field's type wants it, or why it cannot be. */
const operandOf = (type: SearchFieldType, value: unknown, fieldName: string, at: string): Scalar => {
  const wrong = () => invalid(at, `${at} must be ${typeNames[type]} for ${fieldName}`)
  switch (type) {
    case "string":
      if (typeof value === "string") return value
      throw wrong()
    case "integer":
    case "date":
      // Intercom's own example sends a timestamp as text ("1306054154").
      if (typeof value === "number" && Number.isInteger(value)) return value
      if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value)
      throw wrong()
    case "boolean":
      if (typeof value === "boolean") return value
      if (value === "true" || value === "false") return value === "true"
      throw wrong()
    case "id-set":
      if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value)))
        return String(value)
      throw wrong()
  }
}

const fold = (value: Scalar, caseless: boolean): Scalar =>
  caseless && typeof value === "string" ? value.toLowerCase() : value

/**
 * Compiles one filter. Negative operators (`!=`, `NIN`, `!~`) are the exact complements of their
 * positive ones, so a contact without the value matches them.
 */
const compileFilter = <R>(
  field: SearchField<R>,
  fieldName: string,
  operator: string,
  value: unknown,
  at: string,
  dayOf: (unixSeconds: number) => string
): Predicate<R> => {
  const valueAt = `${at}.value`
  const caseless = field.caseless === true
  const negate =
    (predicate: Predicate<R>): Predicate<R> =>
    (record) =>
      !predicate(record)

  if (value === null) {
    if (operator !== "=" && operator !== "!=") {
      throw invalid(valueAt, `${valueAt} may be null only with = and != (is unknown, has any value)`)
    }
    const unknown: Predicate<R> = (contact) => {
      const stored = field.read(contact)
      return stored === null || stored === "" || (Array.isArray(stored) && stored.length === 0)
    }
    return operator === "=" ? unknown : negate(unknown)
  }

  if (operator === "IN" || operator === "NIN") {
    if (!Array.isArray(value)) throw invalid(valueAt, `${valueAt} must be an array for ${operator}`)
    const wanted = new Set(
      value.map((item, index) =>
        fold(operandOf(field.type, item, fieldName, `${valueAt}[${index}]`), caseless)
      )
    )
    const within: Predicate<R> = (contact) => {
      const stored = field.read(contact)
      return stored !== null && !Array.isArray(stored) && wanted.has(fold(stored as Scalar, caseless))
    }
    return operator === "IN" ? within : negate(within)
  }
  if (Array.isArray(value)) throw invalid(valueAt, `${valueAt} may be an array only for IN and NIN`)
  const operand = fold(operandOf(field.type, value, fieldName, valueAt), caseless)

  if (field.type === "id-set") {
    const holds: Predicate<R> = (contact) => {
      const stored = field.read(contact)
      return Array.isArray(stored) && stored.includes(operand as string)
    }
    return operator === "=" ? holds : negate(holds)
  }

  if (field.type === "date") {
    const day = dayOf(operand as number)
    const sameDayOr = (test: (storedDay: string) => boolean): Predicate<R> => {
      return (contact) => {
        const stored = field.read(contact)
        return typeof stored === "number" && test(dayOf(stored))
      }
    }
    // `>` starts at the next day, `<` ends before the day: whole days, never the instant given.
    if (operator === "=") return sameDayOr((stored) => stored === day)
    if (operator === ">") return sameDayOr((stored) => stored > day)
    return sameDayOr((stored) => stored < day)
  }

  const scalar = (contact: R): Scalar | null => {
    const stored = field.read(contact)
    return stored === null || Array.isArray(stored) ? null : fold(stored as Scalar, caseless)
  }
  const positive = (test: (stored: Scalar) => boolean): Predicate<R> => {
    return (contact) => {
      const stored = scalar(contact)
      return stored !== null && test(stored)
    }
  }
  const textTest = (test: (stored: string, wanted: string) => boolean): Predicate<R> =>
    positive((stored) => typeof stored === "string" && test(stored, operand as string))
  const numberTest = (test: (stored: number, wanted: number) => boolean): Predicate<R> =>
    positive((stored) => typeof stored === "number" && test(stored, operand as number))

  switch (operator) {
    case "=":
      return positive((stored) => stored === operand)
    case "!=":
      return negate(positive((stored) => stored === operand))
    case "~":
      return textTest((stored, wanted) => stored.includes(wanted))
    case "!~":
      return negate(textTest((stored, wanted) => stored.includes(wanted)))
    case "^":
      return textTest((stored, wanted) => stored.startsWith(wanted))
    case "$":
      return textTest((stored, wanted) => stored.endsWith(wanted))
    case "<":
      return numberTest((stored, wanted) => stored < wanted)
    case ">":
      return numberTest((stored, wanted) => stored > wanted)
    case "<=":
      return numberTest((stored, wanted) => stored <= wanted)
    default:
      return numberTest((stored, wanted) => stored >= wanted)
  }
}

/**
 * Whether a query node is an AND/OR group rather than a single filter, told by its shape as Intercom's
 * docs tell the two kinds apart: a filter names a `field`, a group combines with `AND` or `OR`. The spec
 * cannot decide it from 2.12 on, where neither schema requires anything and a group matches both.
 */
const isGroup = (node: JsonObject): boolean =>
  !("field" in node) && (node.operator === "AND" || node.operator === "OR")

const compileQuery = <R>(
  search: SearchFields<R>,
  node: unknown,
  at: string,
  groupDepth: number,
  validate: ValidateComponent,
  dayOf: (unixSeconds: number) => string
): Predicate<R> => {
  if (!isObject(node)) throw invalid(at, `${at} must be an object: a filter or an AND/OR group`)

  if (isGroup(node)) {
    if (groupDepth >= maxGroupNesting) {
      throw invalid(at, `${at} nests AND/OR groups deeper than Intercom allows (${maxGroupNesting} levels)`)
    }
    // The group's own fields against its schema, its members one by one below (each by its own shape
    // and path): the spec's `oneOf` over the members' kinds cannot tell them apart from 2.12 on.
    const { value: members, ...own } = node
    const problem = validate("multiple_filter_search_request", own, at)
    if (problem !== undefined) throw fromSchemaProblem(problem)
    if (members === undefined || members === null) throw missingField(`${at}.value`)
    if (!Array.isArray(members)) {
      throw invalid(`${at}.value`, `${at}.value must be an array of queries (filters or AND/OR groups)`)
    }
    if (members.length === 0) throw invalid(`${at}.value`, `${at}.value must hold at least one query`)
    if (members.length > maxGroupSize) {
      throw invalid(
        `${at}.value`,
        `${at}.value holds ${members.length} queries; Intercom allows ${maxGroupSize} a group`
      )
    }
    const compiled = members.map((member, index) =>
      compileQuery(search, member, `${at}.value[${index}]`, groupDepth + 1, validate, dayOf)
    )
    return node.operator === "AND"
      ? (contact) => compiled.every((predicate) => predicate(contact))
      : (contact) => compiled.some((predicate) => predicate(contact))
  }

  // An empty IN list would pass the spec's schema only ambiguously (both array branches): say why.
  if (Array.isArray(node.value) && node.value.length === 0) {
    throw invalid(`${at}.value`, `${at}.value must hold at least one value`)
  }
  const problem = validate("single_filter_search_request", node, at)
  if (problem !== undefined) throw fromSchemaProblem(problem)
  for (const key of ["field", "operator", "value"] as const) {
    if (!(key in node)) throw missingField(`${at}.${key}`)
  }
  const fieldName = node.field as string
  const operator = node.operator as string
  const field = fieldName.startsWith(customPrefix)
    ? fieldName.length > customPrefix.length
      ? customField(search, fieldName.slice(customPrefix.length), node.value)
      : undefined
    : search.fields.get(fieldName)
  if (field === undefined) {
    throw invalid(`${at}.field`, `${at}.field "${fieldName}" is not a searchable ${search.resource} field`)
  }
  const allowed = operatorsByType[field.type]
  if (!allowed.includes(operator)) {
    throw invalid(
      `${at}.operator`,
      `${at}.operator "${operator}" is not supported on ${fieldName}; use one of ${allowed.join(", ")}`
    )
  }
  return compileFilter(field, fieldName, operator, node.value, at, dayOf)
}

/**
 * Reads a search body: the query as a predicate, and the page asked for, or the field Intercom would
 * name in its 400. `validate` checks nodes against the request's version.
 */
export const parseSearch = <R>(
  search: SearchFields<R>,
  body: unknown,
  options: { readonly validate: ValidateComponent; readonly timeZone: string }
): Effect.Effect<Search<R>, InvalidField> =>
  Effect.suspend(() => {
    if (!isObject(body) || !("query" in body)) {
      const problem = isObject(body) ? undefined : options.validate("search_request", body, "")
      return Effect.fail(problem === undefined ? missingField("query") : fromSchemaProblem(problem))
    }
    let perPage = search.defaultPerPage
    let startingAfter: string | undefined
    const pagination = body.pagination
    if (pagination !== undefined && pagination !== null) {
      const problem = options.validate("starting_after_paging", pagination, "pagination")
      if (problem !== undefined) return Effect.fail(fromSchemaProblem(problem))
      // Only 2.11's description requires per_page; the others default it as Intercom does.
      const paging = pagination as { readonly per_page?: number; readonly starting_after?: string | null }
      perPage = paging.per_page ?? search.defaultPerPage
      if (perPage < 1 || perPage > maxSearchPerPage) {
        return Effect.fail(
          invalid("pagination.per_page", `pagination.per_page must be between 1 and ${maxSearchPerPage}`)
        )
      }
      if (typeof paging.starting_after === "string") startingAfter = paging.starting_after
    }
    // Not the whole body against `search_request` afterwards: its `oneOf` between a filter and a group
    // refuses valid groups from 2.12 on (both branches match); each node was checked by its kind instead.
    try {
      const matches = compileQuery(
        search,
        body.query,
        "query",
        0,
        options.validate,
        dayKeys(options.timeZone)
      )
      return Effect.succeed({ matches, perPage, startingAfter })
    } catch (error) {
      if (error instanceof InvalidField) return Effect.fail(error)
      throw error
    }
  })
