/** What both ways out share: the init a call is given, and what every call carries. */
import type { Middleware, mergeHeaders } from "openapi-fetch"
import type { RateLimit } from "../RateLimit.ts"

/** The init of any call, as the client reads it at run time (the typed one is openapi-fetch's). */
export interface CallInit {
  readonly params?: {
    readonly path?: Record<string, unknown>
    readonly query?: Record<string, unknown>
    readonly header?: Record<string, unknown>
  }
  readonly body?: unknown
  readonly headers?: Parameters<typeof mergeHeaders>[0]
  readonly signal?: AbortSignal | null
  readonly middleware?: ReadonlyArray<Middleware>
}

/** One call out: the method in upper case and the path template of the operation. */
export type Send = (method: string, path: string, init: CallInit | undefined) => Promise<unknown>

/** What every call of one client carries, whichever way it goes. */
export interface Seam {
  readonly baseUrl: string
  /** Bearer auth, `Intercom-Version`, `Accept` and `User-Agent`, lower-case; the token is read only here. */
  readonly intercomHeaders: () => Readonly<Record<string, string>>
  /** Keeps a reading as the client's last one, and hands it back. */
  readonly observe: (rateLimit: RateLimit | undefined) => RateLimit | undefined
}
