/**
 * Fault rules for the simulator that strike a set number of times and count what they saw.
 *
 * The simulator's rules fire with a probability; a cell of the fault matrix needs "the first N
 * requests fail, then Intercom recovers" (a transient fault) and "how many requests did the action
 * send". A `FaultRule` whose probability is 1 for its first N matching requests and 0 afterwards gives
 * both, through the simulator's public `setFaults`. The simulator draws once per matching rule and
 * request (see Faults.ts); test/ScriptedFault.test.ts checks that contract over HTTP, so a change
 * there fails loudly instead of skewing the matrix.
 */
import type { FaultKind, FaultRule } from "@taskjuice/intercom-simulator"

export class ScriptedFault implements FaultRule {
  readonly route: string
  readonly kind: FaultKind
  readonly status?: number
  readonly delayMs?: number
  /** Matching requests so far. */
  matched = 0
  private readonly strikes: number

  constructor(options: {
    readonly route: string
    readonly kind: FaultKind
    readonly strikes: number
    readonly status?: number
    readonly delayMs?: number
  }) {
    this.route = options.route
    this.kind = options.kind
    this.strikes = options.strikes
    if (options.status !== undefined) this.status = options.status
    if (options.delayMs !== undefined) this.delayMs = options.delayMs
  }

  get probability(): number {
    this.matched++
    return this.matched <= this.strikes ? 1 : 0
  }
}

/** Counts every API request without ever firing; put it first so it sees each one. */
export const requestCounter = (route = "*"): ScriptedFault =>
  new ScriptedFault({ route, kind: "slow", delayMs: 0, strikes: 0 })
