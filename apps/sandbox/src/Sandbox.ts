/**
 * The sandbox: the Intercom simulator and the TaskJuice bundle host wired together the way
 * production is — the simulator's webhooks go to the bundle's app-scoped endpoint, and the
 * connection is made through the simulated OAuth consent — then every trigger is fired and every
 * action run once, over HTTP, through the same routes TaskJuice's runtime would use, and the
 * activations are consumed as the runtime does: read by cursor, then acknowledged.
 *
 * The bundle keeps its state in the embedded default, a SQLite file: a throwaway one in a temporary
 * directory, under a key made for this run, both gone when the sandbox closes. No Redis is needed.
 */
import { randomBytes } from "node:crypto"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BundleHost, runtimeAuthorization, startBundleHost } from "@taskjuice/intercom-bundle"
import { makeBrowser } from "@taskjuice/intercom-bundle/testing"
import { triggers, webhookTopics } from "@taskjuice/intercom-core"
import { type Simulator, startSimulator } from "@taskjuice/intercom-simulator"
import { generateStateKey, parseStateKeys, StateKeyError } from "@taskjuice/intercom-state"
import * as Redacted from "effect/Redacted"

export interface SandboxOptions {
  /** Simulator port (0 picks a free one). */
  readonly simulatorPort?: number
  /** Bundle host port (0 picks a free one). */
  readonly bundlePort?: number
  /** Where the bundle logs its JSON lines (deliveries, activations, connections, errors); default: nowhere. */
  readonly writeLine?: (line: string) => void
  /**
   * Where the run leaves its tokens for the owner (files 0600): the simulator's admin token, as
   * `./dev sim …` reads it, and the bundle's runtime token. Nothing is written without it.
   */
  readonly stateDir?: string
}

export interface TriggerRun {
  readonly topic: string
  readonly notificationId: string
  readonly deliveryStatus: number | null
  /** The trigger keys this notification activated. */
  readonly activated: ReadonlyArray<string>
}

export interface ActionRun {
  readonly key: string
  readonly httpStatus: number
  readonly ok: boolean
  /** One line on what came back: an id, a count, or the step error's code and message. */
  readonly summary: string
}

export interface SandboxReport {
  readonly connection: {
    readonly id: string
    readonly workspaceId: string
    readonly adminEmail: string | null
  }
  readonly triggers: ReadonlyArray<TriggerRun>
  readonly actions: ReadonlyArray<ActionRun>
  readonly ok: boolean
}

export interface Sandbox {
  readonly simulator: Simulator
  readonly bundle: BundleHost
  /** The bundle's state, `sqlite:<a temporary file>`. */
  readonly state: string
  /** The token files in the state directory (`undefined` without one). */
  readonly files: { readonly adminToken: string | undefined; readonly runtimeToken: string | undefined }
  readonly close: () => Promise<void>
}

/** The sandbox fires every topic the integration handles, ping included. */
export const sandboxTopics = webhookTopics

export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  // One secret per run: the simulator signs with it, the bundle verifies with it; never printed.
  const clientSecret = Redacted.make(randomBytes(24).toString("hex"))
  // Intercom's real delivery timing (5 s timeout, one retry after a minute): the bundle must ack in time.
  const simulator = await startSimulator({
    clientSecret,
    port: options.simulatorPort ?? 0,
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir })
  })
  const dir = await mkdtemp(join(tmpdir(), "taskjuice-sandbox-"))
  const state = `sqlite:${join(dir, "state.sqlite")}`
  const removeState = () => rm(dir, { recursive: true, force: true })
  // A key for this throwaway state only.
  const stateKeys = parseStateKeys(generateStateKey())
  try {
    if (stateKeys instanceof StateKeyError) throw stateKeys
    // A token for this run only; the sandbox's own calls carry it, nothing else can reach the runtime API.
    const runtimeToken = Redacted.make(randomBytes(32).toString("base64url"))
    const runtimeTokenFile =
      options.stateDir === undefined ? undefined : join(options.stateDir, "runtime-token")
    if (runtimeTokenFile !== undefined) {
      await writeFile(runtimeTokenFile, `${Redacted.value(runtimeToken)}\n`, { mode: 0o600 })
      // An existing file keeps its mode on write: tighten it too.
      await chmod(runtimeTokenFile, 0o600)
    }
    const bundle = await startBundleHost({
      port: options.bundlePort ?? 0,
      state,
      stateKeys,
      runtimeToken,
      intercomBaseUrl: simulator.url,
      clientId: simulator.clientId,
      clientSecret,
      writeLine: options.writeLine ?? (() => {})
    })
    simulator.subscribe(bundle.webhookUrl)
    simulator.registerRedirectUri(bundle.redirectUri)
    return {
      simulator,
      bundle,
      state,
      files: {
        adminToken: options.stateDir === undefined ? undefined : join(options.stateDir, "admin-token"),
        runtimeToken: runtimeTokenFile
      },
      close: async () => {
        await bundle.close()
        await simulator.close()
        await removeState()
      }
    }
  } catch (error) {
    await simulator.close()
    await removeState()
    throw error
  }
}

interface ConnectionSummary {
  readonly id: string
  readonly workspaceId: string
  readonly adminId: string
  readonly adminEmail: string | null
}

/** A runtime API call, with the run's token. */
const runtimeCall = async <T>(
  sandbox: Sandbox,
  path: string,
  body?: unknown
): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${sandbox.bundle.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...runtimeAuthorization(sandbox.bundle.runtimeToken),
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000)
  })
  return { status: response.status, body: (await response.json()) as T }
}

/**
 * Connects the simulated workspace the way TaskJuice and a person would: the runtime asks for a start
 * link, the browser opens it (the host sets its cookie), consents (auto-approved) and comes back.
 */
export const connectWorkspace = async (sandbox: Sandbox): Promise<ConnectionSummary> => {
  const started = await runtimeCall<{ url?: string }>(sandbox, "/oauth/start", { context: "sandbox" })
  if (started.body.url === undefined) throw new Error(`POST /oauth/start failed: HTTP ${started.status}`)
  const steps = await makeBrowser().visit(started.body.url)
  const last = steps.at(-1)
  if (last?.status !== 200) throw new Error(`OAuth connection failed: HTTP ${last?.status} ${last?.body}`)
  const { body } = await runtimeCall<{ connections: Array<ConnectionSummary> }>(sandbox, "/connections")
  const connection = body.connections.at(-1)
  if (connection === undefined) throw new Error("OAuth finished but the bundle recorded no connection")
  return connection
}

/**
 * What the runtime does with the activations: reads those after its acknowledged position, and
 * acknowledges what it read. Answers the trigger keys this notification activated.
 */
const consumeActivations = async (
  sandbox: Sandbox,
  notificationId: string
): Promise<ReadonlyArray<string>> => {
  const { status, body } = await runtimeCall<{
    activations?: Array<{ triggerKey: string; notificationId: string }>
    next?: string | null
  }>(sandbox, "/activations?limit=1000")
  if (status !== 200 || body.activations === undefined)
    throw new Error(`GET /activations failed: HTTP ${status}`)
  if (typeof body.next === "string" && body.activations.length > 0) {
    const acked = await runtimeCall(sandbox, "/activations/ack", { cursor: body.next })
    if (acked.status !== 200) throw new Error(`POST /activations/ack failed: HTTP ${acked.status}`)
  }
  return body.activations.filter((a) => a.notificationId === notificationId).map((a) => a.triggerKey)
}

export const fireTriggers = async (sandbox: Sandbox): Promise<ReadonlyArray<TriggerRun>> => {
  const runs: Array<TriggerRun> = []
  for (const topic of sandboxTopics) {
    // A change can cause several notifications (a new conversation also creates its contact).
    const notification = (await sandbox.simulator.trigger(topic)).find((sent) => sent.topic === topic)
    if (notification === undefined) throw new Error(`the simulator sent no ${topic} notification`)
    await sandbox.simulator.settle()
    const [latest] = sandbox.simulator.deliveries().filter((d) => d.notificationId === notification.id)
    runs.push({
      topic,
      notificationId: notification.id,
      deliveryStatus: latest?.status ?? null,
      activated: await consumeActivations(sandbox, notification.id)
    })
  }
  return runs
}

const step = async (sandbox: Sandbox, connectionId: string, key: string, input: unknown) => {
  const { status, body } = await runtimeCall<{
    output?: Record<string, unknown>
    error?: { code: string; message: string }
  }>(sandbox, `/actions/${encodeURIComponent(key)}`, { connection: connectionId, input })
  return { status, output: body.output, error: body.error }
}

/** Runs each action once, feeding ids from earlier steps into later ones. */
export const runActions = async (
  sandbox: Sandbox,
  connection: ConnectionSummary
): Promise<ReadonlyArray<ActionRun>> => {
  const runs: Array<ActionRun> = []
  const run = async (key: string, input: unknown, describe: (output: Record<string, unknown>) => string) => {
    const { status, output, error } = await step(sandbox, connection.id, key, input)
    const ok = status === 200 && output !== undefined
    runs.push({
      key,
      httpStatus: status,
      ok,
      summary: ok ? describe(output) : `${error?.code ?? "?"}: ${error?.message ?? "no error body"}`
    })
    return ok ? output : undefined
  }
  const email = `sandbox-${Date.now()}@example.com`
  const contact = await run(
    "intercom/create-contact",
    { role: "user", email, name: "Ada Lovelace", custom_attributes: { plan: "pro" } },
    (o) => `contact ${String(o.id)} (${String(o.email)})`
  )
  const contactId = String(contact?.id ?? "000000000000000000000000")
  await run(
    "intercom/get-contact",
    { contact_id: contactId },
    (o) => `contact ${String(o.id)} ${String(o.name)}`
  )
  await run(
    "intercom/update-contact",
    { contact_id: contactId, name: "Ada King", phone: null },
    (o) => `renamed to ${String(o.name)}`
  )
  await run(
    "intercom/list-contacts",
    { per_page: 10 },
    (o) => `${(o.contacts as Array<unknown>).length} contacts of ${String(o.total_count)}`
  )
  const conversation = await run(
    "intercom/create-conversation",
    { from: { type: "user", id: contactId }, body: "Hello from the sandbox" },
    (o) => `conversation ${String(o.conversation_id)}`
  )
  const conversationId = String(conversation?.conversation_id ?? "0")
  await run(
    "intercom/reply-conversation",
    { conversation_id: conversationId, type: "user", intercom_user_id: contactId, body: "One more thing" },
    (o) =>
      `contact replied, ${String((o.conversation_parts as { total_count?: number })?.total_count ?? "?")} parts`
  )
  await run(
    "intercom/reply-conversation",
    {
      conversation_id: conversationId,
      type: "admin",
      admin_id: connection.adminId,
      message_type: "comment",
      body: "On it!"
    },
    (o) => `admin replied to ${String(o.id)}`
  )
  await run(
    "intercom/create-company",
    { company_id: "acme-42", name: "Acme", plan: "pro", monthly_spend: 1200 },
    (o) => `company ${String(o.id)} (${String(o.company_id)})`
  )
  await run("intercom/list-tags", {}, (o) => `${(o.tags as Array<unknown>).length} tags`)
  return runs
}

/** The whole demonstration: connect, fire every trigger, run every action. */
export const runSandbox = async (sandbox: Sandbox): Promise<SandboxReport> => {
  const connection = await connectWorkspace(sandbox)
  const triggerRuns = await fireTriggers(sandbox)
  const actionRuns = await runActions(sandbox, connection)
  const everyTriggerActivated = triggers.every((trigger) =>
    triggerRuns.some((run) => run.activated.includes(trigger.key))
  )
  const pingActivatedNothing = triggerRuns.find((run) => run.topic === "ping")?.activated.length === 0
  return {
    connection: { id: connection.id, workspaceId: connection.workspaceId, adminEmail: connection.adminEmail },
    triggers: triggerRuns,
    actions: actionRuns,
    ok: everyTriggerActivated && pingActivatedNothing && actionRuns.every((run) => run.ok)
  }
}
