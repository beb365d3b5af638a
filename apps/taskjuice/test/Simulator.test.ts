/**
 * The bundle end to end against the Intercom simulator: connect over OAuth, receive the simulator's
 * signed webhooks as activations, run actions against its API, and see a revoked token fail.
 */
import { type Simulator, startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import type { Activation } from "../src/Activation.ts"
import { type BundleHost, startBundleHost } from "../src/BundleHost.ts"
import type { ConnectionSummary } from "../src/Connection.ts"
import type { StepError } from "../src/StepError.ts"
import { makeBrowser } from "../src/testing/Browser.ts"
import { runtimeFetch } from "./support/Runtime.ts"

const clientSecret = "sim-client-secret-e2e"
let sim: Simulator
let host: BundleHost
let connection: ConnectionSummary

beforeAll(async () => {
  // Intercom's own 5 s answer window: a loaded machine may take longer than a scaled one to answer.
  sim = await startSimulator({ clientSecret, seed: 7 })
  host = await startBundleHost({
    intercomBaseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: Redacted.make(clientSecret),
    writeLine: () => {}
  })
  sim.subscribe(host.webhookUrl)
  sim.registerRedirectUri(host.redirectUri)
})
afterAll(async () => {
  await host.close()
  await sim.close()
})

const action = async (key: string, input: unknown) => {
  const response = await runtimeFetch(host, `/actions/${key}`, { body: { connection: connection.id, input } })
  return {
    status: response.status,
    body: (await response.json()) as { output?: Record<string, unknown>; error?: StepError }
  }
}

describe("the bundle against the Intercom simulator", () => {
  it("connects a workspace through the simulator's OAuth", async () => {
    const start = (await (await runtimeFetch(host, "/oauth/start", { body: {} })).json()) as { url: string }
    const steps = await makeBrowser().visit(start.url)
    assert.deepStrictEqual(
      steps.map((step) => step.status),
      [302, 302, 200]
    )
    connection = (JSON.parse(steps[2]?.body ?? "{}") as { connection: ConnectionSummary }).connection
    assert.strictEqual(connection.apiBaseUrl, sim.url)
    assert.isNotEmpty(connection.workspaceId)
    assert.isNotEmpty(connection.workspaceName)
  })

  it("turns the simulator's signed deliveries into activations for the connection", async () => {
    const seen = new Promise<Activation>((resolve) => {
      const stop = host.activations.subscribe((activation) => {
        stop()
        resolve(activation)
      })
    })
    const [notification] = await sim.trigger("contact.user.created")
    await sim.settle()
    const activation = await seen
    // The listener runs on a later turn than the answer is produced; the simulator records it after.
    await sim.settle()
    assert.strictEqual(activation.triggerKey, "intercom/contact-created")
    assert.strictEqual(activation.connectionId, connection.id)
    assert.strictEqual(activation.notificationId, notification?.id)
    assert.strictEqual(notification?.deliveries[0]?.status, 200)

    // A redelivery of the same notification is acknowledged and dropped.
    const before = host.activations.recent().length
    const [redelivery] = await sim.resend(notification?.id ?? "")
    assert.strictEqual(redelivery?.status, 200)
    assert.strictEqual(host.activations.recent().length, before)
  })

  it("runs actions against the simulator's API", async () => {
    const email = `ada+${Date.now()}@example.com`
    const created = await action("intercom/create-contact", { role: "user", email, name: "Ada Lovelace" })
    assert.strictEqual(created.status, 200, JSON.stringify(created.body))
    const id = String(created.body.output?.id)
    const fetched = await action("intercom/get-contact", { contact_id: id })
    assert.strictEqual(fetched.body.output?.email, email)
    const tags = await action("intercom/list-tags", {})
    assert.strictEqual(tags.status, 200, JSON.stringify(tags.body))
    const missing = await action("intercom/get-contact", { contact_id: "000000000000000000000000" })
    assert.strictEqual(missing.body.error?.code, "NOT_FOUND")
  })

  it("reports AUTH_REVOKED once the simulator revokes the token", async () => {
    const token = host.connections.get(connection.id)?.accessToken
    assert.isTrue(sim.revokeToken(Redacted.value(token ?? Redacted.make(""))))
    const revoked = await action("intercom/list-tags", {})
    assert.strictEqual(revoked.status, 401)
    assert.strictEqual(revoked.body.error?.code, "AUTH_REVOKED")
    assert.strictEqual(host.connections.get(connection.id)?.status, "revoked")
  })
})
