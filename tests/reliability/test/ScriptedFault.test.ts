import { startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, describe, expect, it } from "vitest"
import { makeCanaries } from "../src/Canary.ts"
import { requestCounter, ScriptedFault } from "../src/ScriptedFault.ts"

// The matrix relies on the simulator drawing once per matching rule and request: checked here over HTTP.
describe("ScriptedFault against the simulator", () => {
  const canaries = makeCanaries()
  const started = startSimulator({
    clientSecret: canaries.clientSecret,
    accessToken: canaries.accessToken,
    seed: 1
  })
  afterAll(async () => (await started).close())

  const listTags = async (url: string) =>
    (
      await fetch(`${url}/tags`, {
        headers: { authorization: `Bearer ${Redacted.value(canaries.accessToken)}` },
        signal: AbortSignal.timeout(5_000)
      })
    ).status

  it("strikes exactly the first N matching requests, and the counter sees every request", async () => {
    const sim = await started
    const counter = requestCounter()
    const fault = new ScriptedFault({ route: "listTags", kind: "error", status: 503, strikes: 2 })
    sim.setFaults([counter, fault])
    const statuses = [await listTags(sim.url), await listTags(sim.url), await listTags(sim.url)]
    const contacts = await fetch(`${sim.url}/contacts`, {
      headers: { authorization: `Bearer ${Redacted.value(canaries.accessToken)}` }
    })
    expect(statuses).toEqual([503, 503, 200])
    expect(contacts.status).toBe(200)
    expect(fault.matched).toBe(3)
    expect(counter.matched).toBe(4)
    sim.setFaults([])
  })
})
