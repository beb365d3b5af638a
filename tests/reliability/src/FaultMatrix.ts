/**
 * The fault matrix: every action of the bundle against every fault the simulator can inject, each cell
 * on its own simulator and bundle host (so state, rate-limit windows and revoked tokens never leak from
 * one cell into another), run over HTTP through `POST /actions/{key}` as TaskJuice's runtime would.
 *
 * A cell's verdict has three parts: the outcome (the output, or the step error's code, retryable flag,
 * providerStatus and HTTP status), how many requests reached the simulator, and what changed in the
 * simulator's state (never more than one contact, conversation, reply or company per step).
 */
import { setTimeout as sleep } from "node:timers/promises"
import {
  type Connection,
  runtimeAuthorization,
  type StepErrorCode,
  startBundleHost,
  stepErrorHttpStatus
} from "@taskjuice/intercom-bundle"
import {
  type FaultRule,
  type Simulator,
  type StateCounts,
  startSimulator
} from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import type { Canaries, LeakWatch } from "./Canary.ts"
import { requestCounter, ScriptedFault } from "./ScriptedFault.ts"

/** What an action step may create in Intercom; the matrix checks it is never more than one. */
export type Creates = "contact" | "conversation" | "reply" | "company" | "nothing"

/** Objects a cell seeds before the fault is installed. */
export interface Seeded {
  readonly contactId: string
  readonly contactEmail: string
  readonly conversationId: string
  readonly adminId: string
  /** Unique per cell, for fresh emails and company ids. */
  readonly cell: string
}

export interface MatrixAction {
  readonly label: string
  readonly key: string
  /** The simulator route (an operationId) the action's own request goes to: where faults strike. */
  readonly route: string
  /** Retried after any transient failure (the core's `transient` policy), not only provably unsent ones. */
  readonly retriesTransient: boolean
  readonly creates: Creates
  readonly input: (seeded: Seeded) => unknown
}

export const matrixActions: ReadonlyArray<MatrixAction> = [
  {
    label: "create-contact",
    key: "intercom/create-contact",
    route: "CreateContact",
    retriesTransient: true,
    creates: "contact",
    input: (s) => ({ role: "user", email: `new-${s.cell}@example.com`, name: "Ada Lovelace" })
  },
  {
    label: "get-contact",
    key: "intercom/get-contact",
    route: "ShowContact",
    retriesTransient: true,
    creates: "nothing",
    input: (s) => ({ contact_id: s.contactId })
  },
  {
    label: "update-contact",
    key: "intercom/update-contact",
    route: "UpdateContact",
    retriesTransient: true,
    creates: "nothing",
    input: (s) => ({ contact_id: s.contactId, name: "Ada King" })
  },
  {
    label: "list-contacts",
    key: "intercom/list-contacts",
    route: "ListContacts",
    retriesTransient: true,
    creates: "nothing",
    input: () => ({ per_page: 5 })
  },
  {
    label: "create-conversation",
    key: "intercom/create-conversation",
    route: "createConversation",
    retriesTransient: false,
    creates: "conversation",
    input: (s) => ({ from: { type: "user", id: s.contactId }, body: "Hello from the fault matrix" })
  },
  {
    label: "reply (contact)",
    key: "intercom/reply-conversation",
    route: "replyConversation",
    retriesTransient: false,
    creates: "reply",
    input: (s) => ({
      conversation_id: s.conversationId,
      type: "user",
      intercom_user_id: s.contactId,
      body: "One more thing"
    })
  },
  {
    label: "reply (admin)",
    key: "intercom/reply-conversation",
    route: "replyConversation",
    retriesTransient: false,
    creates: "reply",
    input: (s) => ({
      conversation_id: s.conversationId,
      type: "admin",
      admin_id: s.adminId,
      message_type: "comment",
      body: "On it"
    })
  },
  {
    label: "create-company",
    key: "intercom/create-company",
    route: "createOrUpdateCompany",
    retriesTransient: true,
    creates: "company",
    input: (s) => ({ company_id: `acme-${s.cell}`, name: "Acme" })
  },
  {
    label: "list-tags",
    key: "intercom/list-tags",
    route: "listTags",
    retriesTransient: true,
    creates: "nothing",
    input: () => ({})
  }
]

/**
 * How long one request to the simulator may take in the matrix (the bundle host's `requestTimeout`):
 * short enough for the timeout cells, long enough that a busy CI machine never times out a normal one
 * (1 s was not: on a shared 2-core machine at a load of 10, retried 5xx and 429 cells timed out).
 */
export const matrixRequestTimeoutMs = 2_000

export type FaultClass = "transient" | "response-lost" | "permanent"

/**
 * Whether the simulator did the action's work when the fault struck: `refused` (before the work, so
 * certainly nothing changed), `racy` (the work runs unless the client's give-up reaches the simulator
 * first, which a busy machine can delay) or `done` (struck after the work, so it certainly happened).
 */
export type FaultWork = "refused" | "racy" | "done"

export interface MatrixFault {
  /** The column heading. */
  readonly name: string
  readonly class: FaultClass
  readonly work: FaultWork
  /** The rule for this cell, or none (the 429 comes from the simulator's real rate limiter). */
  readonly rule: (action: MatrixAction, strikes: number) => ScriptedFault | undefined
  /** The step error when the fault is not (or cannot safely be) retried away. */
  readonly error: {
    readonly code: StepErrorCode
    readonly providerStatus: number | null
    /** Whether the request provably never reached Intercom (then even a create is retried). */
    readonly provablyUnsent: boolean
  }
}

const strike =
  (kind: FaultRule["kind"], extra: { readonly status?: number; readonly delayMs?: number } = {}) =>
  (action: MatrixAction, strikes: number) =>
    new ScriptedFault({ route: action.route, kind, strikes, ...extra })

const serverError = (status: number): MatrixFault => ({
  name: String(status),
  class: "transient",
  work: "refused",
  rule: strike("error", { status }),
  error: { code: "UPSTREAM_UNAVAILABLE", providerStatus: status, provablyUnsent: false }
})

const clientError = (status: number, code: StepErrorCode): MatrixFault => ({
  name: String(status),
  class: "permanent",
  work: "refused",
  rule: (action) => new ScriptedFault({ route: action.route, kind: "error", status, strikes: 1 }),
  error: { code, providerStatus: status, provablyUnsent: false }
})

/** A fault that leaves no HTTP status to read (a dropped connection, a timeout, a garbled answer). */
const unanswered = (
  name: string,
  faultClass: FaultClass,
  work: FaultWork,
  rule: MatrixFault["rule"],
  code: StepErrorCode
): MatrixFault => ({
  name,
  class: faultClass,
  work,
  rule,
  error: { code, providerStatus: null, provablyUnsent: false }
})

const lateMs = matrixRequestTimeoutMs + 150

export const matrixFaults: ReadonlyArray<MatrixFault> = [
  {
    name: "429",
    class: "transient",
    work: "refused",
    rule: () => undefined,
    error: { code: "RATE_LIMITED", providerStatus: 429, provablyUnsent: true }
  },
  serverError(500),
  serverError(502),
  serverError(503),
  serverError(504),
  unanswered("drop", "transient", "refused", strike("drop"), "UPSTREAM_UNAVAILABLE"),
  unanswered("timeout", "transient", "refused", strike("timeout"), "TIMEOUT"),
  // Slower than the bundle's request timeout. The simulator delays before the work and skips it when
  // the client has gone, but whether the give-up arrived in time is a race (slow-after: "done, late").
  unanswered("late", "transient", "racy", strike("slow", { delayMs: lateMs }), "TIMEOUT"),
  // Intercom did the work, then the connection dropped before the answer: the duplicate hazard.
  unanswered("drop-after", "transient", "done", strike("drop-after"), "UPSTREAM_UNAVAILABLE"),
  // Intercom did the work at once; the answer left after the bundle had given up.
  unanswered("slow-after", "transient", "done", strike("slow-after", { delayMs: lateMs }), "TIMEOUT"),
  unanswered("malformed", "response-lost", "done", strike("malformed"), "UPSTREAM_RESPONSE_INVALID"),
  {
    name: "401",
    class: "permanent",
    work: "refused",
    rule: (action) => new ScriptedFault({ route: action.route, kind: "revoked", strikes: 1 }),
    error: { code: "AUTH_REVOKED", providerStatus: 401, provablyUnsent: false }
  },
  clientError(403, "FORBIDDEN"),
  clientError(404, "NOT_FOUND"),
  {
    ...clientError(409, "CONFLICT"),
    // Creating a contact whose email exists is Intercom's real 409: the seeded contact's email.
    rule: (action) =>
      action.key === "intercom/create-contact"
        ? undefined
        : new ScriptedFault({ route: action.route, kind: "error", status: 409, strikes: 1 })
  },
  clientError(422, "VALIDATION_FAILED")
]

/** What a cell must come to. */
export type Expected =
  | { readonly outcome: "ok"; readonly minRequests: number; readonly created: 0 | 1 }
  | {
      readonly outcome: StepErrorCode
      readonly providerStatus: number | null
      readonly retryable: boolean
      /**
       * Objects of the action's kind the step may leave: exactly 0 when the fault refused before the
       * work, exactly 1 when it struck after, 0 or 1 when that is a race. Never 2: never a duplicate.
       */
      readonly created: { readonly atLeast: 0 | 1; readonly atMost: 0 | 1 }
    }

/** What a step that creates may leave behind when it fails, by what the fault let the simulator do. */
const createdAfter: Readonly<Record<FaultWork, { readonly atLeast: 0 | 1; readonly atMost: 0 | 1 }>> = {
  refused: { atLeast: 0, atMost: 0 },
  racy: { atLeast: 0, atMost: 1 },
  done: { atLeast: 1, atMost: 1 }
}

export const expectedOutcome = (action: MatrixAction, fault: MatrixFault): Expected => {
  const createsSomething = action.creates !== "nothing"
  if (fault.name === "409" && action.key === "intercom/create-contact") {
    // The core resolves the conflict to the contact that already exists: no second contact.
    return { outcome: "ok", minRequests: 2, created: 0 }
  }
  if (fault.class === "transient" && (action.retriesTransient || fault.error.provablyUnsent)) {
    return { outcome: "ok", minRequests: 2, created: createsSomething ? 1 : 0 }
  }
  return {
    outcome: fault.error.code,
    providerStatus: fault.error.providerStatus,
    retryable: false,
    created: createsSomething ? createdAfter[fault.work] : createdAfter.refused
  }
}

/** The state the matrix checks for duplicates, as a change from before the step. */
export interface StateDelta {
  readonly contacts: number
  readonly conversations: number
  readonly conversationParts: number
  readonly companies: number
}

const deltaOf = (before: StateCounts, after: StateCounts): StateDelta => ({
  contacts: after.contacts - before.contacts,
  conversations: after.conversations - before.conversations,
  conversationParts: after.conversationParts - before.conversationParts,
  companies: after.companies - before.companies
})

/** How many objects of the action's own kind the step created. */
const createdBy = (creates: Creates, delta: StateDelta): number =>
  creates === "contact"
    ? delta.contacts
    : creates === "conversation"
      ? delta.conversations
      : creates === "reply"
        ? delta.conversationParts
        : creates === "company"
          ? delta.companies
          : 0

export interface CellResult {
  readonly action: string
  readonly fault: string
  readonly expected: Expected
  /** "ok" or the step error's code. */
  readonly outcome: string
  readonly httpStatus: number
  readonly providerStatus: number | null | undefined
  readonly retryable: boolean | undefined
  /** Requests that reached the simulator's API during the step (retries and look-ups included). */
  readonly requests: number
  readonly delta: StateDelta
  readonly connectionStatus: string | undefined
  /** Everything wrong with the cell; empty when it passed. */
  readonly problems: ReadonlyArray<string>
}

const callApi = async (
  sim: Simulator,
  token: Redacted.Redacted<string>,
  method: string,
  path: string,
  body?: unknown
) => {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${Redacted.value(token)}`,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000)
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>
  }
}

const seed = async (sim: Simulator, token: Redacted.Redacted<string>, cell: string): Promise<Seeded> => {
  const contactEmail = `seed-${cell}@example.com`
  const contact = await callApi(sim, token, "POST", "/contacts", {
    role: "user",
    email: contactEmail,
    name: "Seed"
  })
  if (contact.status !== 200) throw new Error(`seeding a contact failed: HTTP ${contact.status}`)
  const contactId = String(contact.body.id)
  const message = await callApi(sim, token, "POST", "/conversations", {
    from: { type: "user", id: contactId },
    body: "Seed conversation"
  })
  if (message.status !== 200) throw new Error(`seeding a conversation failed: HTTP ${message.status}`)
  return {
    contactId,
    contactEmail,
    conversationId: String(message.body.conversation_id),
    adminId: sim.store.defaultAdmin.id,
    cell
  }
}

/**
 * Spends the token's rate-limit window so the step's first request gets Intercom's 429 with
 * `X-RateLimit-Reset`. A window about to end is waited out first, so the 429 cannot slip past.
 */
const exhaustRateLimit = async (sim: Simulator, token: Redacted.Redacted<string>) => {
  for (let round = 0; round < 5; round++) {
    for (let request = 0; request < 1_000; request++) {
      const answer = await callApi(sim, token, "GET", "/tags")
      if (answer.status !== 429) continue
      const resetAtMs = Number(answer.headers.get("x-ratelimit-reset")) * 1000
      const left = resetAtMs - Date.now()
      if (left >= 2_000) return
      await sleep(left + 100)
      break
    }
  }
  throw new Error("could not exhaust the simulator's rate-limit window")
}

/** Runs one cell on its own simulator and bundle host. */
export const runCell = async (
  action: MatrixAction,
  fault: MatrixFault,
  options: {
    readonly canaries: Canaries
    readonly watch: LeakWatch
    readonly strikes: number
    readonly cell: string
  }
): Promise<CellResult> => {
  const { canaries, watch } = options
  const expected = expectedOutcome(action, fault)
  const sim = await startSimulator({
    clientSecret: canaries.clientSecret,
    accessToken: canaries.accessToken,
    seed: `matrix:${options.cell}`,
    ...(fault.name === "429" ? { rateLimitPerMinute: 60 } : {})
  })
  const bundle = await startBundleHost({
    clientId: sim.clientId,
    clientSecret: canaries.clientSecret,
    intercomBaseUrl: sim.url,
    writeLine: watch.writeLine,
    requestTimeout: `${matrixRequestTimeoutMs} millis`,
    connections: [
      {
        id: `conn_${options.cell}`,
        workspaceId: sim.store.workspace.id_code,
        workspaceName: sim.store.workspace.name,
        adminId: sim.store.defaultAdmin.id,
        adminEmail: null,
        region: "us",
        apiBaseUrl: sim.url,
        accessToken: canaries.accessToken,
        status: "active",
        connectedAt: new Date().toISOString()
      } satisfies Connection
    ]
  })
  try {
    const seeded = await seed(sim, canaries.accessToken, options.cell)
    const conflictCell = fault.name === "409" && action.key === "intercom/create-contact"
    const actionInput = conflictCell
      ? { role: "user", email: seeded.contactEmail, name: "Seed again" }
      : action.input(seeded)
    if (fault.name === "429") await exhaustRateLimit(sim, canaries.accessToken)
    const before = sim.counts()
    const counter = requestCounter()
    const rule = fault.rule(action, options.strikes)
    sim.setFaults(rule === undefined ? [counter] : [counter, rule])

    const response = await fetch(`${bundle.url}/actions/${encodeURIComponent(action.key)}`, {
      method: "POST",
      headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
      body: JSON.stringify({ connection: `conn_${options.cell}`, input: actionInput }),
      signal: AbortSignal.timeout(60_000)
    })
    const text = await response.text()
    watch.inspect(`POST /actions/${action.key} answer`, text)
    // A late answer is still being worked on by the simulator: let it finish before counting.
    await sleep(fault.name === "late" || fault.name === "slow-after" ? matrixRequestTimeoutMs + 300 : 20)
    sim.setFaults([])
    const delta = deltaOf(before, sim.counts())
    const body = JSON.parse(text) as {
      output?: unknown
      error?: { code: string; providerStatus: number | null; retryable: boolean }
    }
    const outcome = body.output !== undefined ? "ok" : (body.error?.code ?? `HTTP ${response.status}`)
    const connectionStatus = (await bundle.connections.get(`conn_${options.cell}`))?.status
    const result = {
      action: action.label,
      fault: fault.name,
      expected,
      outcome,
      httpStatus: response.status,
      providerStatus: body.error?.providerStatus,
      retryable: body.error?.retryable,
      requests: counter.matched,
      delta,
      connectionStatus
    }
    return { ...result, problems: problemsOf(action, result) }
  } finally {
    await bundle.close()
    await sim.close()
  }
}

const problemsOf = (action: MatrixAction, cell: Omit<CellResult, "problems">): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const { expected } = cell
  const created = createdBy(action.creates, cell.delta)
  // Never a duplicate, and never a change of another kind (a conversation's first message is not a reply).
  const allowed: StateDelta = {
    contacts: action.creates === "contact" ? 1 : 0,
    conversations: action.creates === "conversation" ? 1 : 0,
    conversationParts: action.creates === "reply" ? 1 : 0,
    companies: action.creates === "company" ? 1 : 0
  }
  for (const key of Object.keys(allowed) as Array<keyof StateDelta>) {
    if (cell.delta[key] > allowed[key])
      problems.push(`${key} grew by ${cell.delta[key]} (at most ${allowed[key]})`)
  }
  if (cell.outcome !== expected.outcome)
    problems.push(`outcome ${cell.outcome}, expected ${expected.outcome}`)
  if (expected.outcome === "ok") {
    if (cell.httpStatus !== 200) problems.push(`HTTP ${cell.httpStatus}, expected 200`)
    if (cell.requests < expected.minRequests)
      problems.push(
        `${cell.requests} requests, expected at least ${expected.minRequests} (the fault never struck?)`
      )
    if (created !== expected.created) problems.push(`created ${created}, expected ${expected.created}`)
  } else {
    const status = stepErrorHttpStatus[expected.outcome]
    if (cell.httpStatus !== status) problems.push(`HTTP ${cell.httpStatus}, expected ${status}`)
    if (cell.providerStatus !== expected.providerStatus)
      problems.push(
        `providerStatus ${String(cell.providerStatus)}, expected ${String(expected.providerStatus)}`
      )
    if (cell.retryable !== expected.retryable)
      problems.push(`retryable ${String(cell.retryable)}, expected ${String(expected.retryable)}`)
    const { atLeast, atMost } = expected.created
    if (created < atLeast || created > atMost)
      problems.push(
        `created ${created}, expected ${atLeast === atMost ? `exactly ${atMost}` : `${atLeast} to ${atMost}`}`
      )
    // A step that failed for good was sent once: retrying it is what would risk the duplicate.
    if (cell.requests !== 1) problems.push(`${cell.requests} requests, expected exactly 1`)
    if (expected.outcome === "AUTH_REVOKED" && cell.connectionStatus !== "revoked")
      problems.push(`connection ${String(cell.connectionStatus)}, expected revoked`)
  }
  return problems
}

/** Runs every cell, a few at a time (each cell owns two servers; most of their time is backoff). */
export const runMatrix = async (options: {
  readonly canaries: Canaries
  readonly watch: LeakWatch
  readonly strikes: number
  readonly concurrency: number
  readonly actions?: ReadonlyArray<MatrixAction>
  readonly faults?: ReadonlyArray<MatrixFault>
}): Promise<ReadonlyArray<CellResult>> => {
  const actions = options.actions ?? matrixActions
  const faults = options.faults ?? matrixFaults
  const cells = actions.flatMap((action, row) =>
    faults.map((fault, column) => ({ action, fault, cell: `r${row}c${column}` }))
  )
  // The 429 cells wait for a rate-limit window to reset: start them first so the waits overlap.
  cells.sort((a, b) => Number(b.fault.name === "429") - Number(a.fault.name === "429"))
  const results = new Map<string, CellResult>()
  let next = 0
  const worker = async () => {
    while (next < cells.length) {
      const cell = cells[next++]!
      results.set(
        cell.cell,
        await runCell(cell.action, cell.fault, {
          canaries: options.canaries,
          watch: options.watch,
          strikes: options.strikes,
          cell: cell.cell
        })
      )
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return actions.flatMap((_, row) => faults.map((__, column) => results.get(`r${row}c${column}`)!))
}

const abbreviations: Readonly<Record<string, string>> = {
  ok: "ok",
  RATE_LIMITED: "RATE",
  UPSTREAM_UNAVAILABLE: "UNAVAIL",
  UPSTREAM_RESPONSE_INVALID: "BADRESP",
  TIMEOUT: "TIMEOUT",
  AUTH_REVOKED: "REVOKED",
  FORBIDDEN: "FORBID",
  NOT_FOUND: "NOTFOUND",
  CONFLICT: "CONFLICT",
  VALIDATION_FAILED: "INVALID"
}

/** The matrix as a table: action rows × fault columns, cell = outcome and requests (and `!` when wrong). */
export const formatMatrix = (results: ReadonlyArray<CellResult>): string => {
  const faults = [...new Set(results.map((r) => r.fault))]
  const actions = [...new Set(results.map((r) => r.action))]
  const text = (r: CellResult) =>
    `${abbreviations[r.outcome] ?? r.outcome} ${r.requests}${r.problems.length > 0 ? "!" : ""}`
  const firstWidth = Math.max(6, ...actions.map((a) => a.length))
  const width = Math.max(...faults.map((f) => f.length), ...results.map((r) => text(r).length))
  const row = (first: string, cells: ReadonlyArray<string>) =>
    `| ${first.padEnd(firstWidth)} | ${cells.map((c) => c.padEnd(width)).join(" | ")} |`
  const lines = [
    row("action", faults),
    `|${"-".repeat(firstWidth + 2)}|${faults.map(() => "-".repeat(width + 2)).join("|")}|`,
    ...actions.map((action) =>
      row(
        action,
        faults.map((fault) => text(results.find((r) => r.action === action && r.fault === fault)!))
      )
    )
  ]
  const legend = [
    "cell = outcome and the number of requests that reached the simulator (retries and look-ups included); ! = wrong",
    `outcomes: ${Object.entries(abbreviations)
      .filter(([code]) => code !== "ok")
      .map(([code, short]) => `${short} = ${code}`)
      .join(", ")}`,
    "faults: 429 = the simulator's rate limit (with X-RateLimit-Reset); 5xx, drop, timeout, malformed, 401 (revoked token),",
    `  403/404/409/422 injected on the action's own route; late = slow=${matrixRequestTimeoutMs + 150} ms, past the bundle's ${matrixRequestTimeoutMs} ms timeout`,
    "  (the simulator delays before the work and skips it if the client's give-up arrived in time: a race, so a create or reply",
    "  not retried may leave 0 or 1, never 2); drop-after and slow-after strike after the work:",
    `  the connection drops unanswered, or the answer leaves ${matrixRequestTimeoutMs + 150} ms later; malformed also strikes after the work;`,
    "  409 on create-contact = a contact with that email exists. Transient faults strike the first attempt(s) only."
  ]
  const failures = results
    .filter((r) => r.problems.length > 0)
    .map((r) => `  ${r.action} × ${r.fault}: ${r.problems.join("; ")}`)
  return [...lines, "", ...legend, ...(failures.length === 0 ? [] : ["", "wrong cells:", ...failures])].join(
    "\n"
  )
}
