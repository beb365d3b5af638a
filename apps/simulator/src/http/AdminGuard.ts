/**
 * The admin API signs webhooks with the app's real client secret and sends them where it is told,
 * so no other web page may drive it. A request to `/_sim/*` must:
 *
 * - name this server in `Host` (a page on another name that resolves to loopback, DNS rebinding, is
 *   refused), and come from no other site (`Origin`, `Sec-Fetch-Site`);
 * - carry the run's admin token in `X-Sim-Admin-Token` (the dashboard reads it from the page it is
 *   served with, the CLI from the run's state directory); only `GET /_sim/health` and the read-only
 *   event stream (which `EventSource` cannot send headers on) go without;
 * - when it has a body, send JSON (`Content-Type: application/json`), which a cross-site form or
 *   `text/plain` fetch cannot do without a CORS preflight this server never answers. A `DELETE`
 *   without a body needs no type: no form sends one, and a cross-site fetch of it is preflighted too.
 */
import { timingSafeEqual } from "node:crypto"
import * as Data from "effect/Data"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Redacted from "effect/Redacted"

export const adminTokenHeader = "x-sim-admin-token"

/** Why an admin request was refused: the status and a message that says what to send instead. */
export class AdminRefused extends Data.TaggedError("AdminRefused")<{
  readonly status: 401 | 403 | 415
  readonly code: string
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

const refuse = (status: 401 | 403 | 415, code: string, message: string) =>
  new AdminRefused({ status, code, message, reason: "NotRetryable" })

const loopbackNames = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export interface AdminGuardOptions {
  readonly token: Redacted.Redacted<string>
  /** The port the server listens on (what `Host` must name). */
  readonly port: () => number
  /** The interface bound; a wildcard (`0.0.0.0`, `::`) accepts any host name, the token still applies. */
  readonly host: string
}

const hasBody = (headers: HttpServerRequest.HttpServerRequest["headers"]): boolean =>
  headers["transfer-encoding"] !== undefined || (headers["content-length"] ?? "0") !== "0"

const tokenFree = new Set(["/_sim/health", "/_sim/events"])

/** The refusal for an admin request, or undefined when it may go on. */
export const checkAdminRequest = (
  options: AdminGuardOptions,
  request: HttpServerRequest.HttpServerRequest,
  path: string
): AdminRefused | undefined => {
  const headers = request.headers
  const wildcard = options.host === "0.0.0.0" || options.host === "::"
  const host = headers.host ?? ""
  const colon = host.lastIndexOf(":")
  const name = colon > host.lastIndexOf("]") ? host.slice(0, colon) : host
  const port = colon > host.lastIndexOf("]") ? host.slice(colon + 1) : "80"
  if (!wildcard && (port !== String(options.port()) || !(loopbackNames.has(name) || name === options.host))) {
    return refuse(403, "forbidden_host", `The admin API answers only at its own address, not "${host}"`)
  }
  const site = headers["sec-fetch-site"]
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return refuse(403, "cross_origin", `The admin API refuses ${site} requests: use the dashboard or the CLI`)
  }
  const origin = headers.origin
  if (origin !== undefined && origin !== `http://${host}`) {
    return refuse(
      403,
      "cross_origin",
      `The admin API refuses requests from ${origin}: use the dashboard or the CLI`
    )
  }
  const read = request.method === "GET" || request.method === "HEAD"
  if (!(read && tokenFree.has(path))) {
    const given = headers[adminTokenHeader]
    if (given === undefined || !sameText(given, Redacted.value(options.token))) {
      return refuse(
        401,
        "admin_token_required",
        "The admin API needs the run's admin token in X-Sim-Admin-Token (the dashboard page carries it; " +
          "the CLI reads <state dir>/admin-token, or pass --admin-token)"
      )
    }
  }
  if (!read && !(request.method === "DELETE" && !hasBody(headers))) {
    const type = headers["content-type"] ?? ""
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return refuse(
        415,
        "unsupported_media_type",
        `The admin API takes JSON bodies (Content-Type: application/json), not "${type || "none"}"`
      )
    }
  }
  return undefined
}
