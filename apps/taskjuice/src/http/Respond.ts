/**
 * How a route answers: JSON with `cache-control: no-store`, every failure through the error table as
 * `{"error": StepError}`, and a guard around each handler so a defect becomes a logged INTERNAL answer
 * instead of a dropped connection or a crash.
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { answerOf, type ErrorAnswer, type HostFailure, resolveFailure, type StepError } from "../StepError.ts"

/** A request the host refuses, with the table's reason. */
export class Refusal extends Data.TaggedError("Refusal")<{ readonly failure: HostFailure }> {}

export const refuse = (failure: HostFailure) => Effect.fail(new Refusal({ failure }))

const noStore = Headers.fromInput({ "cache-control": "no-store" })

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>) =>
  HttpServerResponse.jsonUnsafe(body, {
    status,
    headers: headers === undefined ? noStore : { "cache-control": "no-store", ...headers }
  })

const answer = ({ status, error, headers }: ErrorAnswer) => json(status, { error }, headers)

export const failureResponse = (failure: HostFailure): HttpServerResponse.HttpServerResponse =>
  answer(resolveFailure(failure))

export const stepErrorResponse = (error: StepError): HttpServerResponse.HttpServerResponse =>
  answer(answerOf(error))

/** Where a route's unexpected failure is told; it must not throw. */
export type FailureLog = (entry: {
  readonly event: string
  readonly path: string
  readonly error: string
}) => void

const pathOf = (request: HttpServerRequest.HttpServerRequest) => request.url.split("?")[0] ?? ""

/**
 * Answers a refusal from the table, and anything else (a defect, a failure no route expected) as
 * INTERNAL after logging it without its values. Interruption (the client went away) stays interruption.
 */
export const guard =
  (log: FailureLog) =>
  <E, R>(
    handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
    handler.pipe(
      Effect.catchCause((cause) => {
        if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
        const refusal = cause.reasons.find(
          (reason) => reason._tag === "Fail" && reason.error instanceof Refusal
        )
        if (refusal?._tag === "Fail")
          return Effect.succeed(failureResponse((refusal.error as Refusal).failure))
        return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          Effect.sync(() => {
            const squashed = Cause.squash(cause)
            try {
              log({
                event: "request-failed",
                path: pathOf(request),
                error:
                  squashed instanceof Error ? `${squashed.name}: ${squashed.message}` : "non-error failure"
              })
            } catch {
              // The log itself failed; the answer still goes out.
            }
            return failureResponse({ _tag: "Defect", action: undefined })
          })
        )
      })
    )

type Method = "GET" | "POST" | "HEAD"

/**
 * One path's handlers by method. HEAD is answered by GET's handler unless given; any other method
 * gets METHOD_NOT_ALLOWED with `Allow`.
 */
export const byMethod = <E, R>(
  handlers: Partial<Record<Method, Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>>>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E | Refusal,
  R | HttpServerRequest.HttpServerRequest
> => {
  const allowed = Object.keys(handlers) as Array<Method>
  if (handlers.GET !== undefined && handlers.HEAD === undefined) allowed.push("HEAD")
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const method = request.method as Method
    const handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E | Refusal, R> | undefined =
      handlers[method] ?? (method === "HEAD" ? handlers.GET : undefined)
    return handler ?? refuse({ _tag: "MethodNotAllowed", method: request.method, allowed })
  })
}
