/**
 * Intercom's cursor pagination over records in creation order: forward-only pages, `starting_after`
 * an opaque cursor (here the base64url of the last id shown), a count of everything that matched, and
 * no pages at all when nothing did (as Intercom's own example answers show).
 */
import * as Effect from "effect/Effect"
import { InvalidField, invalidField } from "./DomainError.ts"

export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly totalCount: number
  readonly page: number
  readonly perPage: number
  readonly totalPages: number
  /** The cursor of the next page, when there is one. */
  readonly startingAfter: string | null
}

export interface PageRequest {
  readonly perPage: number
  /** A page number (1 first); ignored when `startingAfter` is given. */
  readonly page?: number | undefined
  readonly startingAfter?: string | undefined
  /** How the cursor is named in the request, for the error when it is not one of ours. */
  readonly cursorField: string
}

const cursorAfter = (id: string | undefined, more: boolean): string | null =>
  id !== undefined && more ? Buffer.from(id, "utf8").toString("base64url") : null

export class CreationOrder<R extends { readonly id: string }> {
  /** A page, or the cursor's refusal, as an Effect. */
  static result<A>(page: Page<A> | InvalidField): Effect.Effect<Page<A>, InvalidField> {
    return page instanceof InvalidField ? Effect.fail(page) : Effect.succeed(page)
  }

  private readonly order: Array<string> = []
  private readonly position = new Map<string, number>()
  private readonly lookup: (id: string) => R | undefined

  constructor(lookup: (id: string) => R | undefined) {
    this.lookup = lookup
  }

  add(id: string): void {
    if (this.position.has(id)) return
    this.position.set(id, this.order.length)
    this.order.push(id)
  }

  get size(): number {
    return this.order.length
  }

  /** A page of every record. */
  page(request: PageRequest): Page<R> | InvalidField {
    const total = this.order.length
    let start = 0
    let page = 1
    if (request.startingAfter !== undefined) {
      const after = this.positionAfter(request.startingAfter, request.cursorField)
      if (typeof after !== "number") return after
      start = after
      page = Math.floor(start / request.perPage) + 1
    } else if (request.page !== undefined) {
      page = request.page
      start = (page - 1) * request.perPage
    }
    const ids = this.order.slice(start, start + request.perPage)
    const data = ids.map(this.lookup).filter((record): record is R => record !== undefined)
    return {
      data,
      totalCount: total,
      page,
      perPage: request.perPage,
      totalPages: Math.ceil(total / request.perPage),
      startingAfter: cursorAfter(data.at(-1)?.id, start + ids.length < total)
    }
  }

  /**
   * A page of the records `matches` accepts, counted in full. A cursor stays good when its record no
   * longer matches.
   */
  search(matches: (record: R) => boolean, request: PageRequest): Page<R> | InvalidField {
    const start =
      request.startingAfter === undefined ? 0 : this.positionAfter(request.startingAfter, request.cursorField)
    if (typeof start !== "number") return start
    const data: Array<R> = []
    let before = 0
    let after = 0
    for (let position = 0; position < this.order.length; position++) {
      const record = this.lookup(this.order[position]!)
      if (record === undefined || !matches(record)) continue
      if (position < start) before++
      else if (data.length < request.perPage) data.push(record)
      else after++
    }
    const total = before + data.length + after
    return {
      data,
      totalCount: total,
      page: Math.floor(before / request.perPage) + 1,
      perPage: request.perPage,
      totalPages: Math.ceil(total / request.perPage),
      startingAfter: cursorAfter(data.at(-1)?.id, after > 0)
    }
  }

  private positionAfter(cursor: string, field: string): number | InvalidField {
    const position = this.position.get(Buffer.from(cursor, "base64url").toString("utf8"))
    return position === undefined
      ? invalidField(field, `${field} is not a cursor from this list`)
      : position + 1
  }
}
