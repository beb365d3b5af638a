/**
 * The Intercom API as a service: the typed client from `@taskjuice/intercom-client` plus what every
 * call needs — client-side rate limiting per workspace, a per-request timeout, cancellation through
 * interruption (the AbortSignal reaches the transport), the answer checked against its Schema, and
 * one mapping of every failure to `IntercomError`.
 */
import { createHash } from "node:crypto"
import {
  createIntercomClient,
  type IntercomClient,
  type OperationId,
  type RateLimit,
  type Region
} from "@taskjuice/intercom-client"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { makeDeadlines } from "../internal/deadlines.ts"
import { type AnswerFits, type AnswerSchema, checkerOf } from "./Answer.ts"
import { Decode, IntercomError, reasonFromResponse, requestIdFrom, Transport } from "./IntercomError.ts"
import { RateLimiter, type RateLimiterShape } from "./RateLimiter.ts"

export interface IntercomApiOptions {
  readonly accessToken: Redacted.Redacted<string>
  /** The workspace's region (default "us"); ignored when `baseUrl` is given. */
  readonly region?: Region
  /** Overrides the regional host, e.g. a local simulator. */
  readonly baseUrl?: string
  /** `Intercom-Version` to send; defaults to the version this build was generated for. */
  readonly version?: string
  /** How long one HTTP request may take before it is abandoned (default 30 s). */
  readonly requestTimeout?: Duration.Input
  readonly userAgent?: string
}

/** What a call declares about itself. */
export interface CallOptions<A, Op extends OperationId = OperationId> {
  /** The Intercom operationId, named in errors and logs. */
  readonly operation: Op
  /** Whether the call may be repeated after it may have reached Intercom (see `IntercomError.retryable`). */
  readonly idempotent: boolean
  /** What a successful answer must hold; one that does not is a `Decode` failure naming the fields. */
  readonly answer: AnswerSchema<A>
}

/**
 * What the client answers with: openapi-fetch's `data` on success, `error` otherwise, the response,
 * and the status and rate-limit reading (read without building the response, which the client
 * builds only when it is read: here, on a failure).
 */
export interface FetchResult<D> {
  readonly data?: D
  readonly error?: unknown
  readonly response: Response
  readonly status: number
  readonly rateLimit: RateLimit | undefined
}

export interface IntercomApiShape {
  readonly client: IntercomClient
  /** The `Intercom-Version` sent with every request. */
  readonly version: string
  /** The rate-limiter key of this workspace: derived from the token, never the token itself. */
  readonly workspaceKey: string
  readonly requestTimeout: Duration.Duration
  /**
   * Sends one request through the limiter, with the timeout, checks the answer against
   * `options.answer` and maps every failure.
   */
  readonly call: <A, Op extends OperationId>(
    options: CallOptions<A, Op>,
    send: (client: IntercomClient, signal: AbortSignal) => Promise<FetchResult<unknown>>,
    ..._answerFits: AnswerFits<Op, A>
  ) => Effect.Effect<A, IntercomError, RateLimiter>
}

export const defaultRequestTimeout = Duration.seconds(30)

/** A stable, non-reversible key per token, so each workspace gets its own rate-limit budget. */
export const workspaceKeyOf = (accessToken: Redacted.Redacted<string>): string =>
  `intercom:${createHash("sha256").update(Redacted.value(accessToken)).digest("hex").slice(0, 24)}`

const errorCode = (cause: unknown): string | undefined => {
  for (let current: unknown = cause, depth = 0; depth < 4; depth++) {
    if (typeof current !== "object" || current === null) return undefined
    const code: unknown = Reflect.get(current, "code")
    if (typeof code === "string") return code
    current = Reflect.get(current, "cause")
  }
  return undefined
}

/** The request failed without an answer: a refused connection provably carried nothing; anything else may have. */
export const transportReason = (cause: unknown): Transport | Decode => {
  if (cause instanceof SyntaxError) return new Decode({ message: "the response body is not valid JSON" })
  const code = errorCode(cause)
  if (code === "ECONNREFUSED") return new Transport({ kind: "refused" })
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT")
    return new Transport({ kind: "timeout" })
  return new Transport({ kind: "network" })
}

export const make = (options: IntercomApiOptions): IntercomApiShape => {
  const client = createIntercomClient({
    accessToken: options.accessToken,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent })
  })
  const workspaceKey = workspaceKeyOf(options.accessToken)
  const requestTimeout = Duration.fromInputUnsafe(options.requestTimeout ?? defaultRequestTimeout)

  const deadlines = makeDeadlines(Duration.toMillis(requestTimeout), timedOut)

  const call = <A>(
    callOptions: CallOptions<A>,
    send: (client: IntercomClient, signal: AbortSignal) => Promise<FetchResult<unknown>>,
    // The compile-time proof (see `AnswerFits`) has no value at run time.
    ..._answerFits: ReadonlyArray<never>
  ): Effect.Effect<A, IntercomError, RateLimiter> => {
    const check = checkerOf(callOptions.answer)
    const fail = (reason: IntercomError["reason"], response?: Response, body?: unknown) =>
      new IntercomError({
        reason,
        operation: callOptions.operation,
        idempotent: callOptions.idempotent,
        ...(response === undefined ? {} : { status: response.status }),
        ...(response === undefined ? {} : withRequestId(requestIdFrom(body, response.headers)))
      })
    const failed = (error: IntercomError) =>
      Effect.andThen(Effect.logDebug(error.message), Effect.fail(error))
    /** What the answer means: the checked value, or the failure, after the limiter has learnt from it. */
    const answered = (
      limiter: RateLimiterShape,
      clock: Clock.Clock,
      result: FetchResult<unknown>
    ): Effect.Effect<A, IntercomError> => {
      const { status } = result
      const rateLimited = status === 429
      // `undefined` when the limiter took the reading at once (it needs no store round trip).
      const observed =
        limiter.tryObserveUnsafe?.(
          workspaceKey,
          result.rateLimit,
          rateLimited,
          clock.currentTimeMillisUnsafe()
        ) === true
          ? undefined
          : limiter.observe(workspaceKey, result.rateLimit, rateLimited)
      const then = <X>(outcome: Effect.Effect<X, IntercomError>) =>
        observed === undefined ? outcome : Effect.andThen(observed, outcome)
      if (status >= 200 && status < 300) {
        const checked =
          result.data === undefined ? Result.fail("the response has no body") : check(result.data)
        return Result.isSuccess(checked)
          ? then(Effect.succeed(checked.success))
          : then(failed(fail(new Decode({ message: checked.failure }), result.response)))
      }
      return then(
        Effect.suspend(() =>
          failed(
            fail(
              reasonFromResponse(
                status,
                result.error,
                result.response.headers,
                clock.currentTimeMillisUnsafe()
              ),
              result.response,
              result.error
            )
          )
        )
      )
    }
    /**
     * One granted request under the request timeout and the fiber's interruption, as a single
     * suspension that resumes with the call's outcome: one AbortController serves both, the timeout is
     * this service's shared line of deadlines, interruption aborts it through the callback's canceller,
     * and a request that got no answer frees its reservation. This is every request's hot path, where
     * a forked race, a second controller, a timer per request, a promise-wrapping layer or a chain of
     * Effects around the request each cost more than the client's own work.
     */
    const exchange = (limiter: RateLimiterShape, clock: Clock.Clock) =>
      Effect.callback<A, IntercomError>((resume) => {
        const controller = new AbortController()
        const deadline = deadlines.start(controller)
        // Once cancelled, an answer that still comes is not the limiter's to learn from: it was released.
        let cancelled = false
        let sent: Promise<FetchResult<unknown>>
        try {
          sent = send(client, controller.signal)
        } catch (cause) {
          sent = Promise.reject(cause)
        }
        sent.then(
          (result) => {
            deadlines.settled(deadline)
            if (!cancelled) resume(answered(limiter, clock, result))
          },
          (cause: unknown) => {
            deadlines.settled(deadline)
            const reason = cause === timedOut ? new Transport({ kind: "timeout" }) : transportReason(cause)
            resume(Effect.andThen(limiter.release(workspaceKey), Effect.fail(fail(reason))))
          }
        )
        return Effect.suspend(() => {
          cancelled = true
          deadlines.settled(deadline)
          controller.abort()
          return limiter.release(workspaceKey)
        })
      })
    // The limiter and the Clock read from the fiber in one step; a request the limiter grants at once
    // goes straight out. Only a granted request is released: a wait that is interrupted reserved nothing.
    return Effect.withFiber<A, IntercomError, RateLimiter>((fiber) => {
      const limiter = Context.getUnsafe(fiber.context, RateLimiter)
      const clock = fiber.getRef(Clock.Clock)
      return limiter.tryAcquireUnsafe?.(workspaceKey, clock.currentTimeMillisUnsafe()) === true
        ? exchange(limiter, clock)
        : Effect.andThen(limiter.acquire(workspaceKey), exchange(limiter, clock))
    })
  }

  return { client, version: client.version, workspaceKey, requestTimeout, call }
}

/** The abort reason of a request that ran out of time (told apart from interruption and network errors). */
const timedOut = new Error("request timed out")

const withRequestId = (requestId: string | undefined): { readonly requestId?: string } =>
  requestId === undefined ? {} : { requestId }

export class IntercomApi extends Context.Service<IntercomApi, IntercomApiShape>()(
  "@taskjuice/intercom-core/IntercomApi"
) {
  /** The service itself, for a caller that keeps one per workspace (e.g. a cache of clients). */
  static readonly make = make

  static readonly layer = (options: IntercomApiOptions): Layer.Layer<IntercomApi> =>
    Layer.sync(IntercomApi, () => make(options))
}
