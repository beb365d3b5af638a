import { request as httpRequest } from "node:http"
import { gunzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import {
  hangUp,
  inOrder,
  json,
  recordingServer,
  refusedUrl,
  silence,
  startRecordingServer
} from "../src/index.ts"

describe("startRecordingServer: what it records", () => {
  it("keeps each request's method, path, query, headers, raw body bytes and arrival time", async () => {
    const server = await startRecordingServer({ answer: json(201, { ok: true }) })
    try {
      const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0xa9, 0x7d, 0xff])
      const before = Date.now()
      const response = await fetch(`${server.url}/contacts/search?per_page=2&starting_after=x`, {
        method: "POST",
        headers: { "x-trace": "t-1", "content-type": "application/octet-stream" },
        body: bytes
      })
      expect(response.status).toBe(201)
      expect(await response.json()).toEqual({ ok: true })
      const [recorded] = server.requests
      expect(recorded?.index).toBe(0)
      expect(recorded?.method).toBe("POST")
      expect(recorded?.path).toBe("/contacts/search")
      expect(Object.fromEntries(recorded?.query ?? [])).toEqual({ per_page: "2", starting_after: "x" })
      expect(recorded?.headers["x-trace"]).toBe("t-1")
      expect(recorded?.body.equals(bytes)).toBe(true)
      expect(recorded?.json).toBeUndefined()
      expect(recorded?.receivedAt).toBeGreaterThanOrEqual(before)
      expect(recorded?.receivedAt).toBeLessThanOrEqual(Date.now())
    } finally {
      await server.close()
    }
  })

  it("parses a JSON body, and resolves nextRequest with the next one that matches", async () => {
    const server = await startRecordingServer({ answer: json(200, {}) })
    try {
      const next = server.nextRequest((request) => request.path === "/b")
      await fetch(`${server.url}/a`, { method: "POST", body: JSON.stringify({ n: 1 }) })
      await fetch(`${server.url}/b`, { method: "POST", body: JSON.stringify({ n: 2 }) })
      expect((await next).json).toEqual({ n: 2 })
      expect(server.requests.map((request) => request.json)).toEqual([{ n: 1 }, { n: 2 }])
    } finally {
      await server.close()
    }
  })

  it("keeps at most maxRecorded requests, and still answers and counts the rest", async () => {
    const server = await startRecordingServer({ answer: json(200, { ok: true }), maxRecorded: 3 })
    try {
      const statuses: Array<number> = []
      for (let n = 0; n < 5; n++) statuses.push((await fetch(`${server.url}/r/${n}`)).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200])
      expect(server.requests.map((request) => request.path)).toEqual(["/r/0", "/r/1", "/r/2"])
      expect(server.received()).toBe(5)
      await server.waitFor(5)
      const sixth = server.waitFor(6)
      void fetch(`${server.url}/r/late`)
      await sixth
      server.clear()
      expect(server.requests).toHaveLength(0)
      await fetch(`${server.url}/r/5`)
      expect(server.requests.map((request) => [request.index, request.path])).toEqual([[6, "/r/5"]])
    } finally {
      await server.close()
    }
  })
})

describe("startRecordingServer: scripted answers", () => {
  it("answers a queue in order (the last repeats), routes before the default, and 404 when unscripted", async () => {
    const server = await startRecordingServer({
      answer: [json(503, { n: 1 }), json(200, { n: 2 })],
      routes: { "GET /me": json(200, { type: "admin" }) }
    })
    try {
      const statusOf = async (path: string) => (await fetch(`${server.url}${path}`)).status
      expect([
        await statusOf("/x"),
        await statusOf("/me"),
        await statusOf("/x"),
        await statusOf("/x")
      ]).toEqual([503, 200, 200, 200])
      server.route("GET /me", undefined)
      server.answer((request, nth) => json(200, { path: request.path, nth }))
      expect(await (await fetch(`${server.url}/me`)).json()).toEqual({ path: "/me", nth: 0 })
      expect(await (await fetch(`${server.url}/me`)).json()).toEqual({ path: "/me", nth: 1 })
      const unscripted = await startRecordingServer()
      expect((await fetch(`${unscripted.url}/nothing`)).status).toBe(404)
      await unscripted.close()
    } finally {
      await server.close()
    }
  })

  it("sends the status, headers (repeated ones too), raw or encoded bodies it is given", async () => {
    const server = await startRecordingServer({
      routes: {
        "GET /raw": {
          status: 502,
          raw: "<html>bad gateway</html>",
          headers: { "content-type": "text/html" }
        },
        "GET /gzip": { body: { zipped: true }, encoding: "gzip" },
        "GET /cookies": { headers: { "set-cookie": ["a=1", "b=2"] }, body: {} }
      }
    })
    try {
      const raw = await fetch(`${server.url}/raw`)
      expect([raw.status, raw.headers.get("content-type"), await raw.text()]).toEqual([
        502,
        "text/html",
        "<html>bad gateway</html>"
      ])
      expect(await (await fetch(`${server.url}/gzip`)).json()).toEqual({ zipped: true })
      const gzip = await new Promise<Buffer>((resolve) =>
        httpRequest(`${server.url}/gzip`, (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => resolve(Buffer.concat(chunks)))
        }).end()
      )
      expect(JSON.parse(gunzipSync(gzip).toString("utf8"))).toEqual({ zipped: true })
      expect((await fetch(`${server.url}/cookies`)).headers.getSetCookie()).toEqual(["a=1", "b=2"])
    } finally {
      await server.close()
    }
  })

  it("delays an answer, hangs up, or stays silent, and counts the requests the client gave up on", async () => {
    const server = await startRecordingServer({
      routes: {
        "GET /slow": { ...json(200, { late: true }), delayMillis: 300 },
        "GET /hang-up": hangUp,
        "GET /silent": silence
      }
    })
    try {
      let answered = false
      const slow = fetch(`${server.url}/slow`).then((response) => {
        answered = true
        return response.json()
      })
      await server.nextRequest()
      expect(answered, "recorded at once, answered later").toBe(false)
      expect(await slow).toEqual({ late: true })
      await expect(fetch(`${server.url}/hang-up`)).rejects.toThrow()
      await expect(fetch(`${server.url}/silent`, { signal: AbortSignal.timeout(200) })).rejects.toThrow()
      for (let poll = 0; poll < 100 && server.aborted() < 2; poll++)
        await new Promise((r) => setTimeout(r, 20))
      expect(server.aborted()).toBe(2)
      expect(server.requests.map((request) => request.path)).toEqual(["/slow", "/hang-up", "/silent"])
    } finally {
      await server.close()
    }
  })

  it("inOrder counts the requests its own script answered", async () => {
    const server = await startRecordingServer({
      answer: json(200, { other: true }),
      routes: { "GET /q": inOrder(json(500, {}), json(429, {}), json(200, {})) }
    })
    try {
      await fetch(`${server.url}/other`)
      const statuses: Array<number> = []
      for (let n = 0; n < 4; n++) statuses.push((await fetch(`${server.url}/q`)).status)
      expect(statuses).toEqual([500, 429, 200, 200])
    } finally {
      await server.close()
    }
  })
})

describe("recordingServer: a scoped acquire", () => {
  it("serves within its scope and is closed when the scope ends", async () => {
    const url = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* recordingServer({ answer: json(200, { ok: true }) })
          const answered = yield* Effect.promise(() =>
            fetch(`${server.url}/x`).then((response) => response.json())
          )
          expect(answered).toEqual({ ok: true })
          return server.url
        })
      )
    )
    await expect(fetch(url)).rejects.toThrow()
    await expect(fetch(await refusedUrl())).rejects.toThrow()
  })
})
