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
import { makeManifest } from "./Manifest.ts"

const usage = `Usage: pnpm taskjuice <command> [options]

Commands:
  serve       Run the local host (webhook endpoint, actions, manifest, OAuth, activations)
  manifest    Print the manifest as JSON
  docs        Write docs/intercom.md from the manifest (--check: fail if it is out of date)

serve options:
  --port <n>                 Port to listen on (default 4100; 0 picks a free one)
  --hostname <name>          Interface to listen on (default 127.0.0.1)
  --intercom-base-url <url>  Use this host for Intercom's API and consent page (e.g. the simulator)
  --public-url <url>         Where Intercom and browsers reach this host (default: its own address)
  --client-id <id>           The OAuth app's client id (or INTERCOM_CLIENT_ID)
  --client-secret <secret>   The OAuth app's client secret (prefer INTERCOM_CLIENT_SECRET: flags show in ps)
`

const fail = (message: string): never => {
  process.stderr.write(`${message}\n\n${usage}`)
  process.exit(2)
}

const serve = async (args: ReadonlyArray<string>) => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "4100" },
      hostname: { type: "string", default: "127.0.0.1" },
      "intercom-base-url": { type: "string" },
      "public-url": { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" }
    },
    strict: true
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port: expected 0–65535, got "${values.port}"`)
  const clientId = values["client-id"] ?? process.env.INTERCOM_CLIENT_ID
  if (clientId === undefined || clientId === "") fail("--client-id (or INTERCOM_CLIENT_ID) is required")
  const secret = values["client-secret"] ?? process.env.INTERCOM_CLIENT_SECRET
  if (secret === undefined || secret === "") fail("--client-secret (or INTERCOM_CLIENT_SECRET) is required")
  const host = await startBundleHost({
    port,
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
      webhookUrl: host.webhookUrl,
      redirectUri: host.redirectUri,
      connect: `${host.url}/oauth/start`,
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
