/**
 * Restart (issue 12): a workspace connected through OAuth, then the host killed with `kill -9` and
 * started again on the same state (and address). Without reconnecting, actions run and webhooks
 * activate; what was kept before the crash is still there: the connection, an activation the runtime
 * had not acknowledged yet, the dedupe mark of a delivered notification, a used OAuth state. On the
 * SQLite default and on Redis.
 */
import { makeBrowser, type SpawnedHost, stopAll } from "@taskjuice/intercom-bundle/testing"
import { type Simulator, startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  connectThroughOAuth,
  consumeActivations,
  type HostSetup,
  makeRuntimeToken,
  runtimeCall,
  startHost
} from "../src/HostProcesses.ts"
import { redisState, type SharedState, sqliteState } from "../src/SharedState.ts"

// Whatever a test's outcome, no host process it started outlives it.
afterEach(stopAll)

describe.each([
  ["sqlite", sqliteState],
  ["redis", redisState]
] as const)("a host restarted on the same %s state", (_backend, makeState) => {
  const clientSecret = Redacted.make("restart-client-secret")
  const token = makeRuntimeToken()
  let state: SharedState
  let sim: Simulator
  let setup: HostSetup

  beforeAll(async () => {
    state = await makeState()
    sim = await startSimulator({ clientSecret, seed: "restart" })
    setup = { state, intercomUrl: sim.url, clientId: sim.clientId, clientSecret, runtimeToken: token }
  })
  afterAll(async () => {
    await stopAll()
    await sim?.close()
    await state?.close()
  })

  const action = (host: SpawnedHost, key: string, connection: string, input: unknown) =>
    runtimeCall<{ output?: Record<string, unknown>; error?: { code: string } }>(
      host,
      token,
      `/actions/${encodeURIComponent(key)}`,
      { connection, input }
    )

  it("keeps the connection, pending activations, dedupe marks and used OAuth states across a kill -9", async () => {
    const first = await startHost(setup)
    sim.registerRedirectUri(first.redirectUri)
    const subscription = sim.subscribe(first.webhookUrl)
    const { connection, callbackUrl } = await connectThroughOAuth(first, token)
    const created = await action(first, "intercom/create-contact", connection.id, {
      role: "user",
      email: `before-${Date.now()}@example.com`
    })
    expect(created.status).toBe(200)
    const [delivered] = await sim.trigger("contact.user.created")
    await sim.settle()
    expect(delivered?.deliveries[0]?.status).toBe(200)

    // A crash: no chance to close anything.
    await first.kill("SIGKILL")
    const second = await startHost(setup, { port: Number(new URL(first.url).port) })
    expect(second.webhookUrl).toBe(first.webhookUrl)

    // The connection is there, and works, without reconnecting.
    const listed = await runtimeCall<{ connections: Array<{ id: string }> }>(second, token, "/connections")
    expect(listed.body.connections.map((listedConnection) => listedConnection.id)).toEqual([connection.id])
    const fetched = await action(second, "intercom/get-contact", connection.id, {
      contact_id: String(created.body.output?.id)
    })
    expect(fetched.status).toBe(200)
    expect(fetched.body.output?.id).toBe(created.body.output?.id)
    expect((await action(second, "intercom/list-tags", connection.id, {})).status).toBe(200)

    // The activation kept before the crash, never acknowledged, is read after it.
    const pending = await consumeActivations(second, token)
    expect(pending.map((activation) => activation.notificationId)).toContain(delivered?.id)

    // Its dedupe mark survived: Intercom's redelivery is acknowledged as a duplicate, activating nothing.
    const [redelivery] = await sim.resend(delivered?.id ?? "")
    expect(redelivery?.status).toBe(200)
    expect(JSON.parse(redelivery?.responseBody ?? "{}")).toEqual({
      received: "duplicate",
      notificationId: delivered?.id
    })

    // New webhooks activate for the same connection.
    const [fresh] = await sim.trigger("conversation.user.created")
    await sim.settle()
    const after = await consumeActivations(second, token)
    expect(after.map((activation) => [activation.notificationId, activation.connectionId])).toContainEqual([
      fresh?.id,
      connection.id
    ])
    expect(after.map((activation) => activation.notificationId)).not.toContain(delivered?.id)

    // The OAuth state spent before the crash stays spent.
    const [replayed] = await makeBrowser().visit(callbackUrl)
    expect(replayed?.status).toBe(400)
    expect(JSON.parse(replayed?.body ?? "{}").error.message).toMatch(/already used/)
    sim.dispatcher.unsubscribe(subscription.id)
  })
})
