/**
 * `./dev taskjuice serve`: the bundle's host (webhook endpoint, OAuth, actions, activations) until
 * stopped, one process or `--workers N` over one shared state. It prints where it listens, then one
 * line per event (each delivery's receipt, each activation, each connection), or JSON lines under
 * `--json`. Everything it needs is checked before anything starts, and each problem is one line with
 * the fix: a bad flag, a missing secret or state key, a busy port, an unreachable Redis.
 */
import { readFile } from "node:fs/promises"
import { CommandError, Flags, Json, listenFailure, Output } from "@taskjuice/intercom-cli"
import {
  defaultStateLocation,
  formatStateLocation,
  keyVariable,
  parseStateLocation,
  StateKeyError,
  type StateLocation,
  StateLocationError,
  stateKeysFromEnv,
  stateVariable
} from "@taskjuice/intercom-state"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import type * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { defaultLimits, type HostLimits, type LimitName, limitFlags } from "../http/Limits.ts"

export const defaultPort = 4020
const runtimeTokenVariable = "TASKJUICE_RUNTIME_TOKEN"
const makeSecret = "openssl rand -base64 32"

const limitNames = Object.keys(limitFlags) as Array<LimitName>

const limitFlag = (name: LimitName) =>
  Flags.integer(limitFlags[name].slice(2), { min: 1 }).pipe(
    Flag.withDescription(`default ${defaultLimits[name]}`),
    Flag.optional
  )

const flags = {
  state: Flag.String("state").pipe(
    Flag.withMetavar("LOCATION"),
    Flag.withDescription(
      `where connections, OAuth nonces, activations and rate-limit windows are kept, shared by every worker (or ${stateVariable}): sqlite:PATH (default ${defaultStateLocation}), redis://HOST:PORT/DB, or memory (this process only); sqlite and redis seal tokens with ${keyVariable}`
    ),
    Flag.optional
  ),
  workers: Flags.integer("workers", { min: 1, max: 64 }).pipe(
    Flag.withDescription("worker processes sharing the ports and the state (default 1)"),
    Flag.withDefault(1)
  ),
  host: Flags.host,
  port: Flags.port(defaultPort).pipe(
    Flag.withDescription(`port of the runtime API (0 picks a free one; default ${defaultPort})`)
  ),
  publicPort: Flags.integer("public-port", { min: 0, max: 65_535 }).pipe(
    Flag.withDescription("a listener of its own for the public routes (webhooks, OAuth, health)"),
    Flag.optional
  ),
  runtimeTokenFile: Flag.String("runtime-token-file").pipe(
    Flag.withMetavar("FILE"),
    Flag.withDescription(`a file holding the runtime API's bearer token (or ${runtimeTokenVariable})`),
    Flag.optional
  ),
  intercomBaseUrl: Flags.url("intercom-base-url").pipe(
    Flag.withDescription("use this host for Intercom's API and consent page (e.g. the simulator)"),
    Flag.optional
  ),
  publicUrl: Flags.url("public-url").pipe(
    Flag.withDescription("where Intercom and browsers reach this host (default: its own address)"),
    Flag.optional
  ),
  clientId: Flag.String("client-id").pipe(
    Flag.withMetavar("ID"),
    Flag.withDescription("the OAuth app's client id (or INTERCOM_CLIENT_ID)"),
    Flag.withFallbackConfig(Config.String("INTERCOM_CLIENT_ID")),
    Flag.optional
  ),
  clientSecret: Flag.Redacted("client-secret").pipe(
    Flag.withMetavar("SECRET"),
    Flag.withDescription("the OAuth app's client secret (prefer INTERCOM_CLIENT_SECRET: flags show in ps)"),
    Flag.withFallbackConfig(Config.Redacted("INTERCOM_CLIENT_SECRET")),
    Flag.optional
  ),
  limits: Object.fromEntries(limitNames.map((name) => [name, limitFlag(name)])) as {
    readonly [Name in LimitName]: Flag.Flag<Option.Option<number>>
  }
}

/** Where `serve` asked to listen. */
interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly publicPort: Option.Option<number>
}

const given = <A>(option: Option.Option<A>, isEmpty: (value: A) => boolean) =>
  Option.filter(option, (value) => !isEmpty(value))

/** The runtime token from its file or the environment; never from a flag, which `ps` would show. */
const runtimeToken = (file: Option.Option<string>) =>
  Effect.gen(function* () {
    const token = Option.isSome(file)
      ? yield* Effect.tryPromise({
          try: () => readFile(file.value, "utf8").then((text) => text.trim()),
          catch: (error) =>
            CommandError.filesystem(
              `--runtime-token-file: cannot read "${file.value}" (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
              { fix: "pass a file you can read, holding the token on one line" }
            )
        })
      : Option.getOrUndefined(
          Option.map(yield* Config.option(Config.Redacted(runtimeTokenVariable)), Redacted.value)
        )
    if (token === undefined || token === "") {
      return yield* CommandError.userInput("a runtime token is required", {
        fix: `set ${runtimeTokenVariable} or pass --runtime-token-file FILE; make one with: ${makeSecret}`
      })
    }
    if (token.length < 16) {
      return yield* CommandError.userInput("the runtime token must be at least 16 characters", {
        fix: `make one with: ${makeSecret}`
      })
    }
    return Redacted.make(token)
  })

/** The state location and its keys, checked before anything starts. */
const stateLocation = (flag: Option.Option<string>) =>
  Effect.gen(function* () {
    // An empty variable counts as unset, as a shell's `TASKJUICE_STATE= cmd` means it.
    const fromEnv = given(yield* Config.option(Config.String(stateVariable)), (text) => text.trim() === "")
    const source = Option.isSome(flag) ? "--state" : stateVariable
    const text = Option.getOrElse(
      Option.orElse(flag, () => fromEnv),
      () => defaultStateLocation
    )
    const location = parseStateLocation(text, source)
    if (location instanceof StateLocationError) return yield* CommandError.userInput(location.message)
    if (location._tag !== "Memory") {
      const keys = stateKeysFromEnv()
      if (keys instanceof StateKeyError) return yield* CommandError.userInput(keys.message)
    }
    return location
  })

/**
 * Past the acknowledgement nothing may take the process down: an uncaught exception or unhandled
 * rejection is logged (its name and message, never its values) and the host keeps serving.
 */
const guardProcess = () => {
  const report = (event: string) => (error: unknown) => {
    try {
      process.stderr.write(
        `${JSON.stringify({ event, error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error value" })}\n`
      )
    } catch {
      // Nothing left to tell.
    }
  }
  process.on("uncaughtException", report("uncaught-exception"))
  process.on("unhandledRejection", report("unhandled-rejection"))
}

/** Why the host did not start, as one line with the fix; anything unforeseen stays an internal error. */
const startFailure = (error: unknown, options: ListenOptions, state: StateLocation): unknown => {
  const listening = listenFailure(error, {
    host: options.host,
    listeners: [
      { flag: "--port", port: options.port },
      ...Option.toArray(Option.map(options.publicPort, (port) => ({ flag: "--public-port", port })))
    ]
  })
  if (listening !== undefined) return listening
  const name = (error as { _tag?: unknown })._tag
  const message = error instanceof Error ? error.message : String(error)
  if (name === "StoreUnavailable") {
    return CommandError.network(message, {
      fix:
        state._tag === "Redis"
          ? `start Redis at ${formatStateLocation(state)}, or pass --state sqlite:PATH to keep the state in a file`
          : "check that the state file's directory exists and is writable, and that no other program holds the file"
    })
  }
  if (name === "StateKeyError" || name === "StateLocationError") return CommandError.userInput(message)
  return error
}

const listeningLines = (entry: {
  readonly url: string
  readonly webhookUrl: string
  readonly redirectUri: string
  readonly intercom: string
  readonly state: string
  readonly workers?: ReadonlyArray<number> | undefined
}) => [
  `TaskJuice bundle host listening at ${entry.url}${
    entry.workers === undefined ? "" : ` (${entry.workers.length} workers: ${entry.workers.join(", ")})`
  }`,
  `  webhook endpoint  ${entry.webhookUrl} (register it in Intercom's Developer Hub)`,
  `  OAuth redirect    ${entry.redirectUri} (register it on the OAuth app)`,
  `  connect           POST ${entry.url}/oauth/start with the runtime token`,
  `  Intercom          ${entry.intercom}`,
  `  state             ${entry.state}`,
  "Ctrl-C to stop; one line per delivery, activation and connection below."
]

export const serve = Command.make("serve", flags, (options) =>
  Effect.gen(function* () {
    const clientId = given(options.clientId, (id) => id === "")
    if (Option.isNone(clientId)) {
      return yield* CommandError.userInput("--client-id (or INTERCOM_CLIENT_ID) is required", {
        fix: "pass the OAuth app's client id from Intercom's Developer Hub"
      })
    }
    const clientSecret = given(options.clientSecret, (secret) => Redacted.value(secret) === "")
    if (Option.isNone(clientSecret)) {
      return yield* CommandError.userInput("--client-secret (or INTERCOM_CLIENT_SECRET) is required", {
        fix: "set INTERCOM_CLIENT_SECRET to the OAuth app's client secret"
      })
    }
    const token = yield* runtimeToken(options.runtimeTokenFile)
    const state = yield* stateLocation(options.state)
    if (options.workers > 1 && state._tag === "Memory") {
      return yield* CommandError.userInput(
        `--workers ${options.workers} needs a state the workers share: memory is each process's own`,
        { fix: "pass --state sqlite:PATH or --state redis://HOST:PORT/DB" }
      )
    }
    const limits: Partial<Record<keyof HostLimits, number>> = {}
    for (const name of limitNames) {
      const value = options.limits[name]
      if (Option.isSome(value)) limits[name] = value.value
    }
    const json = yield* Json
    // The host calls back outside this fiber: its lines are printed with this fiber's settings and clock.
    const context = yield* Effect.context<GlobalFlag.Setting.Identifier<"json">>()
    const print = (value: unknown, lines: () => string | ReadonlyArray<string>) =>
      Effect.runSyncWith(context)(Output.result(value, lines))
    const clock = yield* Clock.Clock
    const { makeHostEventPrinter } = yield* Effect.promise(() => import("../HostEvents.ts"))
    const events = makeHostEventPrinter({
      json,
      writeLine: (line) => Effect.runSyncWith(context)(Console.log(line)),
      now: () => clock.currentTimeMillisUnsafe()
    })
    const intercom = Option.getOrElse(options.intercomBaseUrl, () => "https://api.intercom.io")
    // Shown without a Redis password.
    const shownState = formatStateLocation(state)
    const workers = yield* Effect.promise(() => import("../Workers.ts"))
    guardProcess()
    if (options.workers > 1 && !workers.isWorker()) {
      // The primary stops its workers and exits by itself on a signal: that must not be cut short.
      return yield* Effect.uninterruptible(
        Effect.promise(() =>
          workers.runPrimary({
            count: options.workers,
            writeLine: (entry) => {
              if (entry.event !== "listening") return events.print(entry)
              const listening = {
                event: "listening",
                url: String(entry.url),
                publicUrl: String(entry.publicUrl),
                webhookUrl: String(entry.webhookUrl),
                redirectUri: String(entry.redirectUri),
                workers: entry.workers as ReadonlyArray<number>,
                connect: `POST ${String(entry.url)}/oauth/start`,
                intercom,
                state: shownState
              }
              print(listening, () => listeningLines(listening))
            }
          })
        )
      )
    }
    const { startBundleHost } = yield* Effect.promise(() => import("../BundleHost.ts"))
    const host = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startBundleHost({
            state,
            port: options.port,
            ...Option.match(options.publicPort, {
              onNone: () => ({}),
              onSome: (publicPort) => ({ publicPort })
            }),
            runtimeToken: token,
            limits,
            hostname: options.host,
            clientId: clientId.value,
            clientSecret: clientSecret.value,
            ...Option.match(options.intercomBaseUrl, {
              onNone: () => ({}),
              onSome: (intercomBaseUrl) => ({ intercomBaseUrl })
            }),
            ...Option.match(options.publicUrl, {
              onNone: () => ({}),
              onSome: (publicUrl) => ({ publicUrl })
            }),
            writeLine: events.print
          }),
        catch: (error) => startFailure(error, options, state)
      }),
      (started) => Effect.promise(() => started.close())
    )
    const addresses = {
      url: host.url,
      publicUrl: host.publicUrl,
      webhookUrl: host.webhookUrl,
      redirectUri: host.redirectUri
    }
    const stopped = yield* Deferred.make<void>()
    const stop = () => {
      Deferred.doneUnsafe(stopped, Exit.void)
    }
    if (workers.isWorker()) {
      workers.reportToPrimary({ event: "listening", ...addresses, pid: process.pid }, stop)
    } else {
      workers.exitWithParent(stop)
      const listening = {
        event: "listening",
        ...addresses,
        connect: `POST ${host.url}/oauth/start`,
        intercom,
        state: shownState
      }
      print(listening, () => listeningLines(listening))
    }
    // Until a signal interrupts it, or the parent (or the primary) goes away; the scope closes the host.
    yield* Deferred.await(stopped)
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run the bundle's host: the webhook endpoint, OAuth, the actions and the activations, until stopped"
  ),
  Command.withExamples([
    {
      command: `TASKJUICE_RUNTIME_TOKEN=$(${makeSecret}) TASKJUICE_STATE_KEY=$(${makeSecret}) INTERCOM_CLIENT_SECRET=… ./dev taskjuice serve --client-id ID`,
      description: `on :${defaultPort}, the state in ${defaultStateLocation}`
    },
    {
      command: "./dev taskjuice serve --client-id ID --state redis://127.0.0.1:6379/0 --workers 3",
      description: "three workers over one Redis"
    },
    {
      command:
        "./dev taskjuice serve --client-id sim_client_id --intercom-base-url http://127.0.0.1:4010 --port 0 --json",
      description: "against the simulator, on a free port, JSON lines"
    }
  ])
)
