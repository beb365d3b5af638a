#!/usr/bin/env node
/**
 * `pnpm taskjuice <command>`: run the bundle's local host, print its manifest, or regenerate its docs page.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import * as Redacted from "effect/Redacted"
import { startBundleHost } from "./BundleHost.ts"
import { docsPath, renderDocs } from "./Docs.ts"
import { defaultLimits, type HostLimits, type LimitName, limitFlags } from "./http/Limits.ts"
import { makeManifest } from "./Manifest.ts"

const usage = `Usage: pnpm taskjuice <command> [options]

Commands:
  serve       Run the local host (webhook endpoint, actions, manifest, OAuth, activations)
  manifest    Print the manifest as JSON
  docs        Write docs/intercom.md from the manifest (--check: fail if it is out of date)

serve options:
  --port <n>                 Port of the runtime API (default 4100; 0 picks a free one)
  --public-port <n>          A listener of its own for the public routes (webhooks, OAuth, health)
  --hostname <name>          Interface to listen on (default 127.0.0.1)
  --runtime-token-file <f>   File holding the runtime API's bearer token (or TASKJUICE_RUNTIME_TOKEN)
  --intercom-base-url <url>  Use this host for Intercom's API and consent page (e.g. the simulator)
  --public-url <url>         Where Intercom and browsers reach this host (default: its own address)
  --client-id <id>           The OAuth app's client id (or INTERCOM_CLIENT_ID)
  --client-secret <secret>   The OAuth app's client secret (prefer INTERCOM_CLIENT_SECRET: flags show in ps)
${(Object.keys(limitFlags) as Array<LimitName>)
  .map((name) => `  ${`${limitFlags[name]} <n>`.padEnd(27)}default ${defaultLimits[name]}`)
  .join("\n")}

Make a runtime token with: openssl rand -base64 32
`

const fail = (message: string): never => {
  process.stderr.write(`${message}\n\n${usage}`)
  process.exit(2)
}

const integerFlag = (flag: string, value: string, min: number, max: number): number => {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    fail(`${flag}: expected ${min}–${max}, got "${value}"`)
  return parsed
}

/** The runtime token from its file or the environment; never from a flag, which `ps` would show. */
const readRuntimeToken = async (file: string | undefined): Promise<string> => {
  const token =
    file === undefined
      ? process.env.TASKJUICE_RUNTIME_TOKEN
      : await readFile(file, "utf8").then(
          (text) => text.trim(),
          () => fail(`--runtime-token-file: cannot read "${file}"`)
        )
  if (token === undefined || token === "") {
    return fail("a runtime token is required: set TASKJUICE_RUNTIME_TOKEN or pass --runtime-token-file")
  }
  if (token.length < 16) return fail("the runtime token must be at least 16 characters")
  return token
}

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

const serve = async (args: ReadonlyArray<string>) => {
  const limitOptions = Object.fromEntries(
    Object.values(limitFlags).map((flag) => [flag.slice(2), { type: "string" as const }])
  )
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...limitOptions,
      port: { type: "string", default: "4100" },
      "public-port": { type: "string" },
      "runtime-token-file": { type: "string" },
      hostname: { type: "string", default: "127.0.0.1" },
      "intercom-base-url": { type: "string" },
      "public-url": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" }
    },
    strict: true
  })
  const flagValues = values as Record<string, string | undefined>
  const port = integerFlag("--port", values.port, 0, 65535)
  const publicPort =
    values["public-port"] === undefined
      ? undefined
      : integerFlag("--public-port", values["public-port"], 0, 65535)
  const limits: Partial<Record<keyof HostLimits, number>> = {}
  for (const name of Object.keys(limitFlags) as Array<LimitName>) {
    const value = flagValues[limitFlags[name].slice(2)]
    if (value !== undefined) limits[name] = integerFlag(limitFlags[name], value, 1, Number.MAX_SAFE_INTEGER)
  }
  const clientId = values["client-id"] ?? process.env.INTERCOM_CLIENT_ID
  if (clientId === undefined || clientId === "") fail("--client-id (or INTERCOM_CLIENT_ID) is required")
  const secret = values["client-secret"] ?? process.env.INTERCOM_CLIENT_SECRET
  if (secret === undefined || secret === "") fail("--client-secret (or INTERCOM_CLIENT_SECRET) is required")
  const runtimeToken = await readRuntimeToken(values["runtime-token-file"])
  guardProcess()
  const host = await startBundleHost({
    port,
    ...(publicPort === undefined ? {} : { publicPort }),
    runtimeToken: Redacted.make(runtimeToken),
    limits,
    hostname: values.hostname,
    clientId: clientId as string,
    clientSecret: Redacted.make(secret as string),
    ...(values["intercom-base-url"] === undefined ? {} : { intercomBaseUrl: values["intercom-base-url"] }),
    ...(values["public-url"] === undefined ? {} : { publicUrl: values["public-url"] })
  })
  process.stdout.write(
    `${JSON.stringify({
      event: "listening",
      url: host.url,
      publicUrl: host.publicUrl,
      webhookUrl: host.webhookUrl,
      redirectUri: host.redirectUri,
      connect: `POST ${host.url}/oauth/start`,
      intercom: values["intercom-base-url"] ?? "https://api.intercom.io"
    })}\n`
  )
  const stop = () => {
    host.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

const docs = async (args: ReadonlyArray<string>) => {
  const { values } = parseArgs({
    args: [...args],
    options: { check: { type: "boolean", default: false } },
    strict: true
  })
  const target = fileURLToPath(new URL(`../${docsPath}`, import.meta.url))
  const page = renderDocs(makeManifest())
  if (values.check) {
    const current = await readFile(target, "utf8").catch(() => "")
    if (current !== page) {
      process.stderr.write(`${docsPath} is out of date; run: pnpm taskjuice docs\n`)
      process.exit(1)
    }
    process.stdout.write(`${docsPath} is up to date\n`)
    return
  }
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, page)
  process.stdout.write(`wrote ${docsPath}\n`)
}

const [command, ...rest] = process.argv.slice(2)
switch (command) {
  case "serve":
    await serve(rest)
    break
  case "manifest":
    process.stdout.write(`${JSON.stringify(makeManifest(), null, 2)}\n`)
    break
  case "docs":
    await docs(rest)
    break
  case undefined:
  case "help":
  case "--help":
    process.stdout.write(usage)
    break
  default:
    fail(`Unknown command "${command}"`)
}
