import { execFile } from "node:child_process"
import diagnostics from "node:diagnostics_channel"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { json, type RecordingServer, startRecordingServer } from "@taskjuice/intercom-testkit"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { exchange, toResponse, undiciFetch } from "../src/index.ts"

let server: RecordingServer
beforeAll(async () => {
  server = await startRecordingServer({ answer: json(200, {}) })
})
afterAll(() => server.close())
beforeEach(() => {
  server.clear()
})

interface Outgoing {
  readonly url?: string
  readonly method?: string
  readonly headers?: Headers
  readonly body?: string
  readonly signal?: AbortSignal
}

const outgoing = (overrides: Outgoing = {}): Request =>
  new Request(overrides.url ?? `${server.url}/contacts?per_page=2`, {
    method: overrides.method ?? "GET",
    headers: overrides.headers ?? new Headers({ accept: "application/json", "x-trace": "t-1" }),
    ...(overrides.body === undefined ? {} : { body: overrides.body }),
    ...(overrides.signal === undefined ? {} : { signal: overrides.signal })
  })

/** The exchange as a direct call makes it: plain header names, the body as text, no Request. */
const direct = async (request: Request): Promise<Response> => {
  const body = await request.text()
  return toResponse(
    await exchange({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: body === "" ? undefined : body,
      signal: request.signal
    })
  )
}

const transports = [
  ["undici's dispatcher, as a direct call sends it", direct],
  ["undici's dispatcher, as openapi-fetch's fetch", undiciFetch],
  ["Node's fetch", (request: Request) => fetch(request)]
] as const

describe.each(transports)("the transport over %s", (_, transport) => {
  it("sends the method, path, query, headers and body as given", async () => {
    server.answer({ status: 200, body: { ok: true } })
    const body = JSON.stringify({ name: "Zoë 😀" })
    const response = await transport(
      outgoing({
        method: "POST",
        headers: new Headers({ "content-type": "application/json", "x-trace": "t-2" }),
        body
      })
    )
    expect(await response.json()).toEqual({ ok: true })
    // Found by its trace header, not by its place in the record: no other request can pass for it.
    const request = server.requests.find((each) => each.headers["x-trace"] === "t-2")
    expect(request?.method).toBe("POST")
    expect(request?.url).toBe("/contacts?per_page=2")
    expect(request?.headers["x-trace"]).toBe("t-2")
    expect(request?.text).toBe(body)
  })

  it("answers with a WHATWG Response: status, every header (repeated ones too) and the body", async () => {
    server.answer({
      status: 422,
      headers: { "x-ratelimit-remaining": "9", "set-cookie": ["a=1", "b=2"] },
      body: { type: "error.list", errors: [{ code: "parameter_invalid", message: "Zoë" }] }
    })
    const response = await transport(outgoing())
    expect(response).toBeInstanceOf(Response)
    expect(response.status).toBe(422)
    expect(response.ok).toBe(false)
    expect(response.headers.get("x-ratelimit-remaining")).toBe("9")
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"])
    expect(await response.json()).toEqual({
      type: "error.list",
      errors: [{ code: "parameter_invalid", message: "Zoë" }]
    })
  })

  it.each(["gzip", "deflate", "br"] as const)("asks for compression and undoes %s", async (encoding) => {
    const answer = {
      type: "list",
      data: Array.from({ length: 50 }, (_, index) => ({ id: `c-${index}`, name: "Zoë" }))
    }
    server.answer({ status: 200, body: answer, encoding })
    const response = await transport(outgoing())
    expect(await response.json()).toEqual(answer)
    expect(server.requests[0]?.headers["accept-encoding"]).toMatch(/gzip/)
  })

  it("reads text as UTF-8, a byte order mark dropped and a malformed byte replaced, as fetch does", async () => {
    const bom = [0xef, 0xbb, 0xbf]
    const body = new Uint8Array([
      ...bom,
      ...new TextEncoder().encode('{"name":"Zoë'),
      0xff,
      ...new TextEncoder().encode('"}')
    ])
    server.answer({ status: 200, raw: body })
    expect(await (await transport(outgoing())).text()).toBe('{"name":"Zoë\ufffd"}')
    server.answer({ status: 200, raw: body })
    expect(await (await transport(outgoing())).json()).toEqual({ name: "Zoë\ufffd" })
  })

  it("answers a 204 with no body", async () => {
    server.answer({ status: 204 })
    const response = await transport(outgoing({ method: "DELETE" }))
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
  })

  it("reads an answer that arrives in many chunks, whole", async () => {
    // About 1 MB: far more than one socket read, so the body comes in many pieces.
    const answer = {
      type: "list",
      data: Array.from({ length: 8_000 }, (_, index) => ({ id: `c-${index}`, name: "Zoë 😀".repeat(10) }))
    }
    server.answer({ status: 200, body: answer })
    const response = await transport(outgoing())
    expect(await response.json()).toEqual(answer)
  })

  it("rejects with the reason of a signal aborted before it is sent, and sends nothing", async () => {
    const controller = new AbortController()
    const reason = new Error("cancelled before sending")
    controller.abort(reason)
    await expect(transport(outgoing({ signal: controller.signal }))).rejects.toBe(reason)
    // Anything sent would have reached the server by the time a second request does.
    server.answer({ status: 200, body: {} })
    await transport(outgoing({ headers: new Headers({ "x-trace": "after" }) }))
    expect(server.requests.map((request) => request.headers["x-trace"])).toEqual(["after"])
  })

  it("rejects with the abort reason when the signal fires mid-request, even on a busy machine", async () => {
    server.answer({ status: 200, body: {}, delayMillis: 2_000 })
    const controller = new AbortController()
    const reason = new Error("timed out by the caller")
    // Abort once the server holds the request, not after a fixed delay: aborted after 50 ms, a request
    // the server had not read yet (the loop busy, as on a loaded machine: simulated here right after
    // the headers go out) was still recorded, after this test ended, as the next test's request.
    void server.nextRequest().then(() => controller.abort(reason))
    const busy = () => {
      const until = performance.now() + 100
      while (performance.now() < until);
    }
    diagnostics.subscribe("undici:client:sendHeaders", busy)
    try {
      await expect(transport(outgoing({ signal: controller.signal }))).rejects.toBe(reason)
    } finally {
      diagnostics.unsubscribe("undici:client:sendHeaders", busy)
    }
    expect(server.requests).toHaveLength(1)
  })
})

describe.each(transports.slice(0, 2))("%s", (_, transport) => {
  // The core tells a refused connection (provably unsent, so safe to retry) by this code.
  it("rejects with an error carrying ECONNREFUSED when nothing listens", async () => {
    const failure: unknown = await transport(outgoing({ url: "http://127.0.0.1:9/tags" })).catch(
      (error: unknown) => error
    )
    const codes: Array<unknown> = []
    for (let current: unknown = failure; typeof current === "object" && current !== null; ) {
      codes.push(Reflect.get(current, "code"))
      current = Reflect.get(current, "cause")
    }
    expect(codes).toContain("ECONNREFUSED")
  })
})

describe("the client loads undici", () => {
  // A server of its own, so the child's request never lands among another test's.
  it("with its first request, not with the client (seen from a process of its own)", async () => {
    const own = await startRecordingServer({ answer: json(200, {}) })
    own.answer({ status: 200, body: { ok: true } })
    const client = fileURLToPath(new URL("../src/index.ts", import.meta.url))
    const script = `
      import { createRequire } from "node:module"
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("/undici/"))
      const { createIntercomClient } = await import(process.argv[1])
      const client = createIntercomClient({ accessToken: "t", baseUrl: process.argv[2] })
      const atImport = loaded()
      const { status } = await client.GET("/tags")
      console.log(JSON.stringify({ atImport, afterRequest: loaded(), status }))`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script, client, own.url],
      { timeout: 25_000 }
    ).finally(() => own.close())
    expect(JSON.parse(stdout)).toEqual({ atImport: false, afterRequest: true, status: 200 })
  }, 30_000)
})

describe("the transport's Response keeps the one-read rule", () => {
  const answer = { type: "contact", name: "Zoë 😀" }
  const received = async () => {
    server.answer({ status: 200, body: answer })
    return undiciFetch(outgoing())
  }

  it("reads once, as text, JSON, bytes, an ArrayBuffer or a Blob", async () => {
    const readers: ReadonlyArray<(response: Response) => Promise<unknown>> = [
      async (response) => JSON.parse(await response.text()),
      (response) => response.json(),
      async (response) => JSON.parse(new TextDecoder().decode(await response.bytes())),
      async (response) => JSON.parse(new TextDecoder().decode(await response.arrayBuffer())),
      async (response) => JSON.parse(await (await response.blob()).text())
    ]
    for (const read of readers) {
      const response = await received()
      expect(response.bodyUsed).toBe(false)
      expect(await read(response)).toEqual(answer)
      expect(response.bodyUsed).toBe(true)
      await expect(response.text()).rejects.toThrow(TypeError)
      expect(() => response.clone()).toThrow(TypeError)
    }
  })

  it("gives its body as a stream, after which every read goes through that stream", async () => {
    const response = await received()
    const body = response.body
    expect(body).toBeInstanceOf(ReadableStream)
    expect(response.body).toBe(body)
    expect(await response.json()).toEqual(answer)
    expect(response.bodyUsed).toBe(true)
    await expect(response.text()).rejects.toThrow(TypeError)
  })

  it("clones into two independent bodies", async () => {
    const response = await received()
    const copy = response.clone()
    expect(copy.status).toBe(200)
    expect(copy.headers.get("content-type")).toBe("application/json")
    expect(await copy.json()).toEqual(answer)
    expect(await response.json()).toEqual(answer)
  })

  it("parses a body that is not JSON into a rejection, not a throw", async () => {
    server.answer({ status: 200, body: undefined })
    const response = await undiciFetch(outgoing())
    await expect(response.json()).rejects.toThrow(SyntaxError)
  })
})
