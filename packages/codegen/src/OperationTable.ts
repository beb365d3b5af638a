/**
 * The operation table: every operationId of a description mapped to its HTTP method and path,
 * so callers and reports can speak of operations rather than of version-specific paths.
 */
export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"

export interface OperationEntry {
  readonly method: HttpMethod
  readonly path: string
}

const methods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

export const operationTable = (document: {
  readonly paths?: Record<string, Record<string, unknown>>
}): Readonly<Record<string, OperationEntry>> => {
  const table: Record<string, OperationEntry> = {}
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of methods) {
      const operation = item[method] as { operationId?: string } | undefined
      if (operation?.operationId !== undefined) {
        table[operation.operationId] = { method: method.toUpperCase() as HttpMethod, path }
      }
    }
  }
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)))
}
