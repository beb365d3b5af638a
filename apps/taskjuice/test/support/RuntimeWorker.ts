#!/usr/bin/env node
/**
 * A runtime worker as TaskJuice would run one: a fresh process that imports the runtime entry it is
 * given (the built `dist/runtime.js`, or the sources), makes the runtime, and does what the test asks:
 * one action step, one webhook delivery, the manifest. Prints one JSON line with every result.
 * Started as `node RuntimeWorker.ts '<json>'` with {@link RuntimeWorkerTask}.
 */
import type * as RuntimeEntry from "../../src/runtime.ts"

export interface RuntimeWorkerTask {
  readonly entry: string
  readonly clientSecret: string
  readonly connection: { readonly id: string; readonly workspaceId: string; readonly apiBaseUrl: string }
  readonly accessToken: string
  readonly action: { readonly key: string; readonly input: unknown }
  /** The delivery's raw body (base64) and its headers. */
  readonly delivery: { readonly body: string; readonly headers: Record<string, string> }
}

const task = JSON.parse(process.argv[2] ?? "{}") as RuntimeWorkerTask
const runtime: typeof RuntimeEntry = await import(task.entry)
const worker = runtime.makeRuntime({ clientSecret: runtime.Redacted.make(task.clientSecret) })
worker.connections.put({
  ...task.connection,
  workspaceName: "Worker",
  adminId: "1",
  adminEmail: null,
  region: "us",
  accessToken: runtime.Redacted.make(task.accessToken),
  status: "active",
  connectedAt: new Date().toISOString()
})
const step = await worker.execute(task.action.key, task.action.input, task.connection.id)
const receipt = await worker.receiveWebhook(
  new Uint8Array(Buffer.from(task.delivery.body, "base64")),
  task.delivery.headers
)
const manifest = await worker.manifest()
process.stdout.write(
  `${JSON.stringify({
    step,
    receipt: receipt._tag === "Refused" ? receipt : runtime.acknowledgement(receipt),
    manifest
  })}\n`
)
