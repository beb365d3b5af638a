import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateStateKey, parseStateKeys, StateKeyError } from "@taskjuice/intercom-state"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type BundleHost, startBundleHost } from "../src/BundleHost.ts"
import type { StepError } from "../src/StepError.ts"
import { type Browser, makeBrowser } from "../src/testing/Browser.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"
import { runtimeFetch } from "./support/Runtime.ts"

let intercom: LoopbackIntercom
let host: BundleHost
const lines: Array<string> = []

beforeAll(async () => {
  intercom = await startLoopbackIntercom()
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

/** What TaskJuice's runtime does: asks the host for a start link for one of its contexts. */
const startLink = async (body: Record<string, unknown> = {}) => {
  const response = await runtimeFetch(host, "/oauth/start", { body })
  assert.strictEqual(response.status, 200)
  return ((await response.json()) as { url: string }).url
}

/** A browser opens the link, the fake Intercom approves; returns the callback URL it was sent to. */
const consent = async (browser: Browser, link: string) => {
  const steps = await browser.visit(link, 1)
  assert.deepStrictEqual(
    steps.map((step) => step.status),
    [302, 302]
  )
  return new URL(steps[1]?.location ?? "")
}

const exchanges = () => intercom.requests.filter((request) => request.path === "/auth/eagle/token").length

const errorOf = async (response: { text: () => Promise<string> } | string) =>
  (JSON.parse(typeof response === "string" ? response : await response.text()) as { error: StepError }).error

describe("the local host's OAuth routes", () => {
  it("POST /oauth/start → /oauth/begin → Intercom → GET /oauth/callback connects the workspace", async () => {
    intercom.workspace = {
      idCode: "hostws01",
      name: "Host Co",
      region: "US",
      adminId: "5",
      adminEmail: "h@host.test"
    }
    const browser = makeBrowser()
    const callback = await consent(browser, await startLink({ context: "tj-7" }))
    assert.strictEqual(`${callback.origin}${callback.pathname}`, host.redirectUri)
    const [answer] = await browser.visit(callback.toString())
    assert.strictEqual(answer?.status, 200)
    const body = JSON.parse(answer?.body ?? "") as { connection: Record<string, unknown>; context: string }
    assert.strictEqual(body.context, "tj-7")
    assert.strictEqual(body.connection.workspaceId, "hostws01")
    assert.strictEqual(body.connection.workspaceName, "Host Co")
    assert.strictEqual(body.connection.adminEmail, "h@host.test")
    assert.strictEqual(body.connection.region, "us")
    assert.notProperty(body.connection, "accessToken")
    const stored = await host.connections.get(String(body.connection.id))
    assert.isDefined(stored)
    const token = Redacted.value(stored?.accessToken ?? Redacted.make(""))
    assert.isTrue(intercom.tokens.has(token))
    assert.isFalse(lines.some((line) => line.includes(token) || line.includes(intercom.clientSecret)))
    const listed = (await (await runtimeFetch(host, "/connections")).json()) as {
      connections: Array<{ id: string }>
    }
    assert.include(
      listed.connections.map((connection) => connection.id),
      body.connection.id
    )
  })

  it("sets the browser cookie HttpOnly, SameSite=Lax and signed, for the callback path only", async () => {
    const response = await fetch(await startLink(), { redirect: "manual" })
    const cookie = response.headers.getSetCookie()[0] ?? ""
    assert.match(cookie, /^taskjuice_oauth=[\w-]+\.[\w-]+;/)
    assert.match(cookie, /HttpOnly/i)
    assert.match(cookie, /SameSite=Lax/i)
    assert.match(cookie, /Path=\/oauth\/callback/)
  })

  it("login CSRF: a flow an attacker started cannot be completed in a victim's browser", async () => {
    intercom.workspace = {
      idCode: "attackerws",
      name: "Attacker Co",
      region: "US",
      adminId: "66",
      adminEmail: "evil@attacker.test"
    }
    const before = (await host.connections.list()).length
    const exchangedBefore = exchanges()
    const attacker = makeBrowser()
    const victim = makeBrowser()
    const callback = await consent(attacker, await startLink({ context: "tj-attacker" }))
    // The victim's browser follows the attacker's callback link: it has no cookie of that flow.
    const [bare] = await victim.visit(callback.toString())
    assert.strictEqual(bare?.status, 400)
    const missing = await errorOf(bare?.body ?? "")
    assert.strictEqual(missing.code, "CONNECT_REFUSED")
    assert.strictEqual(missing.detail.reason, "SessionMismatch")
    // The refused callback spent the attacker's state. With a cookie of its own flow, the victim still
    // cannot complete another flow of the attacker's.
    const another = await consent(attacker, await startLink({ context: "tj-attacker" }))
    await victim.visit(await startLink({ context: "tj-victim" }), 0)
    assert.isTrue(victim.cookies(new URL(host.publicUrl).host).has("taskjuice_oauth"))
    const [crossed] = await victim.visit(another.toString())
    assert.strictEqual(crossed?.status, 400)
    assert.match((await errorOf(crossed?.body ?? "")).message, /another browser/)
    // A forged cookie proves nothing either.
    const third = await consent(attacker, await startLink({ context: "tj-attacker" }))
    const forged = await fetch(third, { headers: { cookie: "taskjuice_oauth=abc.def" } })
    assert.strictEqual(forged.status, 400)
    assert.strictEqual((await host.connections.list()).length, before)
    assert.strictEqual(exchanges(), exchangedBefore, "no code was exchanged")
  })

  it("needs the runtime token to start a flow: nobody else can pick the context", async () => {
    const anonymous = await fetch(`${host.url}/oauth/start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ context: "tj-victim" })
    })
    assert.strictEqual(anonymous.status, 401)
    assert.strictEqual((await errorOf(anonymous)).code, "UNAUTHENTICATED")
    const forgedTicket = await fetch(`${host.publicUrl}/oauth/begin?ticket=eyJ4IjoxfQ.AAAA`, {
      redirect: "manual"
    })
    assert.strictEqual(forgedTicket.status, 400)
  })

  it("a reconnect of the same workspace and admin updates its connection instead of adding one", async () => {
    intercom.workspace = {
      idCode: "reconnectws",
      name: "Again Co",
      region: "US",
      adminId: "9",
      adminEmail: "a@again.test"
    }
    const connect = async () => {
      const browser = makeBrowser()
      const [answer] = await browser.visit((await consent(browser, await startLink())).toString())
      assert.strictEqual(answer?.status, 200)
      return JSON.parse(answer?.body ?? "") as { connection: { id: string }; reconnected: boolean }
    }
    const first = await connect()
    const second = await connect()
    assert.isFalse(first.reconnected)
    assert.isTrue(second.reconnected)
    assert.strictEqual(second.connection.id, first.connection.id)
    assert.lengthOf(await host.connections.forWorkspace("reconnectws"), 1)
    const token = Redacted.value(
      (await host.connections.get(first.connection.id))?.accessToken ?? Redacted.make("")
    )
    assert.isTrue(intercom.tokens.has(token), "the connection holds the newest token")
  })

  it("checks connection=<id> before anything is exchanged", async () => {
    const unknown = await runtimeFetch(host, "/oauth/start", { body: { connection: "conn_gone" } })
    assert.strictEqual(unknown.status, 400)
    const error = await errorOf(unknown)
    assert.strictEqual(error.code, "CONNECT_REFUSED")
    assert.strictEqual(error.detail.reason, "UnknownConnection")
    // Removed between the start and the callback: refused before the code is spent.
    intercom.workspace = {
      idCode: "removedws",
      name: "R",
      region: "US",
      adminId: "3",
      adminEmail: "r@removed.test"
    }
    const browser = makeBrowser()
    const first = await browser.visit((await consent(browser, await startLink())).toString())
    const id = (JSON.parse(first[0]?.body ?? "") as { connection: { id: string } }).connection.id
    const reconnectBrowser = makeBrowser()
    const callback = await consent(reconnectBrowser, await startLink({ connection: id }))
    await host.connections.remove(id)
    const before = exchanges()
    const [answer] = await reconnectBrowser.visit(callback.toString())
    assert.strictEqual(answer?.status, 400)
    assert.strictEqual((await errorOf(answer?.body ?? "")).detail.reason, "UnknownConnection")
    assert.strictEqual(exchanges(), before)
  })

  it("answers 400 to a callback whose state does not match, and connects nothing", async () => {
    const before = (await host.connections.list()).length
    const browser = makeBrowser()
    const callback = await consent(browser, await startLink())
    callback.searchParams.set("state", `${callback.searchParams.get("state")}x`)
    const [answer] = await browser.visit(callback.toString())
    assert.strictEqual(answer?.status, 400)
    const error = await errorOf(answer?.body ?? "")
    assert.strictEqual(error.code, "CONNECT_REFUSED")
    assert.strictEqual(error.detail.reason, "StateInvalid")
    assert.match(error.message, /state/)
    assert.strictEqual((await host.connections.list()).length, before)
  })

  it("rejects an unknown region, naming the field and the choices, and other methods", async () => {
    const mars = await runtimeFetch(host, "/oauth/start", { body: { region: "mars" } })
    assert.strictEqual(mars.status, 400)
    const error = await errorOf(mars)
    assert.strictEqual(error.detail.field, "region")
    assert.deepStrictEqual(error.detail.choices, ["us", "eu", "au"])
    const post = await fetch(`${host.url}/oauth/callback`, { method: "POST" })
    assert.strictEqual(post.status, 405)
    assert.strictEqual(post.headers.get("allow"), "GET, HEAD")
  })
})

describe("OAuth over hosts that share one state (workers)", () => {
  let dir: string
  const hosts: Array<BundleHost> = []
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskjuice-oauth-workers-"))
    const stateKeys = parseStateKeys(generateStateKey())
    if (stateKeys instanceof StateKeyError) throw stateKeys
    for (let index = 0; index < 2; index++)
      hosts.push(
        await startBundleHost({
          intercomBaseUrl: intercom.url,
          clientId: intercom.clientId,
          clientSecret: Redacted.make(intercom.clientSecret),
          state: `sqlite:${join(dir, "state.sqlite")}`,
          stateKeys,
          writeLine: () => {}
        })
      )
  })
  afterAll(async () => {
    for (const worker of hosts) await worker.close()
    await rm(dir, { recursive: true, force: true })
  })

  it("a flow begun on one worker completes on another, and its state is then spent on every worker", async () => {
    const [first, second] = hosts as [BundleHost, BundleHost]
    intercom.workspace = {
      idCode: "workersws",
      name: "Workers Co",
      region: "US",
      adminId: "12",
      adminEmail: "w@workers.test"
    }
    const started = await runtimeFetch(first, "/oauth/start", { body: { context: "tj-workers" } })
    const browser = makeBrowser()
    const steps = await browser.visit(((await started.json()) as { url: string }).url, 1)
    const callback = new URL(steps[1]?.location ?? "")
    const cookie = `taskjuice_oauth=${browser.cookies(new URL(first.publicUrl).host).get("taskjuice_oauth")}`
    // Behind one public address any worker may take the callback: here the second one does.
    const onSecond = await fetch(new URL(`${callback.pathname}${callback.search}`, second.publicUrl), {
      headers: { cookie }
    })
    assert.strictEqual(onSecond.status, 200)
    const { connection } = (await onSecond.json()) as { connection: { id: string } }
    // One store: the first worker has the connection the second one made.
    assert.include(
      (await first.connections.list()).map((listed) => listed.id),
      connection.id
    )
    // The state is spent for both.
    for (const worker of hosts) {
      const again = await fetch(new URL(`${callback.pathname}${callback.search}`, worker.publicUrl), {
        headers: { cookie }
      })
      assert.strictEqual(again.status, 400)
      assert.match((await errorOf(again)).message, /already used/)
    }
  })
})
