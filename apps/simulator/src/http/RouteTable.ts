/**
 * The API's routes, derived from the operations of every pinned description (never restated by hand):
 * one route per method and path shape, named by Intercom's operationId in each version that has it.
 * Path parameters are named as the newest version names them (2.10, 2.12 and 2.13 say `{id}` where
 * the others say `{contact_id}`; the URL on the wire is the same).
 */
import { compareVersions } from "@taskjuice/intercom-client"
import type { OperationTables } from "../spec/Descriptions.ts"

export interface ApiRoute {
  readonly method: string
  /** Intercom's path template, e.g. `/conversations/{conversation_id}/reply`. */
  readonly template: string
  /** The same path as the router writes it: `/conversations/:conversation_id/reply`. */
  readonly routerPath: `/${string}`
  /** The route's operationId in each version that has it. */
  readonly operations: ReadonlyMap<string, string>
  /** The operationId of the newest version that has it (what faults and stats name the route by). */
  readonly operationId: string
}

/** The path with its parameter names blanked: `/contacts/{}`. */
export const pathShape = (template: string): string => template.replace(/\{[^}]*\}/g, "{}")

export const routerPath = (template: string): `/${string}` =>
  template.replace(/\{([^}]*)\}/g, ":$1") as `/${string}`

const computed = new WeakMap<OperationTables, ReadonlyArray<ApiRoute>>()

/** The routes of the tables (computed once per tables: every simulator of a process shares them). */
export const routeTable = (tables: OperationTables): ReadonlyArray<ApiRoute> => {
  const known = computed.get(tables)
  if (known !== undefined) return known
  const routes = layOut(tables)
  computed.set(tables, routes)
  return routes
}

const layOut = (tables: OperationTables): ReadonlyArray<ApiRoute> => {
  const byShape = new Map<
    string,
    { method: string; template: string; newest: string; operations: Map<string, string> }
  >()
  const versions = Object.keys(tables).sort(compareVersions)
  for (const version of versions) {
    for (const [operationId, { method, path }] of Object.entries(tables[version] ?? {})) {
      const key = `${method} ${pathShape(path)}`
      const entry = byShape.get(key)
      if (entry === undefined) {
        byShape.set(key, {
          method,
          template: path,
          newest: operationId,
          operations: new Map([[version, operationId]])
        })
      } else {
        // Versions come oldest first: the last seen names the parameters and the route.
        entry.template = path
        entry.newest = operationId
        entry.operations.set(version, operationId)
      }
    }
  }
  return [...byShape.values()].map(({ method, template, newest, operations }) => ({
    method,
    template,
    routerPath: routerPath(template),
    operations,
    operationId: newest
  }))
}
