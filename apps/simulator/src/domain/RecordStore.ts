/**
 * What every store of one kind of record answers the same way: how many there are, each one, one by
 * id (`find`, or `get` failing with `NotFound` for that resource), and the page of them in creation
 * order. The stores add Intercom's rules for their own kind.
 */
import * as Effect from "effect/Effect"
import { CreationOrder, type Page, type PageRequest } from "./CreationOrder.ts"
import { type InvalidField, type NotFound, notFound, type Resource } from "./DomainError.ts"

export abstract class RecordStore<R extends { readonly id: string }> {
  protected readonly byId = new Map<string, R>()
  protected readonly order = new CreationOrder<R>((id) => this.byId.get(id))
  private readonly resource: Resource

  constructor(resource: Resource) {
    this.resource = resource
  }

  get size(): number {
    return this.byId.size
  }

  values(): IterableIterator<R> {
    return this.byId.values()
  }

  find(id: string): R | undefined {
    return this.byId.get(id)
  }

  get(id: string): Effect.Effect<R, NotFound> {
    const record = this.byId.get(id)
    return record === undefined ? Effect.fail(notFound(this.resource, id)) : Effect.succeed(record)
  }

  /** Every record, a page at a time, in creation order. */
  list(request: PageRequest): Effect.Effect<Page<R>, InvalidField> {
    return Effect.suspend(() => CreationOrder.result(this.order.page(request)))
  }

  /** The records `matches` accepts, paged like `list`. */
  search(matches: (record: R) => boolean, request: PageRequest): Effect.Effect<Page<R>, InvalidField> {
    return Effect.suspend(() => CreationOrder.result(this.order.search(matches, request)))
  }

  /** Keeps a record (new or changed) in the store's map and creation order. */
  protected put(record: R): void {
    this.byId.set(record.id, record)
    this.order.add(record.id)
  }
}
