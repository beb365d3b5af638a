/**
 * The one seam between our code and Intercom's REST API, typed by the generated `paths` and
 * operations with openapi-fetch's own types: `call(operationId, init)` over the generated operations
 * table, and openapi-fetch's method surface (`GET`, `POST`, … `request`, `use`, `eject`). Every call
 * carries Bearer auth, the pinned `Intercom-Version`, JSON and a User-Agent, goes to the regional
 * host, and answers with openapi-fetch's `{ data | error, response }` plus the status and the
 * rate-limit reading. It never throws on HTTP status; callers map.
 *
 * Two ways out, one answer. A call that nothing outside the client watches goes straight to undici:
 * the URL built by openapi-fetch's own serialisers, the body by its JSON serialiser, its rules for
 * empty and error bodies, and the WHATWG Response built only if someone reads `response`. A call that
 * needs WHATWG Requests (middleware, a `fetch` of the caller's, the `onResponse` observer) or any
 * option the direct path does not read goes through openapi-fetch's own client, made with its public
 * `createClient` and a `fetch` over the same transport, our headers set by a middleware that runs
 * last. Nothing of openapi-fetch is patched; the benchmark header in
 * `packages/core/bench/actions.bench.ts` gives the numbers that chose this.
 */
import * as Redacted from "effect/Redacted"
import type { FetchResponse, MaybeOptionalInit, Middleware } from "openapi-fetch"
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from "openapi-typescript-helpers"
import type { paths } from "./generated/intercom.ts"
import { type OperationId, operations as operationTable } from "./generated/operations.ts"
import { apiVersion } from "./generated/version.ts"
import type { CallInit, Seam } from "./internal/call.ts"
import { directSend, isDirect } from "./internal/direct.ts"
import { type Observation, throughOpenapiFetch } from "./internal/throughOpenapiFetch.ts"
import type { RateLimit } from "./RateLimit.ts"
import { apiHosts, type Region } from "./Region.ts"

export type IntercomPaths = paths

export type ResponseObservation = Observation

export interface IntercomClientOptions {
  /** The workspace's OAuth access token. Strings are wrapped in `Redacted` at once. */
  readonly accessToken: Redacted.Redacted<string> | string
  /** The workspace's region (default "us"); ignored when `baseUrl` is given. */
  readonly region?: Region
  /** Overrides the regional host, e.g. a local simulator. */
  readonly baseUrl?: string
  /** `Intercom-Version` sent on every request; defaults to the version this build was generated for. */
  readonly version?: string
  /** Sends each request instead of the default transport (undici's global dispatcher), e.g. in a test. */
  readonly fetch?: (request: Request) => Promise<Response>
  readonly userAgent?: string
  /** Called with every response and its rate-limit reading, before any middleware reads it. */
  readonly onResponse?: (observation: ResponseObservation) => void
  /** openapi-fetch middleware; the Intercom headers are set after theirs, on what goes out. */
  readonly middleware?: ReadonlyArray<Middleware>
}

/** openapi-fetch's answer, plus what every caller reads without building a WHATWG Response. */
export type IntercomResult<Operation, Init> = (Operation extends Record<string | number, unknown>
  ? FetchResponse<Operation, Init, "application/json">
  : never) & {
  readonly status: number
  readonly rateLimit: RateLimit | undefined
}

/** openapi-fetch's rule for the init argument: optional exactly when nothing in it is required. */
type InitArgument<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [key: string]: unknown })?]
    : [Init & { [key: string]: unknown }]

/** A method of openapi-fetch's client (`GET`, `POST`, …), answering with `IntercomResult`. */
export type IntercomMethod<Method extends HttpMethod> = <
  Path extends PathsWithMethod<paths, Method>,
  Init extends MaybeOptionalInit<paths[Path], Method>
>(
  url: Path,
  ...init: InitArgument<Init>
) => Promise<IntercomResult<paths[Path][Method], Init>>

type OperationTable = typeof operationTable
/** The path of an operation, as the generated table has it. */
export type OperationPath<Op extends OperationId> = Extract<OperationTable[Op]["path"], keyof paths>
/** The method of an operation, in openapi-fetch's lower case. */
export type OperationMethod<Op extends OperationId> = Extract<
  Lowercase<OperationTable[Op]["method"]>,
  keyof paths[OperationPath<Op>]
>
/** What `call` takes for an operation: openapi-fetch's init for its path and method. */
export type OperationInit<Op extends OperationId> = MaybeOptionalInit<
  paths[OperationPath<Op>],
  OperationMethod<Op>
>

export interface IntercomClient {
  readonly baseUrl: string
  readonly version: string
  /** The rate-limit reading of the most recent response that carried one. */
  readonly lastRateLimit: () => RateLimit | undefined
  /** Calls an operation by its operationId, e.g. `call("ShowContact", { params: { path: … } })`. */
  readonly call: <Op extends OperationId, Init extends OperationInit<Op>>(
    operation: Op,
    ...init: InitArgument<Init>
  ) => Promise<IntercomResult<paths[OperationPath<Op>][OperationMethod<Op>], Init>>
  readonly request: <
    Method extends HttpMethod,
    Path extends PathsWithMethod<paths, Method>,
    Init extends MaybeOptionalInit<paths[Path], Method>
  >(
    method: Method,
    url: Path,
    ...init: InitArgument<Init>
  ) => Promise<IntercomResult<paths[Path][Method], Init>>
  readonly GET: IntercomMethod<"get">
  readonly PUT: IntercomMethod<"put">
  readonly POST: IntercomMethod<"post">
  readonly DELETE: IntercomMethod<"delete">
  readonly PATCH: IntercomMethod<"patch">
  readonly HEAD: IntercomMethod<"head">
  readonly OPTIONS: IntercomMethod<"options">
  /** Registers openapi-fetch middleware for every later call (which then goes through openapi-fetch). */
  readonly use: (...middleware: ReadonlyArray<Middleware>) => void
  readonly eject: (...middleware: ReadonlyArray<Middleware>) => void
}

export const defaultUserAgent = "taskjuice-intercom/0.1 (+https://taskjuice.ai)"

type AnyResult = IntercomResult<Record<string, never>, unknown>

export const createIntercomClient = (options: IntercomClientOptions): IntercomClient => {
  const token =
    typeof options.accessToken === "string" ? Redacted.make(options.accessToken) : options.accessToken
  const baseUrl = (options.baseUrl ?? apiHosts[options.region ?? "us"]).replace(/\/+$/, "")
  const version = options.version ?? apiVersion
  const userAgent = options.userAgent ?? defaultUserAgent
  let lastRateLimit: RateLimit | undefined
  const seam: Seam = {
    baseUrl,
    // The token lives only in this closure and on the wire.
    intercomHeaders: () => ({
      authorization: `Bearer ${Redacted.value(token)}`,
      "intercom-version": version,
      accept: "application/json",
      "user-agent": userAgent
    }),
    observe: (rateLimit) => {
      if (rateLimit !== undefined) lastRateLimit = rateLimit
      return rateLimit
    }
  }
  const direct = directSend(seam)
  const viaOpenapiFetch = throughOpenapiFetch(seam, { fetch: options.fetch, onResponse: options.onResponse })
  const watched = options.fetch !== undefined || options.onResponse !== undefined
  const send = (method: string, path: string, init?: CallInit) =>
    (!watched && !viaOpenapiFetch.hasMiddleware() && isDirect(init) ? direct : viaOpenapiFetch.send)(
      method,
      path,
      init
    ) as Promise<AnyResult>
  if (options.middleware !== undefined) viaOpenapiFetch.use(...options.middleware)

  const method = (name: string) => (path: string, init?: CallInit) => send(name, path, init)
  const client = {
    baseUrl,
    version,
    lastRateLimit: () => lastRateLimit,
    call: (operation: OperationId, init?: CallInit) => {
      const { method, path } = operationTable[operation]
      return send(method, path, init)
    },
    request: (name: string, path: string, init?: CallInit) => send(name.toUpperCase(), path, init),
    GET: method("GET"),
    PUT: method("PUT"),
    POST: method("POST"),
    DELETE: method("DELETE"),
    PATCH: method("PATCH"),
    HEAD: method("HEAD"),
    OPTIONS: method("OPTIONS"),
    use: viaOpenapiFetch.use,
    eject: viaOpenapiFetch.eject
  }
  // The typed signatures are openapi-fetch's; at run time every method is `send`.
  return client as unknown as IntercomClient
}
