import { json, type RecordingServer, startRecordingServer } from "@taskjuice/intercom-testkit"
import * as Redacted from "effect/Redacted"
import { defaultPathSerializer } from "openapi-fetch"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  apiVersion,
  createIntercomClient,
  type IntercomClient,
  type ResponseObservation,
  rateLimitHeaders
} from "../src/index.ts"

const canary = "tok_CANARY_do_not_leak_7f3a9c"
let server: RecordingServer
/** Straight to undici: nothing outside the client watches its requests. */
let client: IntercomClient
/** Through openapi-fetch's own client: the `onResponse` observer needs WHATWG Requests. */
let observedClient: IntercomClient
const observed: Array<ResponseObservation> = []

beforeAll(async () => {
  server = await startRecordingServer({ answer: json(200, {}) })
  client = createIntercomClient({ accessToken: Redacted.make(canary), baseUrl: server.url })
  observedClient = createIntercomClient({
    accessToken: Redacted.make(canary),
    baseUrl: server.url,
    onResponse: (observation) => observed.push(observation)
  })
})
/** Both ways out: every test of the wire runs on each. */
const bothPaths = [
  ["directly", () => client],
  ["through openapi-fetch", () => observedClient]
] as const
afterAll(() => server.close())
beforeEach(() => {
  server.clear()
  observed.length = 0
  server.answer({ status: 200, body: { type: "contact", id: "6762f0d51bb69f9f2193bb7f" } })
})

const lastRequest = () => {
  expect(server.requests).toHaveLength(1)
  return server.requests[0]!
}

const expectIntercomHeaders = () => {
  const { headers } = lastRequest()
  expect(headers.authorization).toBe(`Bearer ${canary}`)
  expect(headers["intercom-version"]).toBe(apiVersion)
  expect(headers.accept).toBe("application/json")
  expect(headers["user-agent"]).toMatch(/^taskjuice-intercom\//)
}

describe.each(bothPaths)("the eight operations go over the wire as Intercom expects (%s)", (_, clientOf) => {
  let client: IntercomClient
  beforeEach(() => {
    client = clientOf()
  })

  it("create contact: POST /contacts with a JSON body", async () => {
    const { data } = await client.POST("/contacts", {
      body: { role: "lead", email: "ada@example.com", custom_attributes: { plan: "pro" } }
    })
    const request = lastRequest()
    expect(request.method).toBe("POST")
    expect(request.url).toBe("/contacts")
    expect(request.headers["content-type"]).toBe("application/json")
    expect(JSON.parse(request.text)).toEqual({
      role: "lead",
      email: "ada@example.com",
      custom_attributes: { plan: "pro" }
    })
    expectIntercomHeaders()
    expect(data?.id).toBe("6762f0d51bb69f9f2193bb7f")
  })

  it("get contact: GET /contacts/{contact_id}, the id escaped into the path", async () => {
    await client.GET("/contacts/{contact_id}", { params: { path: { contact_id: "abc/../1 2" } } })
    const request = lastRequest()
    expect(request.method).toBe("GET")
    expect(request.url).toBe("/contacts/abc%2F..%2F1%202")
    expect(request.text).toBe("")
    expectIntercomHeaders()
  })

  it("update contact: PUT /contacts/{contact_id} with only the given fields, null kept", async () => {
    await client.PUT("/contacts/{contact_id}", {
      params: { path: { contact_id: "6762f0d51bb69f9f2193bb7f" } },
      body: { name: "Ada", phone: null }
    })
    const request = lastRequest()
    expect(request.method).toBe("PUT")
    expect(request.url).toBe("/contacts/6762f0d51bb69f9f2193bb7f")
    expect(JSON.parse(request.text)).toEqual({ name: "Ada", phone: null })
    expectIntercomHeaders()
  })

  it("list contacts: GET /contacts with per_page and starting_after in the query", async () => {
    server.answer({ status: 200, body: { type: "list", data: [], total_count: 0 } })
    await client.GET("/contacts", { params: { query: { per_page: 150, starting_after: "WzE3MDI=" } } })
    const request = lastRequest()
    expect(request.method).toBe("GET")
    expect(request.url).toBe("/contacts?per_page=150&starting_after=WzE3MDI%3D")
    expectIntercomHeaders()
  })

  it("create conversation: POST /conversations from a contact", async () => {
    await client.POST("/conversations", {
      body: { from: { type: "user", id: "6762f0d51bb69f9f2193bb7f" }, body: "Hello" }
    })
    const request = lastRequest()
    expect([request.method, request.url]).toEqual(["POST", "/conversations"])
    expect(JSON.parse(request.text)).toEqual({
      from: { type: "user", id: "6762f0d51bb69f9f2193bb7f" },
      body: "Hello"
    })
    expectIntercomHeaders()
  })

  it("reply to conversation: POST /conversations/{conversation_id}/reply as an admin", async () => {
    await client.POST("/conversations/{conversation_id}/reply", {
      params: { path: { conversation_id: "1295" } },
      body: { message_type: "note", type: "admin", admin_id: "991267596", body: "Internal" }
    })
    const request = lastRequest()
    expect([request.method, request.url]).toEqual(["POST", "/conversations/1295/reply"])
    expect(JSON.parse(request.text)).toEqual({
      message_type: "note",
      type: "admin",
      admin_id: "991267596",
      body: "Internal"
    })
    expectIntercomHeaders()
  })

  it("create or update company: POST /companies keyed on company_id", async () => {
    await client.POST("/companies", { body: { company_id: "acme-1", name: "Acme", monthly_spend: 100 } })
    const request = lastRequest()
    expect([request.method, request.url]).toEqual(["POST", "/companies"])
    expect(JSON.parse(request.text)).toEqual({ company_id: "acme-1", name: "Acme", monthly_spend: 100 })
    expectIntercomHeaders()
  })

  it("list tags: GET /tags", async () => {
    server.answer({ status: 200, body: { type: "list", data: [{ type: "tag", id: "1", name: "vip" }] } })
    const { data } = await client.GET("/tags")
    expect([lastRequest().method, lastRequest().url]).toEqual(["GET", "/tags"])
    expectIntercomHeaders()
    expect(data?.data?.[0]?.name).toBe("vip")
  })
})

const limited = { limit: 1000, remaining: 0, resetAt: 1764000010 }

describe.each(bothPaths)("rate-limit headers (%s)", (_, clientOf) => {
  it("are read into a typed value on every response, including errors", async () => {
    const client = clientOf()
    server.answer({
      status: 429,
      headers: {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1764000010"
      },
      body: {
        type: "error.list",
        request_id: "r1",
        errors: [{ code: "rate_limit_exceeded", message: "slow down" }]
      }
    })
    const { error, response, status, rateLimit } = await client.GET("/tags")
    expect(status).toBe(429)
    expect(response.status).toBe(429)
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0")
    expect(error).toMatchObject({ type: "error.list", errors: [{ code: "rate_limit_exceeded" }] })
    expect(rateLimit).toEqual(limited)
    expect(client.lastRateLimit()).toEqual(limited)
  })

  it("are undefined when absent or partial, keeping the last full reading", async () => {
    const client = clientOf()
    server.answer({
      status: 200,
      headers: { "X-RateLimit-Limit": "1000" },
      body: { type: "list", data: [] }
    })
    const { rateLimit } = await client.GET("/tags")
    expect(rateLimit).toBeUndefined()
    expect(client.lastRateLimit()).toEqual(limited)
  })
})

describe("the onResponse observer", () => {
  it("sees every response and its rate-limit reading", async () => {
    server.answer({ status: 429, headers: rateLimitHeaders(limited), body: { type: "error.list" } })
    await observedClient.GET("/tags")
    server.answer({ status: 200, body: { type: "list", data: [] } })
    await observedClient.GET("/tags")
    expect(observed.map((o) => [o.response.status, o.rateLimit])).toEqual([
      [429, limited],
      [200, undefined]
    ])
  })
})

describe.each(bothPaths)("answers as openapi-fetch reads them (%s)", (_, clientOf) => {
  it("a 204 has neither data nor error", async () => {
    server.answer({ status: 204 })
    const result = await clientOf().DELETE("/contacts/{contact_id}", {
      params: { path: { contact_id: "6762f0d51bb69f9f2193bb7f" } }
    })
    expect([result.status, result.data, result.error]).toEqual([204, undefined, undefined])
    expect(lastRequest().method).toBe("DELETE")
  })

  it("an error body that is not JSON is the error as text", async () => {
    server.answer({ status: 502, raw: "Bad Gateway", headers: { "content-type": "text/plain" } })
    const result = await clientOf().GET("/tags")
    expect([result.status, result.data, result.error]).toEqual([502, undefined, "Bad Gateway"])
  })

  it("a success body that starts with a byte order mark is read as JSON", async () => {
    server.answer({
      status: 200,
      raw: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"id":"1"}')])
    })
    expect((await clientOf().GET("/tags")).data).toEqual({ id: "1" })
  })

  it("a success body that is not JSON rejects with a SyntaxError", async () => {
    server.answer({ status: 200, raw: "<html>maintenance</html>" })
    await expect(clientOf().GET("/tags")).rejects.toThrow(SyntaxError)
  })

  it("undoes a compressed answer", async () => {
    const answer = { type: "list", data: Array.from({ length: 40 }, (_, index) => ({ id: `${index}` })) }
    server.answer({ status: 200, body: answer, encoding: "gzip" })
    const { data } = await clientOf().GET("/tags")
    expect(data).toEqual(answer)
    expect(lastRequest().headers["accept-encoding"]).toMatch(/gzip/)
  })

  it("calls by operationId: the operation's method and path, typed as the path's own", async () => {
    const client = clientOf()
    await client.call("UpdateContact", {
      params: { path: { contact_id: "6762f0d51bb69f9f2193bb7f" } },
      body: { name: "Ada" }
    })
    expect([lastRequest().method, lastRequest().url]).toEqual(["PUT", "/contacts/6762f0d51bb69f9f2193bb7f"])
    expect(JSON.parse(lastRequest().text)).toEqual({ name: "Ada" })
    server.clear()
    server.answer({ status: 200, body: { type: "list", data: [{ type: "tag", id: "1", name: "vip" }] } })
    const { data } = await client.call("listTags")
    expect([lastRequest().method, lastRequest().url]).toEqual(["GET", "/tags"])
    expect(data?.data?.[0]?.name).toBe("vip")
    expectIntercomHeaders()
  })

  it("sends the caller's headers and header parameters under ours", async () => {
    await clientOf().GET("/tags", {
      headers: { "x-trace": "t-4", Authorization: "Bearer not-ours" },
      params: { header: { "Intercom-Version": "1.0" } }
    })
    expect(lastRequest().headers["x-trace"]).toBe("t-4")
    expectIntercomHeaders()
  })
})

describe("which way a call goes", () => {
  it("an option only openapi-fetch reads (parseAs) goes through openapi-fetch, and is honoured", async () => {
    server.answer({ status: 200, body: { type: "list", data: [] } })
    const { data } = await client.GET("/tags", { parseAs: "text" })
    expect(data).toBe(JSON.stringify({ type: "list", data: [] }))
  })

  it("a direct call builds its WHATWG Response only when read, with the whole answer", async () => {
    server.answer({
      status: 200,
      headers: { "x-request-id": "req-7" },
      body: { type: "list", data: [] }
    })
    const { response } = await client.GET("/tags")
    expect(response).toBeInstanceOf(Response)
    expect(response.headers.get("x-request-id")).toBe("req-7")
    expect(await response.json()).toEqual({ type: "list", data: [] })
  })
})

describe("a direct call's path", () => {
  // Each template is read once; the path must still be the one openapi-fetch's serializer builds,
  // whatever the value.
  it.each(["6762f0d51bb69f9f2193bb7f", "abc/../1 2", "Zoë 😀", "100%", "a$&b", "$1", "{contact_id}", 42])(
    "puts %s in as openapi-fetch's defaultPathSerializer does",
    async (id) => {
      const template = "/conversations/{conversation_id}/parts/{part_id}"
      const parameters = { conversation_id: id, part_id: "p 1" }
      await client.request("get", template as "/tags", { params: { path: parameters } } as never)
      expect(lastRequest().url).toBe(defaultPathSerializer(template, parameters))
    }
  )

  it("leaves a placeholder without a value as openapi-fetch does", async () => {
    await client.GET("/contacts/{contact_id}", { params: { path: {} } } as never)
    expect(lastRequest().url).toBe(defaultPathSerializer("/contacts/{contact_id}", {}))
  })
})

describe("hosts and versions", () => {
  it("uses the regional host when no baseUrl is given", () => {
    expect(createIntercomClient({ accessToken: "t" }).baseUrl).toBe("https://api.intercom.io")
    expect(createIntercomClient({ accessToken: "t", region: "eu" }).baseUrl).toBe(
      "https://api.eu.intercom.io"
    )
    expect(createIntercomClient({ accessToken: "t", region: "au" }).baseUrl).toBe(
      "https://api.au.intercom.io"
    )
  })

  it.each([
    ["directly", {}],
    ["through openapi-fetch", { onResponse: () => undefined }]
  ] as const)("keeps the base URL's own path before every path (%s)", async (_, options) => {
    const prefixed = createIntercomClient({
      accessToken: canary,
      baseUrl: `${new URL(server.url).origin}/intercom/v2/`,
      ...options
    })
    await prefixed.GET("/contacts/{contact_id}", {
      params: { path: { contact_id: "6762f0d51bb69f9f2193bb7f" } }
    })
    expect(lastRequest().url).toBe("/intercom/v2/contacts/6762f0d51bb69f9f2193bb7f")
  })

  it("sends an explicit Intercom-Version and a custom User-Agent", async () => {
    const pinned = createIntercomClient({
      accessToken: canary,
      baseUrl: `${server.url}/`,
      version: "2.14",
      userAgent: "agency-x/1"
    })
    await pinned.GET("/tags")
    expect(lastRequest().headers["intercom-version"]).toBe("2.14")
    expect(lastRequest().headers["user-agent"]).toBe("agency-x/1")
    expect(lastRequest().url).toBe("/tags")
  })

  it("goes through an injected fetch", async () => {
    const seen: Array<string> = []
    const traced = createIntercomClient({
      accessToken: canary,
      baseUrl: server.url,
      fetch: (request) => {
        seen.push(`${request.method} ${new URL(request.url).pathname}`)
        return fetch(request)
      }
    })
    await traced.GET("/tags")
    expect(seen).toEqual(["GET /tags"])
  })
})

describe("the access token stays secret", () => {
  it("is not visible on the client, in its JSON or in a network error", async () => {
    const offline = createIntercomClient({ accessToken: canary, baseUrl: "http://127.0.0.1:9" })
    expect(JSON.stringify(offline)).not.toContain(canary)
    expect(String(Object.values(offline))).not.toContain(canary)
    const failure = await offline.GET("/tags").then(
      () => undefined,
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(Error)
    const seen = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack} ${String((failure as Error).cause)}`
    expect(seen).not.toContain(canary)
  })
})

describe("requests are sent as openapi-fetch built them", () => {
  it("honours an abort signal", async () => {
    const controller = new AbortController()
    controller.abort(new Error("stopped by the caller"))
    const outcome = await client.GET("/tags", { signal: controller.signal }).then(
      () => "sent",
      (error: unknown) => (error instanceof Error ? error.message : String(error))
    )
    expect(outcome).toBe("stopped by the caller")
    expect(server.requests).toHaveLength(0)
  })

  it("sends a Request that a middleware replaced, with our headers and its body", async () => {
    const rewriting = createIntercomClient({
      accessToken: canary,
      baseUrl: server.url,
      middleware: [
        {
          onRequest: ({ request }) =>
            new Request(request, { headers: new Headers([...request.headers, ["x-trace", "t-1"]]) })
        }
      ]
    })
    await rewriting.POST("/companies", { body: { company_id: "acme-2" } })
    expect(lastRequest().headers["x-trace"]).toBe("t-1")
    expect(lastRequest().headers.authorization).toBe(`Bearer ${canary}`)
    expect(JSON.parse(lastRequest().text)).toEqual({ company_id: "acme-2" })
  })
})

describe("middleware sees WHATWG Requests, as openapi-fetch promises", () => {
  const tracing = {
    seen: [] as Array<unknown>,
    bodies: [] as Array<Promise<string>>,
    onRequest({ request }: { request: Request }) {
      this.seen.push(request)
      this.bodies.push(request.clone().text())
      request.headers.set("x-trace", "t-9")
    },
    onResponse({ request, response }: { request: Request; response: Response }) {
      this.seen.push(request, response)
    }
  }
  beforeEach(() => {
    tracing.seen.length = 0
    tracing.bodies.length = 0
  })

  it("registered: a header it sets on the request is sent, and it sees the response", async () => {
    const traced = createIntercomClient({ accessToken: canary, baseUrl: server.url, middleware: [tracing] })
    await traced.POST("/companies", { body: { company_id: "acme-3" } })
    const [request, sameRequest, response] = tracing.seen
    expect(request).toBeInstanceOf(Request)
    expect(sameRequest).toBe(request)
    expect(response).toBeInstanceOf(Response)
    expect((request as Request).method).toBe("POST")
    expect(JSON.parse(await (tracing.bodies[0] ?? ""))).toEqual({ company_id: "acme-3" })
    expect(lastRequest().headers["x-trace"]).toBe("t-9")
    expect(lastRequest().headers.authorization).toBe(`Bearer ${canary}`)
    expect(JSON.parse(lastRequest().text)).toEqual({ company_id: "acme-3" })
  })

  it("per request: the same, for that request only", async () => {
    await client.GET("/tags", { middleware: [tracing] })
    expect(tracing.seen[0]).toBeInstanceOf(Request)
    expect(lastRequest().headers["x-trace"]).toBe("t-9")
    server.clear()
    await client.GET("/tags")
    expect(lastRequest().headers["x-trace"]).toBeUndefined()
  })

  it("ejected: no longer runs", async () => {
    const traced = createIntercomClient({ accessToken: canary, baseUrl: server.url })
    traced.use(tracing)
    traced.eject(tracing)
    await traced.GET("/tags")
    expect(tracing.seen).toEqual([])
    expect(lastRequest().headers["x-trace"]).toBeUndefined()
  })

  it("answering with a Response: nothing is sent", async () => {
    const cached = createIntercomClient({
      accessToken: canary,
      baseUrl: server.url,
      middleware: [{ onRequest: () => Response.json({ type: "list", data: [] }) }]
    })
    const { data } = await cached.GET("/tags")
    expect(data).toEqual({ type: "list", data: [] })
    expect(server.requests).toHaveLength(0)
  })

  it("the onResponse observer gets the request as a WHATWG Request", async () => {
    await observedClient.GET("/tags")
    expect(observed[0]?.request).toBeInstanceOf(Request)
    expect(observed[0]?.request.url).toBe(`${server.url}/tags`)
  })
})
