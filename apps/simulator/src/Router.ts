/**
 * A small method + path router: templates like `/contacts/{contact_id}`, segments matched exactly
 * or captured. Enough for a dozen routes, and fast (no regular expressions per request).
 */

export interface Route<H> {
  readonly method: string
  /** Intercom's path template, e.g. `/conversations/{conversation_id}/reply`. */
  readonly template: string
  readonly handler: H
}

export type RouteMatch<H> =
  | { readonly _tag: "Found"; readonly route: Route<H>; readonly params: Readonly<Record<string, string>> }
  | { readonly _tag: "MethodNotAllowed"; readonly allowed: ReadonlyArray<string> }
  | { readonly _tag: "NotFound" }

interface Compiled<H> {
  readonly route: Route<H>
  readonly segments: ReadonlyArray<{ readonly literal: string } | { readonly param: string }>
}

const split = (path: string): Array<string> => path.split("/").filter((segment) => segment !== "")

export class Router<H> {
  private readonly routes: Array<Compiled<H>> = []

  add(method: string, template: string, handler: H): this {
    const segments = split(template).map((segment) =>
      segment.startsWith("{") && segment.endsWith("}")
        ? { param: segment.slice(1, -1) }
        : { literal: segment }
    )
    this.routes.push({ route: { method: method.toUpperCase(), template, handler }, segments })
    return this
  }

  match(method: string, path: string): RouteMatch<H> {
    const parts = split(path)
    const allowed: Array<string> = []
    for (const { route, segments } of this.routes) {
      if (segments.length !== parts.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < segments.length && ok; i++) {
        const segment = segments[i]!
        const part = parts[i]!
        if ("literal" in segment) ok = segment.literal === part
        else params[segment.param] = decodeURIComponent(part)
      }
      if (!ok) continue
      if (route.method === method) return { _tag: "Found", route, params }
      allowed.push(route.method)
    }
    return allowed.length > 0 ? { _tag: "MethodNotAllowed", allowed } : { _tag: "NotFound" }
  }
}
