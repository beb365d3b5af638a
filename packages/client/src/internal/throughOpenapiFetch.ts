/**
 * The way out through openapi-fetch's own client, made with its public `createClient` and a `fetch`
 * over the same transport: for a call that needs WHATWG Requests (middleware, a `fetch` of the
 * caller's, the `onResponse` observer) or an option only openapi-fetch reads. Our headers are set by
 * a middleware that runs after every other one, on what goes out; its onResponse runs first.
 */
import createClient, { type Middleware } from "openapi-fetch"
import type { paths } from "../generated/intercom.ts"
import { type RateLimit, readRateLimit } from "../RateLimit.ts"
import { undiciFetch } from "../Transport.ts"
import type { Seam, Send } from "./call.ts"

export interface Observation {
  readonly request: Request
  readonly response: Response
  readonly rateLimit: RateLimit | undefined
}

export interface ThroughOpenapiFetch {
  readonly send: Send
  readonly use: (...middleware: ReadonlyArray<Middleware>) => void
  readonly eject: (...middleware: ReadonlyArray<Middleware>) => void
  /** Whether any middleware is registered (every call must then come this way). */
  readonly hasMiddleware: () => boolean
}

export const throughOpenapiFetch = (
  seam: Seam,
  options: {
    readonly fetch: ((request: Request) => Promise<Response>) | undefined
    readonly onResponse: ((observation: Observation) => void) | undefined
  }
): ThroughOpenapiFetch => {
  const intercom: Middleware = {
    onRequest: ({ request }) => {
      for (const [name, value] of Object.entries(seam.intercomHeaders())) request.headers.set(name, value)
    },
    onResponse: ({ request, response }) => {
      const rateLimit = seam.observe(readRateLimit(response.headers))
      options.onResponse?.({ request, response, rateLimit })
    }
  }
  const client = createClient<paths, "application/json">({
    baseUrl: seam.baseUrl,
    fetch: options.fetch ?? undiciFetch
  })
  // What `use` registered, as openapi-fetch holds it (the same middleware may be there twice).
  const registered: Array<Middleware> = []
  return {
    send: async (method, path, init) => {
      const middleware = [...(init?.middleware ?? []), intercom]
      const result = await client.request(method as "get", path as never, { ...init, middleware } as never)
      const { response } = result
      return { ...result, status: response.status, rateLimit: readRateLimit(response.headers) }
    },
    use: (...middleware) => {
      for (const each of middleware) {
        client.use(each)
        if (each) registered.push(each)
      }
    },
    eject: (...middleware) => {
      client.eject(...middleware)
      for (const each of middleware) {
        const index = registered.indexOf(each)
        if (index !== -1) registered.splice(index, 1)
      }
    },
    hasMiddleware: () => registered.length > 0
  }
}
