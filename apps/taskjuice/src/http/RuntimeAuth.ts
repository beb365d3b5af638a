/**
 * The runtime API's middleware: every request carries `Authorization: Bearer <token>` with the host's
 * runtime token (compared in constant time), and a request with a body declares it as JSON. No CORS
 * headers are ever sent, so a browser on another origin can neither read an answer nor send the
 * header without a preflight, which gets METHOD_NOT_ALLOWED.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Redacted from "effect/Redacted"
import { HostContext } from "./HostContext.ts"
import { refuse } from "./Respond.ts"

// Digests first, so the comparison takes as long whatever the lengths.
const digest = (text: string) => createHash("sha256").update(text).digest()

export const tokenMatches = (given: string, expected: Redacted.Redacted<string>): boolean =>
  timingSafeEqual(digest(given), digest(Redacted.value(expected)))

const bearer = /^Bearer +(\S+)\s*$/i

const mediaType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase()

export const requireRuntimeToken = <E, R>(
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const { runtimeToken } = yield* HostContext
    const header = request.headers.authorization
    if (header === undefined || header === "")
      return yield* refuse({ _tag: "RuntimeTokenInvalid", problem: "missing" })
    const match = bearer.exec(header)
    if (match === null) return yield* refuse({ _tag: "RuntimeTokenInvalid", problem: "malformed" })
    if (!tokenMatches(match[1]!, runtimeToken)) {
      return yield* refuse({ _tag: "RuntimeTokenInvalid", problem: "mismatch" })
    }
    if (request.method === "POST") {
      const contentType = request.headers["content-type"]
      if (mediaType(contentType) !== "application/json") {
        return yield* refuse({ _tag: "UnsupportedMediaType", contentType })
      }
    }
    return yield* handler
  })
