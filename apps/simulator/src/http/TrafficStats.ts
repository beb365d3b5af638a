/**
 * What the API answered, per 10-second window (Intercom's rate-limit window) and per route, for
 * `GET /_sim/stats` and the dashboard's chart:
 *
 * ```json
 * { "windowSeconds": 10, "allowance": 167,
 *   "windows": [{ "start": 1700000000, "requests": 12, "rateLimited": 2, "faults": 1,
 *                 "byRoute": { "ShowContact": { "requests": 9, "rateLimited": 2, "faults": 1 } } }] }
 * ```
 *
 * `allowance` is the requests a window allows (the budget the chart draws; absent when unlimited).
 * `start` is the window's first Unix second, oldest window first; only windows that saw a request are
 * listed, the last `keepWindows` of them (an hour by default). A route is named by its operationId, or
 * `METHOD /path` for paths Intercom does not have.
 */
import { rateLimitWindowSeconds } from "@taskjuice/intercom-client"

export interface RouteCounts {
  requests: number
  rateLimited: number
  faults: number
}

export interface StatsWindow extends RouteCounts {
  readonly start: number
  readonly byRoute: Record<string, RouteCounts>
}

export interface TrafficStatsSnapshot {
  readonly windowSeconds: number
  /** The requests one window allows; absent when the budget is unlimited. */
  readonly allowance?: number
  readonly windows: ReadonlyArray<StatsWindow>
}

export interface TrafficStatsOptions {
  /** The budget's allowance per window (`RateLimitWindow.allowance`); infinite means unlimited. */
  readonly allowance?: number | undefined
  /** How many windows to keep (an hour's by default). */
  readonly keepWindows?: number | undefined
}

export class TrafficStats {
  private readonly windows: Array<StatsWindow> = []
  private readonly keepWindows: number
  private readonly allowance: number | undefined

  constructor(options: TrafficStatsOptions = {}) {
    this.keepWindows = options.keepWindows ?? 360
    this.allowance =
      options.allowance !== undefined && Number.isFinite(options.allowance) ? options.allowance : undefined
  }

  /** Counts one answered request; `outcome` says whether it was a 429 or an injected fault. */
  record(route: string, nowMillis: number, outcome: "ok" | "rateLimited" | "fault"): void {
    const start = Math.floor(nowMillis / 1000 / rateLimitWindowSeconds) * rateLimitWindowSeconds
    let window = this.windows.at(-1)
    if (window === undefined || window.start !== start) {
      window = { start, requests: 0, rateLimited: 0, faults: 0, byRoute: {} }
      this.windows.push(window)
      if (this.windows.length > this.keepWindows) this.windows.shift()
    }
    const counts = window.byRoute[route] ?? { requests: 0, rateLimited: 0, faults: 0 }
    window.byRoute[route] = counts
    window.requests++
    counts.requests++
    if (outcome === "rateLimited") {
      window.rateLimited++
      counts.rateLimited++
    } else if (outcome === "fault") {
      window.faults++
      counts.faults++
    }
  }

  snapshot(): TrafficStatsSnapshot {
    return {
      windowSeconds: rateLimitWindowSeconds,
      ...(this.allowance === undefined ? {} : { allowance: this.allowance }),
      windows: structuredClone(this.windows)
    }
  }
}
