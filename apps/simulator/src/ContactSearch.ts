/**
 * Intercom's search query language for contacts (`POST /contacts/search`), read into a predicate
 * over stored contacts. A query is a filter `{ field, operator, value }` or a group
 * `{ operator: "AND" | "OR", value: [query, …] }`, groups nested at most two deep, at most 15
 * queries to a group. Each node is told apart by its shape (a `field` makes a filter) and checked
 * against that kind's schema in the spec where it sits, so a problem is named by its full path
 * (`query.value[1].operator`); then the field and operator are checked as Intercom documents them:
 * which operators a field's type takes, and that the value has that type. Dates match by calendar
 * day in the workspace's time zone, as Intercom's do.
 */
import { apiError, type IntercomApiError } from "./IntercomError.ts"
import type { FieldProblem, SpecSchemas } from "./SpecSchemas.ts"
import type { ContactRecord } from "./Store.ts"

export type SearchFieldType = "string" | "integer" | "boolean" | "date" | "id-set"

type Scalar = string | number | boolean
type Stored = Scalar | ReadonlyArray<string> | null

interface SearchField {
  readonly type: SearchFieldType
  readonly read: (contact: ContactRecord) => Stored
  /** Emails compare without case, as Intercom (and the store's one-user-per-email rule) treat them. */
  readonly caseless?: boolean
}

export const operatorsByType: Readonly<Record<SearchFieldType, ReadonlyArray<string>>> = {
  string: ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
  integer: ["=", "!=", "IN", "NIN", "<", ">", "<=", ">="],
  boolean: ["=", "!=", "IN", "NIN"],
  date: ["=", "<", ">"],
  // tag_id and segment_id: "supports only the = and != operators".
  "id-set": ["=", "!="]
}

export const defaultSearchPerPage = 50
export const maxSearchPerPage = 150
/** "There's a limit of max 2 nested filters". */
export const maxGroupNesting = 2
/** "There's a limit of max 15 filters for each AND or OR group". */
export const maxGroupSize = 15

const text = (read: (contact: ContactRecord) => string | null): SearchField => ({ type: "string", read })
const date = (read: (contact: ContactRecord) => number | null): SearchField => ({ type: "date", read })
const unknownText = text(() => null)
const unknownDate = date(() => null)
const alwaysFalse: SearchField = { type: "boolean", read: () => false }

/**
 * The spec's "Accepted Fields" for contacts. Fields the simulator does not track (browser, devices,
 * location) are searchable and hold no value, exactly as the contacts it answers show them (null).
 */
const searchFields: ReadonlyMap<string, SearchField> = new Map<string, SearchField>([
  ["id", text((c) => c.id)],
  ["role", text((c) => c.role)],
  ["name", text((c) => c.name)],
  ["avatar", text((c) => c.avatar)],
  ["owner_id", { type: "integer", read: (c) => (c.owner_id === null ? null : Number(c.owner_id)) }],
  ["email", { ...text((c) => c.email), caseless: true }],
  ["email_domain", { ...text((c) => c.email?.split("@")[1] ?? null), caseless: true }],
  ["phone", text((c) => c.phone)],
  ["formatted_phone", text((c) => c.phone)],
  ["external_id", text((c) => c.external_id)],
  ["created_at", date((c) => c.created_at)],
  ["signed_up_at", date((c) => c.signed_up_at)],
  ["updated_at", date((c) => c.updated_at)],
  ["last_seen_at", date((c) => c.last_seen_at)],
  ["last_contacted_at", date((c) => c.last_contacted_at)],
  ["last_replied_at", date((c) => c.last_replied_at)],
  ["last_email_opened_at", unknownDate],
  ["last_email_clicked_at", unknownDate],
  ["ios_last_seen_at", unknownDate],
  ["android_last_seen_at", unknownDate],
  ["unsubscribed_from_emails", { type: "boolean", read: (c) => c.unsubscribed_from_emails }],
  ["marked_email_as_spam", alwaysFalse],
  ["has_hard_bounced", alwaysFalse],
  ["tag_id", { type: "id-set", read: (c) => c.tag_ids }],
  // The simulator has no segments: every contact is in none.
  ["segment_id", { type: "id-set", read: () => [] }],
  ...[
    "language_override",
    "browser",
    "browser_language",
    "os",
    "location.country",
    "location.region",
    "location.city",
    "ios_app_version",
    "ios_device",
    "ios_app_device",
    "ios_os_version",
    "ios_app_name",
    "ios_sdk_version",
    "android_app_version",
    "android_device",
    "android_app_name",
    "android_sdk_version",
    // The spec's table spells it this way.
    "andoid_sdk_version"
  ].map((name): [string, SearchField] => [name, unknownText])
])

export const searchableContactFields: ReadonlyArray<string> = [
  ...searchFields.keys(),
  "custom_attributes.<name>"
]

const customPrefix = "custom_attributes."

type JsonObject = Record<string, unknown>
const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const invalid = (field: string, message: string): IntercomApiError =>
  apiError(400, "parameter_invalid", message, field)

const fromProblem = (problem: FieldProblem): IntercomApiError =>
  apiError(400, problem.code, problem.message, problem.field)

export type ContactPredicate = (contact: ContactRecord) => boolean

export interface ContactSearch {
  readonly matches: ContactPredicate
  readonly perPage: number
  readonly startingAfter?: string
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
const customField = (name: string, value: unknown): SearchField => {
  const sample = Array.isArray(value) ? value[0] : value
  const type: SearchFieldType =
    typeof sample === "number" ? "integer" : typeof sample === "boolean" ? "boolean" : "string"
  return {
    type,
    read: (contact) => {
      const stored = contact.custom_attributes[name]
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
const compileFilter = (
  field: SearchField,
  fieldName: string,
  operator: string,
  value: unknown,
  at: string,
  dayOf: (unixSeconds: number) => string
): ContactPredicate => {
  const valueAt = `${at}.value`
  const caseless = field.caseless === true
  const negate =
    (predicate: ContactPredicate): ContactPredicate =>
    (contact) =>
      !predicate(contact)

  if (value === null) {
    if (operator !== "=" && operator !== "!=") {
      throw invalid(valueAt, `${valueAt} may be null only with = and != (is unknown, has any value)`)
    }
    const unknown: ContactPredicate = (contact) => {
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
    const within: ContactPredicate = (contact) => {
      const stored = field.read(contact)
      return stored !== null && !Array.isArray(stored) && wanted.has(fold(stored as Scalar, caseless))
    }
    return operator === "IN" ? within : negate(within)
  }
  if (Array.isArray(value)) throw invalid(valueAt, `${valueAt} may be an array only for IN and NIN`)
  const operand = fold(operandOf(field.type, value, fieldName, valueAt), caseless)

  if (field.type === "id-set") {
    const holds: ContactPredicate = (contact) => {
      const stored = field.read(contact)
      return Array.isArray(stored) && stored.includes(operand as string)
    }
    return operator === "=" ? holds : negate(holds)
  }

  if (field.type === "date") {
    const day = dayOf(operand as number)
    const sameDayOr = (test: (storedDay: string) => boolean): ContactPredicate => {
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

  const scalar = (contact: ContactRecord): Scalar | null => {
    const stored = field.read(contact)
    return stored === null || Array.isArray(stored) ? null : fold(stored as Scalar, caseless)
  }
  const positive = (test: (stored: Scalar) => boolean): ContactPredicate => {
    return (contact) => {
      const stored = scalar(contact)
      return stored !== null && test(stored)
    }
  }
  const textTest = (test: (stored: string, wanted: string) => boolean): ContactPredicate =>
    positive((stored) => typeof stored === "string" && test(stored, operand as string))
  const numberTest = (test: (stored: number, wanted: number) => boolean): ContactPredicate =>
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

const compileQuery = (
  node: unknown,
  at: string,
  groupDepth: number,
  schemas: SpecSchemas,
  dayOf: (unixSeconds: number) => string
): ContactPredicate => {
  if (!isObject(node)) throw invalid(at, `${at} must be an object: a filter or an AND/OR group`)

  if (isGroup(node)) {
    if (groupDepth >= maxGroupNesting) {
      throw invalid(at, `${at} nests AND/OR groups deeper than Intercom allows (${maxGroupNesting} levels)`)
    }
    // The group's own fields against its schema, its members one by one below (each by its own shape
    // and path): the spec's `oneOf` over the members' kinds cannot tell them apart from 2.12 on.
    const { value: members, ...own } = node
    const problem = schemas.validateComponent("multiple_filter_search_request", own, at)
    if (problem !== undefined) throw fromProblem(problem)
    if (members === undefined || members === null)
      throw apiError(400, "parameter_not_found", `${at}.value is required`, `${at}.value`)
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
      compileQuery(member, `${at}.value[${index}]`, groupDepth + 1, schemas, dayOf)
    )
    return node.operator === "AND"
      ? (contact) => compiled.every((predicate) => predicate(contact))
      : (contact) => compiled.some((predicate) => predicate(contact))
  }

  // An empty IN list would pass the spec's schema only ambiguously (both array branches): say why.
  if (Array.isArray(node.value) && node.value.length === 0) {
    throw invalid(`${at}.value`, `${at}.value must hold at least one value`)
  }
  const problem = schemas.validateComponent("single_filter_search_request", node, at)
  if (problem !== undefined) throw fromProblem(problem)
  for (const key of ["field", "operator", "value"] as const) {
    if (!(key in node)) throw apiError(400, "parameter_not_found", `${at}.${key} is required`, `${at}.${key}`)
  }
  const fieldName = node.field as string
  const operator = node.operator as string
  const field = fieldName.startsWith(customPrefix)
    ? fieldName.length > customPrefix.length
      ? customField(fieldName.slice(customPrefix.length), node.value)
      : undefined
    : searchFields.get(fieldName)
  if (field === undefined) {
    throw invalid(`${at}.field`, `${at}.field "${fieldName}" is not a searchable contact field`)
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
 * Reads a `search_request` body: the query as a predicate, and the page asked for. Throws the
 * `IntercomApiError` Intercom would answer with (400 `error.list`, naming the field).
 */
export const parseContactSearch = (body: unknown, schemas: SpecSchemas, timeZone: string): ContactSearch => {
  if (!isObject(body) || !("query" in body)) {
    const problem = schemas.validateRequestBody("SearchContacts", body)
    throw problem === undefined
      ? apiError(400, "parameter_not_found", "query is required", "query")
      : fromProblem(problem)
  }
  let perPage = defaultSearchPerPage
  let startingAfter: string | undefined
  const pagination = body.pagination
  if (pagination !== undefined && pagination !== null) {
    const problem = schemas.validateComponent("starting_after_paging", pagination, "pagination")
    if (problem !== undefined) throw fromProblem(problem)
    // Only 2.11's description requires per_page; the others default it as Intercom does.
    const paging = pagination as { readonly per_page?: number; readonly starting_after?: string | null }
    perPage = paging.per_page ?? defaultSearchPerPage
    if (perPage < 1 || perPage > maxSearchPerPage) {
      throw invalid("pagination.per_page", `pagination.per_page must be between 1 and ${maxSearchPerPage}`)
    }
    if (typeof paging.starting_after === "string") startingAfter = paging.starting_after
  }
  // Not the whole body against `search_request` afterwards: its `oneOf` between a filter and a group
  // refuses valid groups from 2.12 on (both branches match); each node was checked by its kind instead.
  const matches = compileQuery(body.query, "query", 0, schemas, dayKeys(timeZone))
  return { matches, perPage, ...(startingAfter === undefined ? {} : { startingAfter }) }
}
