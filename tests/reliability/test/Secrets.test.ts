/**
 * The canary secrets through the paths the other files do not take: connecting a workspace through
 * the simulated OAuth (the client secret authenticates the code exchange), every action's success
 * path, signed webhooks from the simulator to the bundle, a refused code exchange, a forged OAuth
 * callback, a revoked token, and every read-only route of both servers. Nothing may show a canary, or
 * the token the simulator issued, anywhere.
 */
import { inspect } from "node:util"
import { type BundleHost, runtimeAuthorization, startBundleHost } from "@taskjuice/intercom-bundle"
import { makeBrowser } from "@taskjuice/intercom-bundle/testing"
import { startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, describe, expect, it } from "vitest"
import { makeCanaries, watchForLeaks } from "../src/Canary.ts"
import { matrixActions } from "../src/FaultMatrix.ts"

const canaries = makeCanaries()
const watch = watchForLeaks(canaries)
afterAll(() => watch.stop())

const read = async (where: string, url: string, init?: RequestInit) => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  watch.inspect(where, `${response.status} ${JSON.stringify([...response.headers])} ${text}`)
  return { status: response.status, text }
}

/** The runtime asks for a start link, a browser follows it through consent; every answer inspected. */
const connectThroughBrowser = async (where: string, host: BundleHost) => {
  const start = await read(`${where}: POST /oauth/start`, `${host.url}/oauth/start`, {
    method: "POST",
    headers: { ...runtimeAuthorization(host.runtimeToken), "content-type": "application/json" },
    body: "{}"
  })
  const steps = await makeBrowser().visit((JSON.parse(start.text) as { url: string }).url)
  for (const step of steps)
    watch.inspect(`${where}: ${step.url}`, `${step.status} ${step.location} ${step.body}`)
  return { status: steps.at(-1)?.status ?? 0 }
}

describe("secrets never leak", () => {
  it("the watch finds a canary when one is printed (so it can fail)", () => {
    const probe = watchForLeaks(canaries)
    try {
      probe.inspect("probe", `token=${Redacted.value(canaries.accessToken)}`)
      probe.writeLine(`{"secret":"${Redacted.value(canaries.clientSecret)}"}`)
      expect(probe.leaks().map((leak) => leak.secret)).toEqual(["access token", "client secret"])
      expect(probe.leaks()[0]?.excerpt).not.toContain(Redacted.value(canaries.accessToken))
    } finally {
      probe.stop()
    }
  })

  it("through OAuth, every action, signed webhooks, a revoked token and every route", async () => {
    const sim = await startSimulator({
      clientSecret: canaries.clientSecret,
      accessToken: canaries.accessToken,
      seed: "secrets",
      timeScale: 0.01
    })
    const bundle = await startBundleHost({
      clientId: sim.clientId,
      clientSecret: canaries.clientSecret,
      intercomBaseUrl: sim.url,
      writeLine: watch.writeLine
    })
    // A host whose client secret is wrong: the code exchange fails and says so without the secret.
    const misconfigured = await startBundleHost({
      clientId: sim.clientId,
      clientSecret: Redacted.make(`${Redacted.value(canaries.clientSecret)}-wrong`),
      intercomBaseUrl: sim.url,
      writeLine: watch.writeLine
    })
    try {
      sim.subscribe(bundle.webhookUrl)
      sim.registerRedirectUri(bundle.redirectUri)
      sim.registerRedirectUri(misconfigured.redirectUri)

      const connected = await connectThroughBrowser("OAuth start → consent → callback", bundle)
      expect(connected.status).toBe(200)
      const connection = bundle.connections.list()[0]
      expect(connection).toBeDefined()
      if (connection === undefined) return
      watch.watchSecret("issued access token", connection.accessToken)
      watch.inspect("connection, JSON", JSON.stringify(bundle.connections.list()))
      watch.inspect("connection, util.inspect", inspect(bundle.connections.list(), { depth: 5 }))
      watch.inspect("connection, String", String(connection.accessToken))

      const refused = await connectThroughBrowser("OAuth with the wrong client secret", misconfigured)
      expect(refused.status).toBeGreaterThanOrEqual(400)
      const forged = await read(
        "forged OAuth callback",
        `${bundle.url}/oauth/callback?code=abc&state=${encodeURIComponent("forged.state")}`
      )
      expect(forged.status).toBeGreaterThanOrEqual(400)

      // Every action's success path, with ids from the simulator's own state.
      const seed = {
        contactId: "",
        contactEmail: "",
        conversationId: "",
        adminId: sim.store.defaultAdmin.id,
        cell: "secrets"
      }
      const created = await read("create-contact", `${bundle.url}/actions/intercom%2Fcreate-contact`, {
        method: "POST",
        headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
        body: JSON.stringify({
          connection: connection.id,
          input: { role: "user", email: "canary@example.com", name: "Canary" }
        })
      })
      const contactId = (JSON.parse(created.text) as { output: { id: string } }).output.id
      const started = await read(
        "create-conversation",
        `${bundle.url}/actions/intercom%2Fcreate-conversation`,
        {
          method: "POST",
          headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
          body: JSON.stringify({
            connection: connection.id,
            input: { from: { type: "user", id: contactId }, body: "Hello" }
          })
        }
      )
      const conversationId = (JSON.parse(started.text) as { output: { conversation_id: string } }).output
        .conversation_id
      const seeded = { ...seed, contactId, contactEmail: "canary@example.com", conversationId }
      const statuses: Array<number> = []
      for (const action of matrixActions) {
        const answer = await read(action.label, `${bundle.url}/actions/${encodeURIComponent(action.key)}`, {
          method: "POST",
          headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
          body: JSON.stringify({ connection: connection.id, input: action.input(seeded) })
        })
        statuses.push(answer.status)
      }
      expect(statuses).toEqual(matrixActions.map(() => 200))

      // Signed webhooks for every topic the simulator can send, then the activations route.
      for (const topic of sim.topics) await sim.trigger(topic)
      await sim.settle()
      expect(bundle.activations.recent().length).toBeGreaterThan(0)

      // Intercom revokes the token: AUTH_REVOKED, and the connection says so, without the token.
      sim.revokeToken(Redacted.value(connection.accessToken))
      const revoked = await read("action after revocation", `${bundle.url}/actions/intercom%2Flist-tags`, {
        method: "POST",
        headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
        body: JSON.stringify({ connection: connection.id, input: {} })
      })
      expect(revoked.status).toBe(401)
      expect(revoked.text).toContain("AUTH_REVOKED")

      for (const path of ["/manifest", "/activations", "/connections", "/health"]) {
        await read(`bundle GET ${path}`, `${bundle.url}${path}`, {
          redirect: "manual",
          headers: runtimeAuthorization(bundle.runtimeToken)
        })
      }
      for (const path of [
        "/",
        "/_sim/health",
        "/_sim/state",
        "/_sim/topics",
        "/_sim/deliveries",
        "/_sim/subscriptions",
        "/_sim/faults"
      ]) {
        await read(`simulator GET ${path}`, `${sim.url}${path}`)
      }
      for (const record of sim.deliveries())
        watch.inspect("simulator delivery record", JSON.stringify(record))
      // Intercom's own error for a bad token echoes nothing of it.
      await read("simulator API with the canary as a wrong token", `${sim.url}/tags`, {
        headers: { authorization: `Bearer ${Redacted.value(canaries.accessToken)}x` }
      })
    } finally {
      await misconfigured.close()
      await bundle.close()
      await sim.close()
    }
    expect(watch.lines().length).toBeGreaterThan(0)
    expect(watch.leaks()).toEqual([])
  })
})
