/** Runtime API calls from the tests: the host's bearer token, and JSON bodies declared as JSON. */
import { type BundleHost, runtimeAuthorization } from "../../src/BundleHost.ts"

export const runtimeFetch = (
  host: BundleHost,
  path: string,
  init: { method?: string; body?: unknown } = {}
) =>
  fetch(`${host.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...runtimeAuthorization(host.runtimeToken),
      ...(init.body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
