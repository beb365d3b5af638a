/**
 * Faults on demand: per route, with a probability, decided by the seeded `Random` so a run with
 * the same seed and the same requests fails the same way.
 *
 * Written `<route>:<kind>[=<arg>][@<probability>]`, for example
 *   `*:503@0.1`                       one request in ten answers 503
 *   `POST /contacts:slow=2000@0.5`    half of the contact creations take two more seconds
 *   `ShowContact:timeout`             GET /contacts/{id} never answers
 *   `*:drop@0.05`, `*:malformed`, `GET /tags:revoked`
 *   `POST /contacts:drop-after`       the contact is created, then the connection drops unanswered
 *   `CreateContact:slow-after=3000`   the contact is created at once, the answer leaves 3 s later
 * A route is `*`, `METHOD /path` (path parameters in braces, any name) or an operationId.
 *
 * Most kinds strike before the work (nothing changes); `malformed`, `drop-after` and `slow-after`
 * strike after it: the request did reach Intercom, only its answer is lost, cut or late.
 */
import * as Data from "effect/Data"
import type { Random } from "./Random.ts"

export type FaultKind =
  | "error"
  | "slow"
  | "timeout"
  | "drop"
  | "malformed"
  | "revoked"
  | "drop-after"
  | "slow-after"

export const faultKinds: ReadonlyArray<string> = [
  "5xx (500-599)",
  "slow=<ms>",
  "timeout",
  "drop",
  "malformed",
  "revoked",
  "drop-after",
  "slow-after=<ms>"
]

export interface FaultRule {
  /** `*`, `METHOD /path` or an operationId. */
  readonly route: string
  readonly kind: FaultKind
  /** 0 to 1; 1 when not given. */
  readonly probability: number
  /** For `error`: the 5xx status. */
  readonly status?: number
  /** For `slow` and `slow-after`: the added delay in milliseconds. */
  readonly delayMs?: number
}

/** A fault that cannot be read; the message shows the syntax. Never retryable: fix the flag. */
export class FaultSyntaxError extends Data.TaggedError("FaultSyntaxError")<{
  readonly input: string
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

const syntax = "<route>:<kind>[=<arg>][@<probability>], e.g. 'POST /contacts:503@0.2' or '*:slow=1500'"

const fail = (input: string, why: string): never => {
  throw new FaultSyntaxError({
    input,
    message: `Invalid fault "${input}": ${why}. Expected ${syntax}; kinds: ${faultKinds.join(", ")}`,
    reason: "NotRetryable"
  })
}

export const parseFault = (input: string): FaultRule => {
  const text = input.trim()
  const colon = text.lastIndexOf(":")
  const route = colon === -1 ? "*" : text.slice(0, colon).trim() || "*"
  let rest = colon === -1 ? text : text.slice(colon + 1).trim()
  let probability = 1
  const at = rest.indexOf("@")
  if (at !== -1) {
    probability = Number(rest.slice(at + 1))
    if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
      fail(input, "the probability must be a number from 0 to 1")
    }
    rest = rest.slice(0, at)
  }
  const [kindText = "", arg] = rest.split("=", 2)
  const kind = kindText.trim().toLowerCase()
  const base = { route, probability }
  if (/^5\d\d$/.test(kind)) return { ...base, kind: "error", status: Number(kind) }
  if (kind === "5xx" || kind === "error") {
    const status = arg === undefined ? 500 : Number(arg)
    // 4xx answers are the API's own (bad input, a missing contact, `revoked` for 401), not faults.
    if (!Number.isInteger(status) || status < 500 || status > 599)
      fail(input, `${kind} takes a 5xx status, e.g. ${kind}=503`)
    return { ...base, kind: "error", status }
  }
  if (kind === "slow" || kind === "slow-after") {
    const delayMs = arg === undefined ? 2000 : Number(arg)
    if (!Number.isFinite(delayMs) || delayMs < 0)
      fail(input, `${kind} takes a delay in milliseconds, e.g. ${kind}=1500`)
    return { ...base, kind, delayMs }
  }
  if (
    kind === "timeout" ||
    kind === "drop" ||
    kind === "malformed" ||
    kind === "revoked" ||
    kind === "drop-after"
  )
    return { ...base, kind }
  return fail(input, kind === "" ? "the kind is missing" : `"${kind}" is not a fault kind`)
}

export const formatFault = (rule: FaultRule): string => {
  const kind =
    rule.kind === "error"
      ? String(rule.status ?? 500)
      : rule.kind === "slow" || rule.kind === "slow-after"
        ? `${rule.kind}=${rule.delayMs ?? 2000}`
        : rule.kind
  return `${rule.route}:${kind}${rule.probability === 1 ? "" : `@${rule.probability}`}`
}

/** How a request is named for matching: method, path template and operationId. */
export interface RouteName {
  readonly method: string
  readonly template: string
  readonly operationId: string
}

const normalizeTemplate = (template: string): string => template.replace(/\{[^}]*\}/g, "{}")

const matches = (rule: FaultRule, route: RouteName): boolean => {
  if (rule.route === "*" || rule.route === route.operationId) return true
  const [method = "", path = ""] = rule.route.split(/\s+/, 2)
  return (
    (method === "*" || method.toUpperCase() === route.method) &&
    normalizeTemplate(path) === normalizeTemplate(route.template)
  )
}

export class FaultPlan {
  private rules: ReadonlyArray<FaultRule>
  private readonly random: Random

  constructor(rules: ReadonlyArray<FaultRule>, random: Random) {
    this.rules = rules
    this.random = random
  }

  get current(): ReadonlyArray<FaultRule> {
    return this.rules
  }

  replace(rules: ReadonlyArray<FaultRule>): void {
    this.rules = rules
  }

  /**
   * The fault for this request, if any. Every matching rule draws one number, whether or not an
   * earlier one fired, so the sequence of draws depends only on the requests and the seed.
   */
  decide(route: RouteName): FaultRule | undefined {
    let chosen: FaultRule | undefined
    for (const rule of this.rules) {
      if (!matches(rule, route)) continue
      const draw = this.random.next()
      if (chosen === undefined && draw < rule.probability) chosen = rule
    }
    return chosen
  }
}
