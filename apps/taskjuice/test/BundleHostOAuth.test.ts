import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type BundleHost, startBundleHost } from "../src/BundleHost.ts"
import { type FakeIntercom, startFakeIntercom } from "./support/FakeIntercom.ts"

let intercom: FakeIntercom
let host: BundleHost
const lines: Array<string> = []

beforeAll(async () => {
  intercom = await startFakeIntercom()
  host = await startBundleHost({
    intercomBaseUrl: intercom.url,
    clientId: intercom.clientId,
    clientSecret: Redacted.make(intercom.clientSecret),
    writeLine: (line) => lines.push(line)
  })
})
afterAll(async () => {
  await host.close()
  await intercom.close()
})

/** Browser-like: start at the host, let the fake Intercom approve, follow its redirect back by hand. */
const consent = async (start = "/oauth/start") => {
  const started = await fetch(`${host.url}${start}`, { redirect: "manual" })
  assert.strictEqual(started.status, 302)
  const approved = await fetch(started.headers.get("location") ?? "", { redirect: "manual" })
  assert.strictEqual(approved.status, 302)
  return new URL(approved.headers.get("location") ?? "")
}

describe("the local host's OAuth routes", () => {
  it("GET /oauth/start → Intercom → GET /oauth/callback connects the workspace", async () => {
    intercom.workspace = {
      idCode: "hostws01",
      name: "Host Co",
      region: "US",
      adminId: "5",
      adminEmail: "h@host.test"
    }
    const callback = await consent("/oauth/start?context=tj-7")
    assert.strictEqual(`${callback.origin}${callback.pathname}`, host.redirectUri)
    const response = await fetch(callback)
    assert.strictEqual(response.status, 200)
    const body = (await response.json()) as { connection: Record<string, unknown>; context: string }
    assert.strictEqual(body.context, "tj-7")
    assert.strictEqual(body.connection.workspaceId, "hostws01")
    assert.strictEqual(body.connection.workspaceName, "Host Co")
    assert.strictEqual(body.connection.adminEmail, "h@host.test")
    assert.strictEqual(body.connection.region, "us")
    assert.notProperty(body.connection, "accessToken")
    const stored = host.connections.get(String(body.connection.id))
    assert.isDefined(stored)
    const token = Redacted.value(stored?.accessToken ?? Redacted.make(""))
    assert.isTrue(intercom.tokens.has(token))
    assert.isFalse(lines.some((line) => line.includes(token) || line.includes(intercom.clientSecret)))
    const listed = (await (await fetch(`${host.url}/connections`)).json()) as {
      connections: Array<{ id: string }>
    }
    assert.include(
      listed.connections.map((connection) => connection.id),
      body.connection.id
    )
  })

  it("answers 400 to a callback whose state does not match, and connects nothing", async () => {
    const before = host.connections.list().length
    const callback = await consent()
    callback.searchParams.set("state", `${callback.searchParams.get("state")}x`)
    const response = await fetch(callback)
    assert.strictEqual(response.status, 400)
    const body = (await response.json()) as { error: { reason: string; message: string } }
    assert.strictEqual(body.error.reason, "StateInvalid")
    assert.match(body.error.message, /state/)
    assert.strictEqual(host.connections.list().length, before)
  })

  it("rejects an unknown region and other methods", async () => {
    assert.strictEqual(
      (await fetch(`${host.url}/oauth/start?region=mars`, { redirect: "manual" })).status,
      400
    )
    const post = await fetch(`${host.url}/oauth/callback`, { method: "POST" })
    assert.strictEqual(post.status, 405)
    assert.strictEqual(post.headers.get("allow"), "GET")
  })
})
