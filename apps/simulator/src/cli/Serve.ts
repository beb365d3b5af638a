/**
 * `./dev sim serve`: runs the simulator until stopped (Ctrl-C), printing how to reach it and then one
 * line per delivery. With no flags it works: the client secret is generated on the first run (and
 * reused after) and, like the access token and the admin token, written to the state directory for
 * the owner to read; no secret is ever printed.
 */
import { randomBytes } from "node:crypto"
import { CommandError, Flags, Json, Output } from "@taskjuice/intercom-cli"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseFault } from "../Faults.ts"
import { signatureModes } from "../SignatureMode.ts"
import { makeAdminClient } from "./AdminClient.ts"
import { followDeliveries } from "./Follow.ts"
import { readStateFile, stateDirFlag, stateFilePath, writeStateFile } from "./StateDir.ts"

const defaultPort = 4010

const faultsFlag = Flag.String("fault").pipe(
  Flag.withMetavar("SPEC"),
  Flag.withDescription(
    "<route>:<kind>[=<arg>][@<probability>] (repeatable). Before the work (nothing changes): 5xx, slow=<ms>, timeout, drop, revoked; after it (done, the answer cut, lost or late): malformed, drop-after, slow-after=<ms>; e.g. 'POST /contacts:503@0.2'"
  ),
  Flag.atLeast(0),
  // Checked here, passed on as written (the simulator reads the same syntax).
  Flags.parsedWith((texts) => {
    for (const text of texts) parseFault(text)
    return texts
  })
)

const flags = {
  host: Flags.host,
  port: Flags.port(defaultPort),
  clientSecret: Flag.Redacted("client-secret").pipe(
    Flag.withMetavar("SECRET"),
    Flag.withDescription(
      "signs webhooks and checks the OAuth code exchange (or INTERCOM_CLIENT_SECRET; default: generated into <state-dir>/client-secret, reused after)"
    ),
    Flag.withFallbackConfig(Config.Redacted("INTERCOM_CLIENT_SECRET")),
    Flag.optional
  ),
  clientId: Flag.String("client-id").pipe(
    Flag.withMetavar("ID"),
    Flag.withDescription("the OAuth app's client id (default sim_client_id)"),
    Flag.withDefault("sim_client_id")
  ),
  webhookUrls: Flags.url("webhook-url").pipe(
    Flag.withDescription("subscribe URL to every topic (repeatable)"),
    Flag.atLeast(0)
  ),
  redirectUris: Flags.url("redirect-uri").pipe(
    Flag.withDescription(
      "an OAuth redirect URI the app registered (repeatable); /oauth redirects only there"
    ),
    Flag.atLeast(0)
  ),
  signature: Flags.choice("signature", signatureModes).pipe(
    Flag.withDescription("the signature headers on deliveries (default both)"),
    Flag.withDefault("both")
  ),
  rateLimit: Flags.integer("rate-limit", { min: 1 }).pipe(
    Flag.withDescription("requests per minute per app, spread over 10 s windows (default 1000)"),
    Flag.withDefault(1000)
  ),
  faults: faultsFlag,
  seed: Flag.String("seed").pipe(
    Flag.withDescription("makes faults and generated data reproducible"),
    Flag.optional
  ),
  stateFile: Flag.String("state-file").pipe(
    Flag.withMetavar("FILE"),
    Flag.withDescription("keep the state in a SQLite file (in memory otherwise)"),
    Flag.optional
  ),
  stateDir: stateDirFlag,
  timeScale: Flags.positiveNumber("time-scale").pipe(
    Flag.withDescription("multiplies the 5 s delivery timeout and 1 min retry, e.g. 0.01 (default 1)"),
    Flag.withDefault(1)
  ),
  apiVersion: Flag.String("api-version").pipe(
    Flag.withMetavar("VERSION"),
    Flag.withDescription(
      "the app's Intercom-Version, for requests without one and for webhooks (default: the pinned one)"
    ),
    Flag.optional
  ),
  accessToken: Flag.Redacted("access-token").pipe(
    Flag.withMetavar("TOKEN"),
    Flag.withDescription(
      "a Bearer token valid from the start (default: generated into <state-dir>/access-token)"
    ),
    Flag.optional
  )
}

type Source = "flag" | "generated" | "reused"

/** The client secret: given, else the one an earlier run generated, else a new one (written for the owner). */
const clientSecretFor = (given: Option.Option<Redacted.Redacted<string>>, stateDir: string) =>
  Effect.gen(function* () {
    if (Option.isSome(given)) return { secret: given.value, source: "flag" as Source }
    const earlier = yield* readStateFile(stateDir, "clientSecret")
    if (earlier !== undefined) return { secret: earlier, source: "reused" as Source }
    const secret = Redacted.make(`sim_cs_${randomBytes(24).toString("base64url")}`)
    yield* writeStateFile(stateDir, "clientSecret", secret)
    return { secret, source: "generated" as Source }
  })

const errorCode = (error: unknown): string | undefined => {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  const message = error instanceof Error ? error.message : String(error)
  return /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES|ENOENT)\b/.exec(message)?.[1]
}

/** Why the simulator did not start, as the error a user can act on; anything else stays a bug. */
const startFailure = (
  error: unknown,
  options: { readonly host: string; readonly port: number; readonly stateFile: Option.Option<string> }
) => {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code === "EADDRINUSE") {
    return CommandError.userInput(`port ${options.port} on ${options.host} is in use`, {
      fix: "pass --port 0 for any free port, or another --port"
    })
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return CommandError.userInput(`cannot listen on --host ${options.host} (${code})`, {
      fix: "pass an address of this machine, e.g. --host 127.0.0.1"
    })
  }
  if (code === "EACCES" && Option.isNone(options.stateFile)) {
    return CommandError.userInput(`not allowed to listen on port ${options.port}`, {
      fix: "pass a port above 1023, or --port 0"
    })
  }
  if (
    Option.isSome(options.stateFile) &&
    (code?.startsWith("ERR_SQLITE") || code === "ENOENT" || code === "EACCES" || /lock/i.test(message))
  ) {
    return CommandError.filesystem(`cannot open the state file ${options.stateFile.value}: ${message}`, {
      fix: "pass a --state-file in a directory you can write, not in use by another simulator"
    })
  }
  return error
}

export const serve = Command.make("serve", flags, (options) =>
  Effect.gen(function* () {
    const client = yield* Effect.promise(() => import("@taskjuice/intercom-client"))
    if (
      Option.isSome(options.apiVersion) &&
      !(client.pinnedVersions as ReadonlyArray<string>).includes(options.apiVersion.value)
    ) {
      return yield* CommandError.unknownChoice({
        what: "Intercom API version",
        value: options.apiVersion.value,
        choices: client.pinnedVersions,
        label: "versions",
        fix: "--api-version is only the default: requests choose theirs with Intercom-Version"
      })
    }
    const { secret, source } = yield* clientSecretFor(options.clientSecret, options.stateDir)
    const { startSimulator } = yield* Effect.promise(() => import("../Simulator.ts"))
    const simulator = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startSimulator({
            clientSecret: secret,
            port: options.port,
            host: options.host,
            clientId: options.clientId,
            accessToken: Option.getOrUndefined(options.accessToken),
            webhookUrls: options.webhookUrls,
            redirectUris: options.redirectUris,
            // The simulator writes its admin token there (0600) for the other commands.
            stateDir: options.stateDir,
            signature: options.signature,
            rateLimitPerMinute: options.rateLimit,
            faults: options.faults,
            // "--seed 42" means the number 42 (printed back as 42); any other text is hashed.
            seed: Option.getOrUndefined(
              Option.map(options.seed, (seed) => (/^\d+$/.test(seed) ? Number(seed) : seed))
            ),
            stateFile: Option.getOrUndefined(options.stateFile),
            timeScale: options.timeScale,
            apiVersion: Option.getOrUndefined(options.apiVersion)
          }),
        catch: (error) => startFailure(error, options)
      }),
      (started) => Effect.promise(() => started.close())
    )
    const files = {
      clientSecret: source === "flag" ? undefined : stateFilePath(options.stateDir, "clientSecret"),
      accessToken: Option.isSome(options.accessToken)
        ? undefined
        : yield* writeStateFile(options.stateDir, "accessToken", simulator.accessToken),
      adminToken: stateFilePath(options.stateDir, "adminToken")
    }
    const admin = yield* makeAdminClient(simulator.url, Option.some(simulator.adminToken))
    const state = yield* Effect.orElseSucceed(
      admin.get<{ readonly workspace?: { readonly id_code?: string } }>("/_sim/state"),
      () => ({}) as { readonly workspace?: { readonly id_code?: string } }
    )
    const workspace = state.workspace?.id_code
    const ready = {
      event: "ready",
      url: simulator.url,
      dashboard: `${simulator.url}/`,
      workspace: workspace ?? null,
      clientId: simulator.clientId,
      apiVersion: simulator.apiVersion,
      seed: simulator.seed,
      rateLimitPerMinute: simulator.rateLimitPerMinute,
      webhookUrls: options.webhookUrls,
      faults: options.faults,
      stateDir: options.stateDir,
      clientSecret: { source, file: files.clientSecret ?? null },
      accessTokenFile: files.accessToken ?? null,
      adminTokenFile: files.adminToken
    }
    yield* Output.result(ready, () => [
      `Intercom simulator ready at ${simulator.url} (Intercom-Version ${simulator.apiVersion} by default, seed ${simulator.seed})`,
      `  dashboard      ${simulator.url}/`,
      ...(workspace === undefined
        ? []
        : [`  workspace      ${workspace} (webhooks carry it as app_id; connections are keyed by it)`]),
      `  OAuth          ${simulator.url}/oauth?client_id=${simulator.clientId}&redirect_uri=…  →  POST ${simulator.url}/auth/eagle/token`,
      `  client id      ${simulator.clientId}`,
      `  client secret  ${
        files.clientSecret === undefined
          ? "from --client-secret or INTERCOM_CLIENT_SECRET (not shown)"
          : `${source === "generated" ? "generated" : "the last run's"}, in ${files.clientSecret} (cat ${files.clientSecret})`
      }`,
      `  access token   ${files.accessToken === undefined ? "from --access-token (not shown)" : `in ${files.accessToken}`}`,
      ...(files.adminToken === undefined
        ? []
        : [`  admin token    in ${files.adminToken} (the CLI reads it from there)`]),
      `  rate limit     ${simulator.rateLimitPerMinute}/min (${client.windowAllowance(simulator.rateLimitPerMinute)} per 10 s window)`,
      `  webhooks       ${
        options.webhookUrls.length === 0
          ? "none: add --webhook-url URL, or run ./dev sim listen --forward-to URL"
          : options.webhookUrls.join(", ")
      }`,
      ...(options.faults.length === 0 ? [] : [`  faults         ${options.faults.join(", ")}`])
    ])
    const json = yield* Json
    yield* followDeliveries(admin, () => true).pipe(
      Effect.onInterrupt(() =>
        Console.log(json ? JSON.stringify({ event: "stopped" }) : "Simulator stopped.")
      )
    )
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription("Run the simulator; the dashboard is at its URL"),
  Command.withExamples([
    {
      command: "./dev sim serve",
      description: "on :4010, with a generated client secret in .sim/client-secret"
    },
    {
      command:
        "./dev sim serve --webhook-url http://127.0.0.1:3000/webhooks/intercom --fault '*:503@0.05' --seed 7",
      description: "deliver every topic to a receiver; 5% of API calls fail with 503"
    },
    {
      command: "./dev sim serve --fault 'POST /contacts:drop-after@0.3'",
      description: "creations whose answer is lost"
    }
  ])
)
