/**
 * `pnpm sim <command>`, in the Stripe CLI's manner: `serve` runs the simulator; `trigger`, `resend`
 * and `deliveries` talk to a running one over its admin API (`--sim`), or `trigger --forward-to`
 * signs and sends a topic's fixture straight to a URL with no simulator running. Every command takes
 * `--json`. Errors carry a category, and the category is the exit code.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"
import { FaultSyntaxError, parseFault } from "./Faults.ts"
import type { DeliverySummary } from "./http/AdminRoutes.ts"
import { applyOverrides, OverrideError, parseOverride } from "./Overrides.ts"
import { type SignatureMode, signatureModes } from "./SignatureMode.ts"
import type { Simulator } from "./Simulator.ts"

// The simulator, the core and the signing code load only for the commands that use them, so the
// commands that just talk to a running simulator start quickly.
const loadCore = () => import("@taskjuice/intercom-core")
const loadDelivery = () => import("./webhooks/DirectDelivery.ts")

/** Exit codes by error category (after stripe-cli's `errorcategory`). */
export const exitCodes = {
  ok: 0,
  internal: 1,
  user_input: 2,
  network: 3,
  api: 4,
  delivery: 5,
  filesystem: 6
} as const

export type ErrorCategory = Exclude<keyof typeof exitCodes, "ok">

export class CliError extends Data.TaggedError("CliError")<{
  readonly category: ErrorCategory
  readonly message: string
  readonly detail?: Record<string, unknown>
}> {}

const defaultSimUrl = "http://127.0.0.1:4010"
/** Where `serve` keeps the run's admin token, and the other commands read it. */
const defaultStateDir = ".sim"

export const usage = `Usage: pnpm sim <command> [options]

A local Intercom workspace: the API at Intercom's paths, OAuth, rate limits, faults and signed
webhooks, with a live dashboard.

Commands:
  serve                      run the simulator; the dashboard is at its URL
  trigger <topic>            cause the event behind a topic and send its webhook
  resend <notification-id>   send a notification again
  deliveries                 list delivery attempts (status, latency)
  topics                     list the topics trigger knows

serve:
  --port N                   port to listen on (default 4010; 0 picks a free one)
  --host HOST                interface to bind (default 127.0.0.1)
  --client-secret SECRET     signs webhooks and checks the OAuth code exchange (or INTERCOM_CLIENT_SECRET)
  --client-id ID             the OAuth app's client id (default sim_client_id)
  --webhook-url URL          subscribe URL to every topic (repeatable)
  --redirect-uri URL         an OAuth redirect URI the app registered (repeatable); /oauth redirects only there
  --signature MODE           sha1 | sha256 | both | invalid (default both)
  --rate-limit N             requests per minute per app (default 1000, spread over 10 s windows)
  --fault SPEC               <route>:<kind>[=<arg>][@<probability>] (repeatable). Before the work
                             (nothing changes): 5xx, slow=<ms>, timeout, drop, revoked; after it (done,
                             the answer cut, lost or late): malformed, drop-after, slow-after=<ms>;
                             e.g. 'POST /contacts:503@0.2', 'POST /contacts:drop-after'
  --seed SEED                make faults and generated data reproducible
  --state-file FILE          keep the state in a SQLite file
  --state-dir DIR            where the run keeps its admin token (default .sim, or INTERCOM_SIM_STATE_DIR)
  --time-scale X             multiply the 5 s delivery timeout and 1 min retry (e.g. 0.01)
  --api-version V            the app's Intercom-Version (default: the pinned one)
  --access-token TOKEN       a Bearer token valid from the start (default: generated)
  --print-secret             print the client secret and access token at start

trigger:
  --forward-to URL           deliver to URL; without --sim, sign and send the topic's fixture directly
  --override PATH=VALUE      edit the notification (repeatable): data.item.email=a@b.example, item.name=Ada
  --signature MODE           sha1 | sha256 | both | invalid
  --count N                  trigger N times (default 1)
  --client-secret SECRET     the key for direct sending (or INTERCOM_CLIENT_SECRET)

resend:
  --forward-to URL           send to URL instead of the original receivers
  --signature MODE           sha1 | sha256 | both | invalid

deliveries:
  --limit N                  how many, newest first (default 20)
  --topic TOPIC              only this topic

every command:
  --sim URL                  the running simulator (default ${defaultSimUrl}, or INTERCOM_SIM_URL)
  --admin-token TOKEN        the run's admin token (default: read from --state-dir, or INTERCOM_SIM_ADMIN_TOKEN)
  --json                     machine-readable output
  --help                     this text

Exit codes: 0 ok, 1 internal, 2 bad input, 3 network, 4 simulator refused, 5 delivery failed, 6 file.`

export interface CliIo {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** Resolves when `serve` should stop (SIGINT/SIGTERM in the real CLI). */
  readonly stopSignal?: Promise<void>
}

export interface CliResult {
  readonly exitCode: number
}

const options = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  sim: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "client-secret": { type: "string" },
  "client-id": { type: "string" },
  "webhook-url": { type: "string", multiple: true },
  "redirect-uri": { type: "string", multiple: true },
  signature: { type: "string" },
  "rate-limit": { type: "string" },
  fault: { type: "string", multiple: true },
  seed: { type: "string" },
  "state-file": { type: "string" },
  "state-dir": { type: "string" },
  "admin-token": { type: "string" },
  "time-scale": { type: "string" },
  "api-version": { type: "string" },
  "access-token": { type: "string" },
  "print-secret": { type: "boolean", default: false },
  "forward-to": { type: "string" },
  override: { type: "string", multiple: true },
  count: { type: "string" },
  limit: { type: "string" },
  topic: { type: "string" }
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"]

const userInput = (message: string, detail?: Record<string, unknown>) =>
  new CliError({ category: "user_input", message, ...(detail === undefined ? {} : { detail }) })

const number = (
  values: Values,
  name: "port" | "rate-limit" | "time-scale" | "count" | "limit",
  fallback: number
) => {
  const raw = values[name]
  if (raw === undefined) return fallback
  const parsed = Number(raw)
  if (!Number.isFinite(parsed) || parsed < 0)
    throw userInput(`--${name} must be a non-negative number, got "${raw}"`)
  return parsed
}

const signatureOf = (values: Values): SignatureMode | undefined => {
  const raw = values.signature
  if (raw === undefined) return undefined
  if (!(signatureModes as ReadonlyArray<string>).includes(raw)) {
    throw userInput(`--signature must be one of ${signatureModes.join(", ")}, got "${raw}"`)
  }
  return raw as SignatureMode
}

const secretOf = (values: Values, env: CliIo["env"]): Redacted.Redacted<string> | undefined => {
  const secret = values["client-secret"] ?? env.INTERCOM_CLIENT_SECRET
  return secret === undefined || secret === "" ? undefined : Redacted.make(secret)
}

const stateDirOf = (values: Values, env: NodeJS.ProcessEnv): string =>
  values["state-dir"] ?? env.INTERCOM_SIM_STATE_DIR ?? defaultStateDir

/** The run's admin token: `--admin-token`, `INTERCOM_SIM_ADMIN_TOKEN`, or `<state dir>/admin-token`. */
const adminTokenOf = (values: Values, env: NodeJS.ProcessEnv): string | undefined => {
  const given = values["admin-token"] ?? env.INTERCOM_SIM_ADMIN_TOKEN
  if (given !== undefined && given !== "") return given
  try {
    return readFileSync(join(stateDirOf(values, env), "admin-token"), "utf8").trim()
  } catch {
    return undefined
  }
}

/** Calls the running simulator's admin API; maps failures to categories. */
const admin = async (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string
): Promise<Record<string, unknown>> => {
  let response: Response
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: {
        ...(method === "GET" ? {} : { "content-type": "application/json" }),
        ...(token === undefined ? {} : { "x-sim-admin-token": token })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    throw new CliError({
      category: "network",
      message: `Cannot reach the simulator at ${base} (${cause}). Start it with \`pnpm sim serve\`, or pass --sim URL.`
    })
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) {
    const error = (json.error ?? {}) as { code?: string; message?: string; topics?: ReadonlyArray<string> }
    const category: ErrorCategory =
      error.code === "unknown_topic" || response.status === 400 ? "user_input" : "api"
    throw new CliError({
      category,
      message: error.message ?? `The simulator answered ${response.status}`,
      ...(error.topics === undefined ? {} : { detail: { topics: error.topics } })
    })
  }
  return json
}

const describeDelivery = (
  d: Pick<DeliverySummary, "status" | "latencyMs" | "url" | "attempt" | "signature" | "error">
) =>
  `  → POST ${d.url} [${d.status ?? "no answer"}] ${d.latencyMs.toFixed(1)} ms, attempt ${d.attempt}, signature ${d.signature}${d.error === null ? "" : ` (${d.error})`}`

interface TriggerOutput {
  readonly notifications: ReadonlyArray<{
    readonly id: string
    readonly topic: string
    readonly deliveries: ReadonlyArray<DeliverySummary>
  }>
}

const printNotifications = (io: CliIo, json: boolean, output: TriggerOutput, verb: string) => {
  if (json) {
    io.stdout(JSON.stringify(output))
    return
  }
  for (const notification of output.notifications) {
    io.stdout(`${verb} ${notification.topic} (${notification.id})`)
    if (notification.deliveries.length === 0) {
      io.stdout("  (no receivers: start serve with --webhook-url, or pass --forward-to)")
    }
    for (const delivery of notification.deliveries) io.stdout(describeDelivery(delivery))
  }
}

const failedDeliveries = (output: TriggerOutput): number =>
  output.notifications.reduce((sum, n) => sum + n.deliveries.filter((d) => !d.ok).length, 0)

const deliveryFailure = (failed: number) =>
  new CliError({
    category: "delivery",
    message: `${failed} delivery attempt(s) failed (non-2xx or no answer)`
  })

/** Without a simulator: a fixture, fresh ids, overrides, signed with the client secret, sent once. */
const triggerDirect = async (
  values: Values,
  io: CliIo,
  topic: string,
  forwardTo: string
): Promise<TriggerOutput> => {
  const { webhookFixtureTopics } = await loadCore()
  const { fixtureEnvelope, sendSigned } = await loadDelivery()
  const topics = webhookFixtureTopics()
  if (!topics.includes(topic))
    throw userInput(`Unknown topic "${topic}". Valid topics: ${topics.join(", ")}`, { topics })
  const secret = secretOf(values, io.env)
  if (secret === undefined) {
    throw userInput(
      "Sending directly needs the client secret: --client-secret or INTERCOM_CLIENT_SECRET (or use --sim URL)"
    )
  }
  const overrides = (values.override ?? []).map(parseOverride)
  const signature = signatureOf(values) ?? "both"
  const count = number(values, "count", 1)
  const notifications: Array<TriggerOutput["notifications"][number]> = []
  for (let i = 0; i < count; i++) {
    const envelope = applyOverrides(fixtureEnvelope(topic), overrides)
    const payload = JSON.stringify(envelope)
    const sentAt = Date.now()
    const result = await sendSigned(forwardTo, payload, secret, signature)
    const id = envelope.id ?? `ping_${sentAt}`
    notifications.push({
      id,
      topic,
      deliveries: [
        {
          id: `dlv_direct_${sentAt}_${i}`,
          notificationId: id,
          topic,
          url: forwardTo,
          attempt: 1,
          signature,
          status: result.status,
          ok: result.ok,
          error: result.error,
          latencyMs: result.latencyMs,
          sentAt,
          retryAt: null,
          payloadBytes: Buffer.byteLength(payload)
        }
      ]
    })
  }
  return { notifications }
}

const serve = async (values: Values, io: CliIo): Promise<number> => {
  const secret = secretOf(values, io.env)
  if (secret === undefined) {
    throw userInput(
      "serve needs the OAuth app's client secret: --client-secret SECRET or INTERCOM_CLIENT_SECRET"
    )
  }
  const faults = (values.fault ?? []).map(parseFault)
  const { startSimulator } = await import("./Simulator.ts")
  let simulator: Simulator
  try {
    simulator = await startSimulator({
      clientSecret: secret,
      port: number(values, "port", 4010),
      host: values.host,
      clientId: values["client-id"],
      accessToken: values["access-token"],
      webhookUrls: values["webhook-url"],
      redirectUris: values["redirect-uri"],
      signature: signatureOf(values),
      rateLimitPerMinute: number(values, "rate-limit", 1000),
      faults,
      // "--seed 42" means the number 42 (printed back as 42), any other text is hashed.
      seed: values.seed !== undefined && /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
      stateFile: values["state-file"],
      stateDir: stateDirOf(values, io.env),
      timeScale: number(values, "time-scale", 1),
      apiVersion: values["api-version"]
    })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === "EADDRINUSE")
      throw userInput(`Port ${values.port ?? 4010} is in use: pass --port 0 or another port`)
    if (
      values["state-file"] !== undefined &&
      (code?.startsWith("ERR_SQLITE") || code === "ENOENT" || code === "EACCES")
    ) {
      throw new CliError({
        category: "filesystem",
        message: `Cannot open the state file: ${(error as Error).message}`
      })
    }
    throw error
  }
  const show = values["print-secret"]
  const hidden = "******** (--print-secret to show)"
  if (values.json) {
    io.stdout(
      JSON.stringify({
        event: "ready",
        url: simulator.url,
        dashboard: `${simulator.url}/`,
        clientId: simulator.clientId,
        apiVersion: simulator.apiVersion,
        seed: simulator.seed,
        rateLimitPerMinute: simulator.rateLimitPerMinute,
        webhookUrls: values["webhook-url"] ?? [],
        faults: values.fault ?? [],
        ...(show
          ? {
              clientSecret: Redacted.value(simulator.clientSecret),
              accessToken: Redacted.value(simulator.accessToken)
            }
          : {})
      })
    )
  } else {
    io.stdout(
      `Intercom simulator ready at ${simulator.url} (Intercom-Version ${simulator.apiVersion}, seed ${simulator.seed})`
    )
    io.stdout(`  dashboard     ${simulator.url}/`)
    io.stdout(
      `  OAuth         ${simulator.url}/oauth?client_id=${simulator.clientId}&redirect_uri=…  →  POST ${simulator.url}/auth/eagle/token`
    )
    io.stdout(`  client id     ${simulator.clientId}`)
    io.stdout(`  client secret ${show ? Redacted.value(simulator.clientSecret) : hidden}`)
    io.stdout(`  access token  ${show ? Redacted.value(simulator.accessToken) : hidden}`)
    io.stdout(`  rate limit    ${simulator.rateLimitPerMinute}/min in 10 s windows`)
    io.stdout(`  webhooks      ${(values["webhook-url"] ?? []).join(", ") || "none (add --webhook-url)"}`)
    if (faults.length > 0) io.stdout(`  faults        ${(values.fault ?? []).join(", ")}`)
  }
  simulator.dispatcher.onDelivery((delivery) => {
    if (values.json)
      io.stdout(
        JSON.stringify({ event: "delivery", ...delivery, payload: undefined, responseBody: undefined })
      )
    else io.stdout(`${delivery.topic} (${delivery.notificationId})\n${describeDelivery(delivery)}`)
  })
  await (io.stopSignal ?? new Promise<void>(() => {}))
  await simulator.close()
  if (!values.json) io.stdout("Simulator stopped.")
  return exitCodes.ok
}

const run = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  let parsed: { values: Values; positionals: Array<string> }
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw userInput(`${(error as Error).message}\n\n${usage}`)
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help || command === undefined) {
    io.stdout(usage)
    return command === undefined && !values.help ? exitCodes.user_input : exitCodes.ok
  }
  const base = values.sim ?? io.env.INTERCOM_SIM_URL ?? defaultSimUrl
  const adminToken = adminTokenOf(values, io.env)
  const callAdmin = (url: string, method: string, path: string, body?: unknown) =>
    admin(url, method, path, body, adminToken)
  switch (command) {
    case "serve":
      return serve(values, io)
    case "topics": {
      const topics =
        values.sim === undefined && io.env.INTERCOM_SIM_URL === undefined
          ? (await loadCore()).webhookFixtureTopics()
          : ((await callAdmin(base, "GET", "/_sim/topics")).topics as ReadonlyArray<string>)
      if (values.json) io.stdout(JSON.stringify({ topics }))
      else for (const topic of topics) io.stdout(topic)
      return exitCodes.ok
    }
    case "trigger": {
      const topic = rest[0]
      if (topic === undefined) {
        const topics = (await loadCore()).webhookFixtureTopics()
        throw userInput(`trigger needs a topic. Valid topics: ${topics.join(", ")}`, { topics })
      }
      const forwardTo = values["forward-to"]
      const direct = forwardTo !== undefined && values.sim === undefined
      for (const override of values.override ?? []) parseOverride(override)
      const output = direct
        ? await triggerDirect(values, io, topic, forwardTo)
        : ((await callAdmin(base, "POST", "/_sim/trigger", {
            topic,
            overrides: values.override ?? [],
            signature: signatureOf(values),
            forwardTo,
            count: number(values, "count", 1)
          })) as unknown as TriggerOutput)
      printNotifications(io, values.json, output, "Triggered")
      const failed = failedDeliveries(output)
      if (failed > 0) throw deliveryFailure(failed)
      return exitCodes.ok
    }
    case "resend": {
      const id = rest[0]
      if (id === undefined) throw userInput("resend needs a notification id (see `pnpm sim deliveries`)")
      const result = (await callAdmin(base, "POST", `/_sim/notifications/${encodeURIComponent(id)}/resend`, {
        forwardTo: values["forward-to"],
        signature: signatureOf(values)
      })) as { notificationId: string; deliveries: ReadonlyArray<DeliverySummary> }
      const output: TriggerOutput = {
        notifications: [{ id, topic: result.deliveries[0]?.topic ?? "", deliveries: result.deliveries }]
      }
      printNotifications(io, values.json, output, "Resent")
      const failed = failedDeliveries(output)
      if (failed > 0) throw deliveryFailure(failed)
      return exitCodes.ok
    }
    case "deliveries": {
      const limit = number(values, "limit", 20)
      const query = new URLSearchParams({ limit: String(limit) })
      if (values.topic !== undefined) query.set("topic", values.topic)
      const result = (await callAdmin(base, "GET", `/_sim/deliveries?${query}`)) as {
        deliveries: ReadonlyArray<DeliverySummary>
        total: number
      }
      if (values.json) {
        io.stdout(JSON.stringify(result))
        return exitCodes.ok
      }
      if (result.deliveries.length === 0) io.stdout("No deliveries yet.")
      for (const d of result.deliveries) {
        io.stdout(
          `${new Date(d.sentAt).toISOString()}  ${d.topic.padEnd(34)} ${String(d.status ?? "---").padEnd(4)} ${`${d.latencyMs.toFixed(1)} ms`.padStart(10)}  #${d.attempt}  ${d.notificationId}  ${d.url}${d.error === null ? "" : `  (${d.error})`}`
        )
      }
      return exitCodes.ok
    }
    default:
      throw userInput(
        `Unknown command "${command}". Commands: serve, trigger, resend, deliveries, topics.\n\n${usage}`
      )
  }
}

/** Runs one CLI invocation; never throws, returns the exit code. */
export const runCli = async (argv: ReadonlyArray<string>, io: CliIo): Promise<CliResult> => {
  const json = argv.includes("--json")
  try {
    return { exitCode: await run(argv, io) }
  } catch (caught) {
    const error =
      caught instanceof CliError
        ? caught
        : caught instanceof FaultSyntaxError || caught instanceof OverrideError
          ? userInput(caught.message)
          : new CliError({
              category: "internal",
              message: caught instanceof Error ? caught.message : String(caught)
            })
    if (json) {
      io.stderr(
        JSON.stringify({ error: { category: error.category, message: error.message, ...error.detail } })
      )
    } else {
      io.stderr(`Error: ${error.message}`)
    }
    return { exitCode: exitCodes[error.category] }
  }
}
