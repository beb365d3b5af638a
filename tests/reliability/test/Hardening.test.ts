/**
 * Issue 13's attacks against a host in a process of its own, over loopback: deep nesting, a flood of
 * 1 MiB deliveries (the host's resident memory measured from outside), thousands of slow connections
 * while Intercom's probes must still be answered within its 5 s, cross-origin and unauthenticated
 * runtime calls, login CSRF and a reconnect, through the simulator's OAuth.
 */

import { Agent } from "node:http"
import { connect, type Socket } from "node:net"
import { runtimeAuthorization, startBundleHost } from "@taskjuice/intercom-bundle"
import { makeBrowser, type SpawnedHost, spawnHost } from "@taskjuice/intercom-bundle/testing"
import { startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { pool, send } from "../src/Http.ts"
import { suiteSize } from "../src/SuiteSize.ts"
import { connectedWorkspaceId, envelope, signedHeaders } from "../src/Webhooks.ts"

const size = suiteSize()
const secret = Redacted.make("hardening-client-secret")
const runtimeToken = "hardening-runtime-token-for-this-run"
let host: SpawnedHost
const agent = new Agent({ keepAlive: true, maxSockets: 16 })

beforeAll(async () => {
  host = await spawnHost({
    clientSecret: Redacted.value(secret),
    runtimeToken,
    workspaceId: connectedWorkspaceId
  })
})
afterAll(async () => {
  agent.destroy()
  await host.stop()
})

const deliver = (body: string, timeoutMs = 30_000) => {
  const bytes = Buffer.from(body)
  return send(agent, host.webhookUrl, {
    method: "POST",
    headers: signedHeaders(bytes, secret),
    body: bytes,
    timeoutMs
  })
}

const probe = async (id: string) => {
  const answer = await deliver(JSON.stringify(envelope("contact.user.created", { id })), 5_000)
  return answer.status
}

/** An envelope whose item holds arrays nested `depth` deep, built as text (nothing here recurses). */
const deep = (id: string, depth: number) =>
  JSON.stringify(envelope("contact.user.created", { id })).replace(
    /"data":\{/,
    `"deep":${"[".repeat(depth)}${"]".repeat(depth)},"data":{`
  )

describe("deep nesting", () => {
  for (const depth of [1_000, 5_000, 100_000]) {
    it(`${depth.toLocaleString("en")} levels: refused on the raw bytes (jsonDepth), and the host keeps serving`, async () => {
      const answer = await deliver(deep(`notif_deep_${depth}`, depth))
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body).error.detail.limit).toBe("jsonDepth")
      expect(host.alive()).toBe(true)
      expect(await probe(`notif_after_deep_${depth}`)).toBe(200)
    })
  }
})

describe("memory", () => {
  const deliveries = size.name === "full" ? 200 : 50
  // Measured peak RSS (VmHWM): 276 MiB after 50, 428 MiB after 200, mostly V8 growing its heap before
  // collecting; the old host passed 4 GB and crashed after 175. The kept activations are bounded by bytes.
  const boundBytes = 600 * 1024 * 1024
  it(`${deliveries} signed 1 MiB deliveries keep the host's RSS under ${boundBytes / 1024 / 1024} MiB`, async () => {
    const target = 1024 * 1024 - 512
    const braces = (id: string) => {
      const head = JSON.stringify(envelope("contact.user.created", { id })).replace(/"data":\{/, '"flood":[')
      const fill = Math.floor((target - head.length - 400) / 3)
      return `${head}${Array.from({ length: fill }, () => "{}").join(",")}],"data":{${JSON.stringify(envelope("contact.user.created", { id })).split('"data":{')[1]}`
    }
    const padded = (id: string) => {
      const base = envelope("contact.user.created", { id })
      const body = JSON.stringify({ ...base, padding: "" })
      return body.replace('"padding":""', `"padding":"${"x".repeat(target - body.length)}"`)
    }
    const statuses = await pool(
      Array.from({ length: deliveries }, (_, index) => index),
      8,
      async (index) =>
        (await deliver(index % 2 === 0 ? braces(`notif_flood_${index}`) : padded(`notif_pad_${index}`)))
          .status
    )
    // `{}` floods are over jsonMembers and never parsed; padded ones are accepted and kept by bytes.
    expect(statuses.filter((status, index) => index % 2 === 0 && status !== 413)).toEqual([])
    expect(statuses.filter((status, index) => index % 2 === 1 && status !== 200)).toEqual([])
    const rss = host.peakRssBytes()
    console.log(
      `[hardening] peak RSS after ${deliveries} 1 MiB deliveries: ${(rss / 1024 / 1024).toFixed(0)} MiB`
    )
    expect(rss).toBeLessThan(boundBytes)
    expect(await probe("notif_after_flood")).toBe(200)
  })
})

describe("slow connections", () => {
  const connections = size.name === "full" ? 5_000 : 1_000
  it(`${connections.toLocaleString("en")} connections that declare 1 MB and send 1 byte: signed probes still get 200 within 5 s`, async () => {
    const port = Number(new URL(host.webhookUrl).port)
    const sockets: Array<Socket> = []
    try {
      await pool(
        Array.from({ length: connections }, (_, index) => index),
        200,
        (index) =>
          new Promise<void>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => {
              socket.write(
                `POST /webhooks/intercom HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nX-Slow: ${index}\r\n\r\n{`
              )
              resolve()
            })
            socket.on("error", () => resolve())
            sockets.push(socket)
          })
      )
      const probes = await pool(
        Array.from({ length: 20 }, (_, index) => index),
        4,
        (index) => probe(`notif_probe_slow_${index}`).catch(() => 0)
      )
      expect(probes).toEqual(probes.map(() => 200))
    } finally {
      for (const socket of sockets) socket.destroy()
    }
  })
})

describe("the runtime API", () => {
  it("refuses unauthenticated and cross-origin calls, and runs nothing for a text/plain POST", async () => {
    const plain = await fetch(`${host.url}/actions/intercom/create-contact`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body: JSON.stringify({ connection: "conn_host_process", input: { role: "user", email: "a@b.test" } })
    })
    expect(plain.status).toBe(401)
    expect(plain.headers.get("access-control-allow-origin")).toBeNull()
    for (const path of ["/connections", "/activations", "/manifest"]) {
      const anonymous = await fetch(`${host.url}${path}`, { headers: { origin: "https://evil.example" } })
      expect(anonymous.status).toBe(401)
      const body = await anonymous.text()
      expect(body).not.toContain("conn_host_process")
      expect(body).not.toContain(connectedWorkspaceId)
    }
    const withToken = await fetch(`${host.url}/actions/intercom/create-contact`, {
      method: "POST",
      headers: { authorization: `Bearer ${runtimeToken}`, "content-type": "text/plain" },
      body: "{}"
    })
    expect(withToken.status).toBe(415)
  })
})

describe("OAuth against the simulator", () => {
  it("login CSRF: an attacker's link cannot attach a workspace to a victim's context; a reconnect leaves one connection", async () => {
    const sim = await startSimulator({ clientSecret: secret, seed: "hardening", timeScale: 0.01 })
    const bundle = await startBundleHost({
      clientId: sim.clientId,
      clientSecret: secret,
      intercomBaseUrl: sim.url,
      writeLine: () => {}
    })
    sim.registerRedirectUri(bundle.redirectUri)
    try {
      const startLink = async (context: string) => {
        const response = await fetch(`${bundle.url}/oauth/start`, {
          method: "POST",
          headers: { ...runtimeAuthorization(bundle.runtimeToken), "content-type": "application/json" },
          body: JSON.stringify({ context })
        })
        return ((await response.json()) as { url: string }).url
      }
      // Without the token nobody can start a flow for the victim's context.
      const forged = await fetch(`${bundle.url}/oauth/start`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ context: "tj-victim" })
      })
      expect(forged.status).toBe(401)
      // The attacker consents in their own browser and sends the callback link to the victim.
      const attacker = makeBrowser()
      const steps = await attacker.visit(await startLink("tj-attacker"), 1)
      const callback = steps.at(-1)?.location ?? ""
      expect(callback).toContain("/oauth/callback")
      const victim = makeBrowser()
      await victim.visit(await startLink("tj-victim"), 0)
      const [answer] = await victim.visit(callback)
      expect(answer?.status).toBe(400)
      expect(JSON.parse(answer?.body ?? "{}").error.code).toBe("CONNECT_REFUSED")
      expect(bundle.connections.list()).toHaveLength(0)

      // The same admin connects the same workspace twice: one connection, reconnected.
      for (const context of ["tj-1", "tj-1"]) {
        const browser = makeBrowser()
        const flow = await browser.visit(await startLink(context))
        expect(flow.at(-1)?.status).toBe(200)
      }
      expect(bundle.connections.list()).toHaveLength(1)
    } finally {
      await bundle.close()
      await sim.close()
    }
  })
})
