/**
 * A dev tool that signs with a real client secret must not be drivable by another web page: the admin
 * API takes only same-origin JSON with the run's admin token; OAuth redirects only to registered URIs
 * and its codes expire; the state file is held by one process at a time.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { afterAll, beforeAll, describe } from "vitest"
import { IntercomSimulator, type Simulator, startSimulator } from "../src/index.ts"
import { startReceiver } from "./Receiver.ts"
import { simulatorLayer } from "./support/Clocked.ts"

const directory = mkdtempSync(join(tmpdir(), "intercom-sim-security-"))
let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ clientSecret: "s", seed: "security", stateDir: join(directory, "run") })
})
afterAll(async () => {
  await sim.close()
  rmSync(directory, { recursive: true, force: true })
})

const admin = (path: string, init: RequestInit & { readonly token?: string | null } = {}) => {
  const { token, headers, ...rest } = init
  return fetch(`${sim.url}${path}`, {
    ...rest,
    headers: {
      ...(token === null ? {} : { "x-sim-admin-token": token ?? Redacted.value(sim.adminToken) }),
      ...(headers as Record<string, string> | undefined)
    }
  })
}

const jsonPost = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})

describe("the admin API", () => {
  it("takes requests that carry the run's token; refuses those without it or with another", async () => {
    expect((await admin("/_sim/state")).status).toBe(200)
    const missing = await admin("/_sim/state", { token: null })
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("admin_token_required")
    expect((await admin("/_sim/state", { token: "guess" })).status).toBe(401)
    const subscribed = await admin("/_sim/subscriptions", {
      ...jsonPost({ url: "http://127.0.0.1:9/x" }),
      token: null
    })
    expect(subscribed.status).toBe(401)
    expect(sim.dispatcher.subscriptions).toHaveLength(0)
    // Liveness needs no token.
    expect((await admin("/_sim/health", { token: null })).status).toBe(200)
  })

  it("refuses a cross-site page's requests (Origin, Sec-Fetch-Site, another Host name), even with the token", async () => {
    const other = await startReceiver()
    try {
      const fromElsewhere = await admin("/_sim/trigger", {
        ...jsonPost({ topic: "ping", forwardTo: other.url }),
        headers: { "content-type": "application/json", origin: "https://evil.example" }
      })
      expect(fromElsewhere.status).toBe(403)
      const crossSite = await admin("/_sim/trigger", {
        ...jsonPost({ topic: "ping", forwardTo: other.url }),
        headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" }
      })
      expect(crossSite.status).toBe(403)
      // A name that resolves here (DNS rebinding) is not this server's: fetch cannot set Host, node:http can.
      const rebound = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            host: "127.0.0.1",
            port: sim.port,
            path: "/_sim/state",
            headers: { host: `evil.example:${sim.port}`, "x-sim-admin-token": Redacted.value(sim.adminToken) }
          },
          (response) => {
            response.resume()
            resolve(response.statusCode ?? 0)
          }
        )
        request.on("error", reject)
        request.end()
      })
      expect(rebound).toBe(403)
      expect(other.requests).toHaveLength(0)
      // The page the simulator serves is same-origin: its requests go through.
      const sameOrigin = await admin("/_sim/trigger", {
        ...jsonPost({ topic: "ping", forwardTo: other.url }),
        headers: { "content-type": "application/json", origin: sim.url, "sec-fetch-site": "same-origin" }
      })
      expect(sameOrigin.status).toBe(200)
      await other.waitFor(1)
    } finally {
      await other.close()
    }
  })

  it("refuses a body that is not JSON (a cross-site form or text/plain fetch), even with the token", async () => {
    const plain = await admin("/_sim/subscriptions", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ url: "http://127.0.0.1:9/x" })
    })
    expect(plain.status).toBe(415)
    expect(sim.dispatcher.subscriptions).toHaveLength(0)
  })

  it("puts the token in the dashboard page it serves, and in the run's state directory (owner-only)", async () => {
    const page = await (await fetch(`${sim.url}/`)).text()
    expect(page).toContain(`<meta name="sim-admin-token" content="${Redacted.value(sim.adminToken)}">`)
    const file = join(directory, "run", "admin-token")
    expect(readFileSync(file, "utf8")).toBe(Redacted.value(sim.adminToken))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const icon = await fetch(`${sim.url}/favicon.ico`)
    expect(icon.status).toBe(200)
    expect(icon.headers.get("content-type")).toContain("image/svg+xml")
    expect(await icon.text()).toMatch(/^<svg /)
  })

  it("DELETE /_sim/subscriptions/{id}: with the token and from the same origin only; 404 for an unknown id", async () => {
    const subscription = sim.subscribe("http://127.0.0.1:9/removed")
    const path = `/_sim/subscriptions/${subscription.id}`
    const present = () => sim.dispatcher.subscriptions.some((entry) => entry.id === subscription.id)
    try {
      expect((await admin(path, { method: "DELETE", token: null })).status).toBe(401)
      expect((await admin(path, { method: "DELETE", token: "guess" })).status).toBe(401)
      const crossSite = await admin(path, { method: "DELETE", headers: { origin: "https://evil.example" } })
      expect(crossSite.status).toBe(403)
      const fetchSite = await admin(path, { method: "DELETE", headers: { "sec-fetch-site": "cross-site" } })
      expect(fetchSite.status).toBe(403)
      // A body still has to be JSON.
      const plain = await admin(path, {
        method: "DELETE",
        headers: { "content-type": "text/plain" },
        body: "x"
      })
      expect(plain.status).toBe(415)
      expect(present()).toBe(true)
      const removed = await admin(path, { method: "DELETE" })
      expect(removed.status).toBe(200)
      expect(await removed.json()).toEqual({ removed: subscription.id })
      expect(present()).toBe(false)
      const again = await admin(path, { method: "DELETE" })
      expect(again.status).toBe(404)
      expect(((await again.json()) as { error: { message: string } }).error.message).toBe(
        `No subscription with id "${subscription.id}"`
      )
    } finally {
      sim.dispatcher.unsubscribe(subscription.id)
    }
  })

  it("the handle's own methods need no token", async () => {
    const [ping] = await sim.trigger("ping")
    expect(ping?.topic).toBe("ping")
  })

  it("GET /_sim/stats: requests, 429s and faults per 10-second window and per route", async () => {
    const limited = await startSimulator({
      clientSecret: "s",
      rateLimitPerMinute: 6,
      faults: ["GET /me:503"]
    })
    try {
      const bearer = { authorization: `Bearer ${Redacted.value(limited.accessToken)}` }
      await fetch(`${limited.url}/tags`, { headers: bearer })
      await fetch(`${limited.url}/tags`, { headers: bearer })
      await fetch(`${limited.url}/me`, { headers: bearer })
      const stats = (await (
        await fetch(`${limited.url}/_sim/stats`, {
          headers: { "x-sim-admin-token": Redacted.value(limited.adminToken) }
        })
      ).json()) as { windowSeconds: number; allowance: number; windows: Array<Record<string, unknown>> }
      expect(stats.windowSeconds).toBe(10)
      // 6 a minute allows 1 per 10-second window (Intercom rounds up).
      expect(stats.allowance).toBe(1)
      const requests = stats.windows.reduce((sum, window) => sum + Number(window.requests), 0)
      expect(requests).toBe(3)
      const byRoute = Object.assign({}, ...stats.windows.map((window) => window.byRoute)) as Record<
        string,
        unknown
      >
      expect(byRoute.listTags).toMatchObject({ rateLimited: 1 })
      expect(byRoute.identifyAdmin).toMatchObject({ faults: 1 })
      expect(Number(stats.windows[0]!.start) % 10).toBe(0)
    } finally {
      await limited.close()
    }
  })
})

describe("OAuth", () => {
  const registered = "https://app.example/oauth/callback"

  it("redirects only to a registered URI, and says which ones are", async () => {
    const own = await startSimulator({ clientSecret: "s", redirectUris: [registered] })
    try {
      const authorize = (query: string) =>
        fetch(`${own.url}/oauth?client_id=sim_client_id&${query}`, { redirect: "manual" })
      const elsewhere = await authorize(`redirect_uri=${encodeURIComponent("https://evil.example/steal")}`)
      expect(elsewhere.status).toBe(400)
      const refusal = (await elsewhere.json()) as { errors: Array<{ field: string; message: string }> }
      expect(refusal.errors[0]).toMatchObject({ field: "redirect_uri" })
      expect(refusal.errors[0]?.message).toContain(registered)
      const allowed = await authorize(`redirect_uri=${encodeURIComponent(registered)}&state=xyz`)
      expect(allowed.status).toBe(302)
      expect(allowed.headers.get("location")).toMatch(
        /^https:\/\/app\.example\/oauth\/callback\?code=\w+&state=xyz$/
      )
      // Without one, the first registered.
      expect((await authorize("state=1")).headers.get("location")).toContain(registered)
      own.registerRedirectUri("http://127.0.0.1:3000/callback")
      expect(
        (await authorize(`redirect_uri=${encodeURIComponent("http://127.0.0.1:3000/callback")}`)).status
      ).toBe(302)
    } finally {
      await own.close()
    }
  })

  it.effect(
    "a code expires 10 minutes after it was issued (TestClock), and unredeemed codes are purged",
    () =>
      Effect.gen(function* () {
        const own = yield* IntercomSimulator
        const codeOf = Effect.promise(async () => {
          const answer = await fetch(`${own.url}/oauth?client_id=sim_client_id`, { redirect: "manual" })
          return new URL(answer.headers.get("location")!).searchParams.get("code")!
        })
        const exchange = (code: string) =>
          Effect.promise(async () => {
            const answer = await fetch(`${own.url}/auth/eagle/token`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ code, client_id: "sim_client_id", client_secret: "test-client-secret" })
            })
            return answer.status
          })
        const inTime = yield* codeOf
        yield* TestClock.adjust("9 minutes")
        expect(yield* exchange(inTime)).toBe(200)
        const late = yield* codeOf
        for (let i = 0; i < 5; i++) yield* codeOf
        expect(own.store.codes.outstanding).toBe(6)
        yield* TestClock.adjust("10 minutes")
        expect(yield* exchange(late)).toBe(400)
        yield* codeOf
        expect(own.store.codes.outstanding).toBe(1)
      }).pipe(Effect.provide(simulatorLayer({ redirectUris: [registered] })))
  )
})

describe("the state file", () => {
  const openInAnotherProcess = (file: string) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL("./support/OpenStateFile.ts", import.meta.url)), file],
        {
          stdio: ["ignore", "pipe", "pipe"]
        }
      )
      let output = ""
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.on("close", (code) => resolve({ code, output }))
    })

  it("is held under an exclusive lock: a second process refuses it with a clear error, and gets it once freed", async () => {
    const file = join(directory, "locked.sqlite")
    const first = await startSimulator({ clientSecret: "s", stateFile: file })
    const refused = await openInAnotherProcess(file)
    expect(refused.code).toBe(1)
    expect(refused.output).toContain(`The state file ${file} is in use by another simulator`)
    expect(refused.output).not.toMatch(/\n\s+at /)
    await first.close()
    const opened = await openInAnotherProcess(file)
    expect(opened).toMatchObject({ code: 0 })
    expect(opened.output).toContain("opened")
  }, 60_000)
})
