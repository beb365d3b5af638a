/**
 * A canary token at rest (issue 12): hosts on the SQLite default and on Redis connect a workspace
 * through OAuth, hold a second connection with a canary token, run actions with both and receive
 * webhooks. Then no token (the canary, and the one the simulator issued, read back through the store)
 * and no client secret is in the SQLite file or its WAL, in any Redis key or value, or in anything the
 * hosts printed.
 */
import { stopAll } from "@taskjuice/intercom-bundle/testing"
import { startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterEach, describe, expect, it } from "vitest"
import { makeCanaries } from "../src/Canary.ts"
import {
  connectThroughOAuth,
  consumeActivations,
  makeRuntimeToken,
  runtimeCall,
  startHosts
} from "../src/HostProcesses.ts"
import { redisState, sqliteState } from "../src/SharedState.ts"

afterEach(stopAll)

/** How a secret could show in stored bytes: as it is, or in base64 or hex. */
const spellings = (secret: string) => [
  secret,
  Buffer.from(secret).toString("base64"),
  Buffer.from(secret).toString("base64url"),
  Buffer.from(secret).toString("hex")
]

describe.each([
  ["sqlite", sqliteState],
  ["redis", redisState]
] as const)("secrets at rest on %s", (backend, makeState) => {
  it("no token or client secret is stored or printed in the clear", { timeout: 300_000 }, async () => {
    const canaries = makeCanaries()
    const token = makeRuntimeToken()
    const state = await makeState()
    const sim = await startSimulator({
      clientSecret: canaries.clientSecret,
      accessToken: canaries.accessToken,
      seed: `canary-${backend}`
    })
    try {
      const hosts = await startHosts(
        {
          state,
          intercomUrl: sim.url,
          clientId: sim.clientId,
          clientSecret: canaries.clientSecret,
          runtimeToken: token
        },
        2
      )
      sim.registerRedirectUri(hosts[0]!.redirectUri)
      const { connection } = await connectThroughOAuth(hosts[0]!, token)
      await state.save({
        ...connection,
        id: "conn_canary",
        adminId: "canary-admin",
        accessToken: canaries.accessToken
      })
      for (const [index, host] of hosts.entries()) {
        for (const connectionId of [connection.id, "conn_canary"]) {
          const created = await runtimeCall(host, token, "/actions/intercom%2Fcreate-contact", {
            connection: connectionId,
            input: { role: "user", email: `canary-${backend}-${index}-${connectionId}@example.com` }
          })
          expect(created.status).toBe(200)
          expect(
            (
              await runtimeCall(host, token, "/actions/intercom%2Flist-tags", {
                connection: connectionId,
                input: {}
              })
            ).status
          ).toBe(200)
        }
      }
      sim.subscribe(hosts[1]!.webhookUrl)
      for (const topic of sim.topics) await sim.trigger(topic)
      await sim.settle()
      const activations = await consumeActivations(hosts[0]!, token)
      expect(activations.length).toBeGreaterThan(0)
      await stopAll()

      const stored = await state.connections()
      const secrets = [
        ...stored.map((entry) => Redacted.value(entry.accessToken)),
        Redacted.value(canaries.clientSecret)
      ]
      // Two tokens: the one OAuth got from the simulator, and the canary.
      expect(new Set(secrets).size).toBe(3)
      expect(secrets).toContain(Redacted.value(canaries.accessToken))
      const everything = await state.dump()
      // The dump holds what was stored (so it would show a token stored in the clear).
      expect(everything).toContain(connection.workspaceName)
      expect(everything).toContain("conn_canary")
      const printed = hosts.map((host) => host.output()).join("\n")
      expect(printed).toContain('"event":"activation"')
      for (const secret of secrets)
        for (const spelling of spellings(secret)) {
          expect(everything.includes(spelling), `stored: ${spelling.slice(0, 12)}…`).toBe(false)
          expect(printed.includes(spelling), `printed: ${spelling.slice(0, 12)}…`).toBe(false)
        }
    } finally {
      await stopAll()
      await sim.close()
      await state.close()
    }
  })
})
