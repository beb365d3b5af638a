/**
 * The host facing the internet (issue 13), over real HTTP: the runtime API behind its token and JSON,
 * no CORS, the public surface on its own listener, every limit named in its error, and a deep delivery
 * that no longer takes the process down.
 */
import { connect } from "node:net"
import { sign, webhookFixture } from "@taskjuice/intercom-core"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { type BundleHost, runtimeAuthorization, startBundleHost } from "../src/BundleHost.ts"
import { checkJsonShape, defaultLimits } from "../src/http/Limits.ts"
import type { StepError } from "../src/StepError.ts"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { spawnHost, stopAll } from "../src/testing/SpawnHost.ts"
import { testConnection } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"

const secret = "hardening-secret"
let intercom: LoopbackIntercom
let host: BundleHost

beforeAll(async () => {
  intercom = await startLoopbackIntercom()
  intercom.route("POST /contacts", () => ({ body: Answers.contact() }))
  intercom.route("GET /tags", () => ({ body: Answers.tagList }))
  host = await startBundleHost({
    clientId: "hardening",
    clientSecret: Redacted.make(secret),
    publicPort: 0,
    writeLine: () => {},
    limits: { jsonMembers: 1_000 },
    connections: [testConnection({ id: "conn_hard", workspaceId: "hardws", apiBaseUrl: intercom.url })]
  })
})
afterAll(async () => {
  // Also the host processes a test started, whether it passed, failed or timed out.
  await stopAll()
  await host.close()
  await intercom.close()
})

const errorOf = async (response: Response) => ((await response.json()) as { error: StepError }).error

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`

/** A contact.user.created envelope whose item holds arrays nested `depth` deep, built as text. */
const deepDelivery = (id: string, depth: number) =>
  contactCreated(id, { ...webhookFixture("contact.user.created").data.item, deep: "DEEP" }).replace(
    '"DEEP"',
    nested(depth)
  )

const signedDelivery = (body: string, url = host.webhookUrl) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature": sign(body, secret, "sha1") },
    body
  })

const contactCreated = (id: string, item?: unknown) =>
  JSON.stringify(
    notificationNow("contact.user.created", {
      id,
      app_id: "hardws",
      ...(item === undefined ? {} : { data: { type: "notification_event_data", item } })
    })
  )

describe("the runtime API", () => {
  it("answers 401 without the token, with a wrong one, or a malformed header, naming the problem", async () => {
    for (const [headers, problem] of [
      [{}, "missing"],
      [{ authorization: "Bearer not-the-token-at-all" }, "mismatch"],
      [{ authorization: `Basic ${Redacted.value(host.runtimeToken)}` }, "malformed"]
    ] as const) {
      for (const path of ["/connections", "/activations", "/manifest"]) {
        const response = await fetch(`${host.url}${path}`, { headers })
        assert.strictEqual(response.status, 401, path)
        const error = await errorOf(response)
        assert.strictEqual(error.code, "UNAUTHENTICATED")
        assert.strictEqual(error.detail.problem, problem)
        assert.match(error.message, /[Bb]earer/)
      }
    }
  })

  it("a cross-site text/plain POST runs nothing, even with the token, and no answer carries CORS headers", async () => {
    const before = intercom.requests.length
    const body = JSON.stringify({ connection: "conn_hard", input: { role: "user", email: "x@y.test" } })
    const crossSite = await fetch(`${host.url}/actions/intercom/create-contact`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://evil.example" },
      body
    })
    assert.strictEqual(crossSite.status, 401)
    const withToken = await fetch(`${host.url}/actions/intercom/create-contact`, {
      method: "POST",
      headers: { ...runtimeAuthorization(host.runtimeToken), "content-type": "text/plain" },
      body
    })
    assert.strictEqual(withToken.status, 415)
    assert.strictEqual((await errorOf(withToken)).detail.field, "content-type")
    const preflight = await fetch(`${host.url}/actions/intercom/create-contact`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
    })
    assert.notStrictEqual(preflight.status, 204)
    for (const response of [crossSite, withToken, preflight]) {
      assert.isNull(response.headers.get("access-control-allow-origin"))
    }
    assert.strictEqual(intercom.requests.length, before, "no request reached Intercom")
    const allowed = await fetch(`${host.url}/actions/intercom/list-tags`, {
      method: "POST",
      headers: {
        ...runtimeAuthorization(host.runtimeToken),
        "content-type": "application/json; charset=utf-8"
      },
      body: JSON.stringify({ connection: "conn_hard" })
    })
    assert.strictEqual(allowed.status, 200)
  })

  it("is not on the public listener, and the webhook is not on the runtime's", async () => {
    assert.notStrictEqual(host.publicUrl, host.url)
    const onPublic = await fetch(`${host.publicUrl}/connections`, {
      headers: runtimeAuthorization(host.runtimeToken)
    })
    assert.strictEqual(onPublic.status, 404)
    assert.strictEqual((await errorOf(onPublic)).code, "ROUTE_NOT_FOUND")
    const body = contactCreated("notif_wrong_port")
    assert.strictEqual((await signedDelivery(body, `${host.url}/webhooks/intercom`)).status, 404)
    assert.strictEqual((await fetch(`${host.publicUrl}/health`)).status, 200)
  })
})

describe("path ids", () => {
  // The core checks action inputs against the client's id shapes (issue 13 item 5): ".." never reaches
  // Intercom as a path segment.
  it("an id of . or .. or with a slash or space is VALIDATION_FAILED naming the field, and nothing is sent", async () => {
    for (const id of [".", "..", "a/b", "a b"]) {
      const before = intercom.requests.length
      const response = await fetch(`${host.url}/actions/intercom/get-contact`, {
        method: "POST",
        headers: { ...runtimeAuthorization(host.runtimeToken), "content-type": "application/json" },
        body: JSON.stringify({ connection: "conn_hard", input: { contact_id: id } })
      })
      assert.strictEqual(response.status, 422, id)
      const error = await errorOf(response)
      assert.strictEqual(error.code, "VALIDATION_FAILED")
      assert.strictEqual(error.detail.field, "contact_id")
      assert.strictEqual(intercom.requests.length, before, `${id} reached Intercom`)
    }
  })
})

describe("limits", () => {
  it("checks depth and members on the raw bytes without recursion, also at 100,000 levels", () => {
    assert.isUndefined(checkJsonShape(new TextEncoder().encode(nested(64)), defaultLimits))
    const deep = checkJsonShape(new TextEncoder().encode(nested(100_000)), defaultLimits)
    assert.deepStrictEqual(deep, { limit: "jsonDepth", max: 64, offset: 64 })
    // Brackets inside strings are text, not nesting.
    assert.isUndefined(
      checkJsonShape(new TextEncoder().encode(JSON.stringify({ a: nested(500) })), defaultLimits)
    )
    // A string ends at a quote no odd run of backslashes escapes: escaped quotes, a trailing backslash.
    const tricky = { a: 'say "[[[{{" and \\', b: '\\"]]]', c: "x,y,z,".repeat(50) }
    const shape = (value: unknown, jsonMembers = 10) =>
      checkJsonShape(new TextEncoder().encode(JSON.stringify(value)), { jsonDepth: 64, jsonMembers })
    assert.isUndefined(shape(tricky))
    assert.deepStrictEqual(shape({ ...tricky, d: JSON.parse(nested(70)) }, 1_000)?.limit, "jsonDepth")
    assert.deepStrictEqual(shape({ ...tricky, d: Array.from({ length: 8 }, () => 1) })?.limit, "jsonMembers")
    assert.isUndefined(checkJsonShape(new TextEncoder().encode('{"unterminated": "[[[['), defaultLimits))
    assert.strictEqual(
      checkJsonShape(new TextEncoder().encode(JSON.stringify(Array.from({ length: 11 }, () => ({})))), {
        jsonDepth: 64,
        jsonMembers: 10
      })?.limit,
      "jsonMembers"
    )
  })

  it("a signed delivery nested 5,000 deep is refused before it is parsed, naming the limit", async () => {
    const response = await signedDelivery(deepDelivery("notif_deep", 5_000))
    assert.strictEqual(response.status, 413)
    const error = await errorOf(response)
    assert.deepStrictEqual(
      [error.code, error.detail.limit, error.detail.max],
      ["LIMIT_EXCEEDED", "jsonDepth", 64]
    )
    assert.strictEqual(error.detail.flag, "--max-json-depth")
  })

  it("a body of many members is refused (jsonMembers), and one over bodyBytes before it is read", async () => {
    const many = contactCreated("notif_many", {
      type: "contact",
      id: "1",
      list: Array.from({ length: 2_000 }, () => ({}))
    })
    const members = await errorOf(await signedDelivery(many))
    assert.strictEqual(members.detail.limit, "jsonMembers")
    const huge = await fetch(host.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(defaultLimits.bodyBytes + 1) },
      body: "x".repeat(defaultLimits.bodyBytes + 1)
    })
    assert.strictEqual(huge.status, 413)
    assert.strictEqual((await errorOf(huge)).detail.limit, "bodyBytes")
  })

  it("closes connections over the cap and a request that stalls past its timeout", async () => {
    const small = await startBundleHost({
      clientId: "caps",
      clientSecret: Redacted.make(secret),
      writeLine: () => {},
      limits: { connections: 3, requestTimeoutMs: 1_000, headersTimeoutMs: 1_000 }
    })
    const open = (payload: string) =>
      new Promise<{ closed: Promise<string> }>((resolve) => {
        const socket = connect(new URL(small.url).port as unknown as number, "127.0.0.1", () => {
          socket.write(payload)
          let received = ""
          socket.on("data", (chunk) => {
            received += chunk.toString()
          })
          resolve({
            closed: new Promise((done) => {
              socket.on("close", () => done(received))
              socket.on("error", () => {})
            })
          })
        })
      })
    try {
      const stalled = `POST /webhooks/intercom HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`
      const held = await Promise.all([open(stalled), open(stalled), open(stalled)])
      const refused = await open("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
      assert.strictEqual(await refused.closed, "", "the fourth connection is closed unanswered")
      for (const connection of held) assert.match(await connection.closed, /^HTTP\/1\.1 408/)
      assert.strictEqual((await fetch(`${small.url}/health`)).status, 200)
    } finally {
      await small.close()
    }
  })
})

describe("nothing after the acknowledgement takes the host down", () => {
  it("a 5,000-deep delivery under a raised depth limit cannot be kept: refused before any acknowledgement, the host keeps serving", {
    timeout: 150_000
  }, async () => {
    const runtimeToken = "hardening-runtime-token-0123456789"
    const spawned = await spawnHost({
      clientSecret: secret,
      runtimeToken,
      workspaceId: "hardws",
      limits: { jsonDepth: 200_000 }
    })
    try {
      const deep = await signedDelivery(deepDelivery("notif_deep_raised", 5_000), spawned.webhookUrl)
      // The inbox cannot record it (its JSON is too deep to write), so nothing is acknowledged: Intercom
      // keeps the delivery and retries, rather than a 200 for an activation nobody will see.
      assert.isAtLeast(deep.status, 500)
      assert.strictEqual(((await deep.json()) as { error: StepError }).error.retryable, deep.status === 503)
      assert.isTrue(spawned.alive())
      const next = await signedDelivery(contactCreated("notif_after_deep"), spawned.webhookUrl)
      assert.strictEqual(next.status, 200)
      assert.deepStrictEqual(await next.json(), { received: "accepted", activations: 1 })
      const listed = await fetch(`${spawned.url}/activations`, {
        headers: { authorization: `Bearer ${runtimeToken}` }
      })
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(
        ((await listed.json()) as { activations: Array<{ notificationId: string }> }).activations.map(
          (activation) => activation.notificationId
        ),
        ["notif_after_deep"]
      )
      assert.strictEqual((await fetch(`${spawned.url}/health`)).status, 200)
      assert.isFalse(spawned.lines.some((line) => line.event === "uncaught-exception"))
    } finally {
      await spawned.stop()
    }
  })
})
