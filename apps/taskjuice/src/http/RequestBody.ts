/**
 * Reading a request body within the host's limits: the declared length is checked before a byte is
 * read, the bytes read are capped (Effect's `MaxBodySize`), and a JSON body's depth and member count
 * are checked on the raw bytes before it is parsed.
 */
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import { checkJsonShape, type HostLimits, limitFlags } from "./Limits.ts"
import { refuse } from "./Respond.ts"

const tooLarge = (limits: HostLimits) =>
  refuse({ _tag: "BodyTooLarge", max: limits.bodyBytes, flag: limitFlags.bodyBytes })

/** The raw body, or LIMIT_EXCEEDED (bodyBytes). */
export const readBody = (limits: HostLimits) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (Number.isFinite(declared) && declared > limits.bodyBytes) return yield* tooLarge(limits)
    const read = yield* Effect.result(
      request.arrayBuffer.pipe(
        Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(limits.bodyBytes))
      )
    )
    if (read._tag === "Success") return new Uint8Array(read.success)
    const reason = read.failure.reason
    if (reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge")
      return yield* tooLarge(limits)
    return yield* Effect.fail(read.failure)
  })

/** The body's JSON shape within jsonDepth and jsonMembers, or LIMIT_EXCEEDED naming which. */
export const checkShape = (bytes: Uint8Array, limits: HostLimits) => {
  const exceeded = checkJsonShape(bytes, limits)
  return exceeded === undefined
    ? Effect.void
    : refuse({ _tag: "JsonShape", exceeded, flag: limitFlags[exceeded.limit] })
}

/** A JSON object body, within every limit, or the refusal that says what is wrong. */
export const readJsonObject = (limits: HostLimits, expected: string) =>
  Effect.gen(function* () {
    const bytes = yield* readBody(limits)
    yield* checkShape(bytes, limits)
    let parsed: unknown
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
    } catch {
      return yield* refuse({ _tag: "BodyInvalid", expected })
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return yield* refuse({ _tag: "BodyInvalid", expected })
    }
    return parsed as Record<string, unknown>
  })
