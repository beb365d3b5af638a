import { assert, describe, it } from "@effect/vitest"
import { apiVersion } from "@taskjuice/intercom-client"
import { ConnectionStore } from "@taskjuice/intercom-state"
import type { Answer, RecordedRequest } from "@taskjuice/intercom-testkit"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import { OAuth, OAuthError, type OAuthOptions } from "../src/OAuth.ts"
import { resolveFailure } from "../src/StepError.ts"
import { memoryStateWith } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"

let intercom: LoopbackIntercom
beforeAll(async () => {
  intercom = await startLoopbackIntercom()
})
afterAll(() => intercom.close())

const redirectUri = "https://bundle.test/oauth/callback"

const options = (overrides: Partial<OAuthOptions> = {}): OAuthOptions => ({
  clientId: intercom.clientId,
  clientSecret: Redacted.make(intercom.clientSecret),
  redirectUri,
  intercomBaseUrl: intercom.url,
  ...overrides
})

const layer = (overrides: Partial<OAuthOptions> = {}) =>
  OAuth.layer(options(overrides)).pipe(Layer.provideMerge(memoryStateWith()))

/** Follows the authorize URL to Intercom's consent page, which approves and redirects back. */
const approve = (authorizeUrl: string) =>
  Effect.promise(async () => {
    const response = await fetch(authorizeUrl, { redirect: "manual" })
    assert.strictEqual(response.status, 302)
    const back = new URL(response.headers.get("location") ?? "")
    assert.strictEqual(`${back.origin}${back.pathname}`, redirectUri)
    return { code: back.searchParams.get("code"), state: back.searchParams.get("state") }
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): OAuthError => {
  assert.isTrue(Exit.isFailure(exit))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error("expected a typed failure")
  assert.instanceOf(error.error, OAuthError)
  return error.error as OAuthError
}

const exchangeCount = () => intercom.requests.filter((request) => request.path === "/auth/eagle/token").length

const hosts: Array<string> = []
/** Intercom's real hosts, routed to the loopback server: the test sees which host each call named. */
const viaLoopback = (request: Request) => {
  const original = new URL(request.url)
  hosts.push(`${request.method} ${original.origin}${original.pathname}`)
  return fetch(new Request(`${intercom.url}${original.pathname}${original.search}`, request))
}

describe("OAuth connection", () => {
  it.live("authorizes, exchanges the code, identifies the workspace and stores a connection", () =>
    Effect.gen(function* () {
      intercom.workspace = {
        idCode: "eu7space",
        name: "Acme Europe",
        region: "Europe",
        adminId: "42",
        adminEmail: "eva@acme.test"
      }
      const oauth = yield* OAuth
      const url = new URL(yield* oauth.authorizationUrl({ context: "tj-workspace-7" }))
      assert.strictEqual(`${url.origin}${url.pathname}`, `${intercom.url}/oauth`)
      assert.strictEqual(url.searchParams.get("client_id"), intercom.clientId)
      assert.strictEqual(url.searchParams.get("redirect_uri"), redirectUri)
      assert.isFalse(url.toString().includes(intercom.clientSecret))

      const callback = yield* approve(url.toString())
      const completed = yield* oauth.complete(callback)
      const connection = completed.connection

      assert.strictEqual(completed.context, "tj-workspace-7")
      assert.isFalse(completed.reconnected)
      assert.strictEqual(connection.workspaceId, "eu7space")
      assert.strictEqual(connection.workspaceName, "Acme Europe")
      assert.strictEqual(connection.adminEmail, "eva@acme.test")
      assert.strictEqual(connection.adminId, "42")
      assert.strictEqual(connection.region, "eu")
      assert.strictEqual(connection.apiBaseUrl, intercom.url)
      assert.strictEqual(connection.status, "active")
      assert.isTrue(intercom.tokens.has(Redacted.value(connection.accessToken)))
      // The token never shows when the connection is printed or serialized.
      const token = Redacted.value(connection.accessToken)
      assert.isFalse(JSON.stringify(connection).includes(token))
      assert.isFalse(String(connection.accessToken).includes(token))

      const exchange = intercom.requests.findLast((request) => request.path === "/auth/eagle/token")
      const form = new URLSearchParams(exchange?.text ?? "")
      assert.strictEqual(form.get("client_id"), intercom.clientId)
      assert.strictEqual(form.get("client_secret"), intercom.clientSecret)
      assert.strictEqual(form.get("code"), callback.code)
      const me = intercom.requests.findLast((request) => request.path === "/me")
      assert.strictEqual(me?.headers.authorization, `Bearer ${token}`)
      assert.strictEqual(me?.headers["intercom-version"], apiVersion)

      const connections = yield* ConnectionStore
      assert.deepStrictEqual(yield* connections.forWorkspace("eu7space"), [connection])
    }).pipe(Effect.provide(layer()))
  )

  it.live("pins the workspace's regional API host from GET /me", () =>
    Effect.gen(function* () {
      intercom.workspace = {
        idCode: "au1space",
        name: "Acme AU",
        region: "Australia",
        adminId: "7",
        adminEmail: "a@u.test"
      }
      const oauth = yield* OAuth
      const url = new URL(yield* oauth.authorizationUrl({ region: "au" }))
      assert.strictEqual(`${url.origin}${url.pathname}`, "https://app.au.intercom.com/oauth")
      url.protocol = "http:"
      const callback = yield* approve(`${intercom.url}/oauth${url.search}`)
      const { connection } = yield* oauth.complete(callback)
      assert.deepStrictEqual(hosts, [
        "POST https://api.au.intercom.io/auth/eagle/token",
        "GET https://api.au.intercom.io/me"
      ])
      assert.strictEqual(connection.region, "au")
      assert.strictEqual(connection.apiBaseUrl, "https://api.au.intercom.io")
    }).pipe(
      Effect.provide(
        OAuth.layer({
          clientId: intercom.clientId,
          clientSecret: Redacted.make(intercom.clientSecret),
          redirectUri,
          fetch: viaLoopback
        }).pipe(Layer.provideMerge(memoryStateWith()))
      )
    )
  )

  it.live("rejects a callback whose state was tampered with, before exchanging the code", () =>
    Effect.gen(function* () {
      const oauth = yield* OAuth
      const callback = yield* approve(yield* oauth.authorizationUrl())
      const [body, mac] = (callback.state ?? "").split(".")
      const forgedBody = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(body ?? "", "base64url").toString()), c: "attacker" })
      ).toString("base64url")
      const before = exchangeCount()
      const error = failureOf(
        yield* Effect.exit(oauth.complete({ ...callback, state: `${forgedBody}.${mac}` }))
      )
      assert.instanceOf(error, OAuthError)
      assert.strictEqual(error.reason._tag, "StateInvalid")
      if (error.reason._tag === "StateInvalid") assert.strictEqual(error.reason.cause.reason, "Mismatch")
      assert.strictEqual(resolveFailure({ _tag: "OAuth", error: error }).status, 400)
      assert.strictEqual(exchangeCount(), before)
      const connections = yield* ConnectionStore
      assert.lengthOf(yield* connections.list, 0)
    }).pipe(Effect.provide(layer()))
  )

  it.live("rejects a state issued by another bundle, a missing state and a reused state", () =>
    Effect.gen(function* () {
      const other = yield* OAuth.make(options({ clientSecret: Redacted.make("another-secret") })).pipe(
        Effect.provide(memoryStateWith())
      )
      const oauth = yield* OAuth
      const foreign = yield* approve(yield* other.authorizationUrl())
      const reasons: Array<string> = []
      for (const callback of [foreign, { code: foreign.code, state: null }]) {
        const error = failureOf(yield* Effect.exit(oauth.complete(callback)))
        if (error.reason._tag === "StateInvalid") reasons.push(error.reason.cause.reason)
      }
      const callback = yield* approve(yield* oauth.authorizationUrl())
      yield* oauth.complete(callback)
      const error = failureOf(yield* Effect.exit(oauth.complete(callback)))
      if (error.reason._tag === "StateInvalid") reasons.push(error.reason.cause.reason)
      assert.deepStrictEqual(reasons, ["Mismatch", "Missing", "Reused"])
    }).pipe(Effect.provide(layer()))
  )

  it.effect("rejects a state older than its lifetime", () =>
    Effect.gen(function* () {
      const oauth = yield* OAuth
      const url = new URL(yield* oauth.authorizationUrl())
      yield* TestClock.adjust(Duration.minutes(11))
      const error = failureOf(
        yield* Effect.exit(oauth.complete({ code: "any", state: url.searchParams.get("state") }))
      )
      assert.strictEqual(error.reason._tag, "StateInvalid")
      if (error.reason._tag === "StateInvalid") assert.strictEqual(error.reason.cause.reason, "Expired")
    }).pipe(Effect.provide(layer()))
  )

  it.live("reports a declined consent and a refused code without storing anything", () =>
    Effect.gen(function* () {
      const oauth = yield* OAuth
      const declined = yield* approve(yield* oauth.authorizationUrl())
      const denied = failureOf(
        yield* Effect.exit(oauth.complete({ state: declined.state, error: "access_denied" }))
      )
      assert.deepStrictEqual(denied.reason, { _tag: "Denied", error: "access_denied" })

      const approved = yield* approve(yield* oauth.authorizationUrl())
      const refused = failureOf(
        yield* Effect.exit(oauth.complete({ ...approved, code: "code-never-issued" }))
      )
      assert.deepStrictEqual(refused.reason, { _tag: "ExchangeRejected", status: 400 })
      assert.strictEqual(resolveFailure({ _tag: "OAuth", error: refused }).status, 502)
      assert.match(refused.message, /Intercom refused the authorization code \(status 400\)/)
      assert.isFalse(refused.message.includes(intercom.clientSecret))
      const connections = yield* ConnectionStore
      assert.lengthOf(yield* connections.list, 0)
    }).pipe(Effect.provide(layer()))
  )

  it.live("fails the connection when GET /me names no admin or no workspace, storing nothing", () =>
    Effect.gen(function* () {
      const oauth = yield* OAuth
      const connections = yield* ConnectionStore
      const answers: ReadonlyArray<{
        readonly reply: (request: RecordedRequest) => Answer
        readonly reason: OAuthError["reason"]
        readonly message: RegExp
      }> = [
        // From 2.12 the spec types the answer as `admin_with_app | null`.
        {
          reply: () => ({ body: null }),
          reason: { _tag: "IdentityIncomplete", missing: "admin" },
          message: /GET \/me response names no admin/
        },
        {
          reply: () => ({ body: { type: "admin", name: "Ana", app: { type: "app", id_code: "ws1abcde" } } }),
          reason: { _tag: "IdentityIncomplete", missing: "admin" },
          message: /GET \/me response names no admin/
        },
        {
          reply: () => ({
            body: { type: "admin", id: "991", name: "Ana", email: "ana@acme.test", app: null }
          }),
          reason: { _tag: "IdentityIncomplete", missing: "workspace" },
          message: /GET \/me response names no workspace/
        },
        {
          reply: () => ({ raw: "<html>maintenance</html>" }),
          reason: { _tag: "UnreadableResponse", step: "identity" },
          message: /GET \/me response could not be read/
        }
      ]
      yield* Effect.gen(function* () {
        for (const answer of answers) {
          intercom.route("GET /me", answer.reply)
          const error = failureOf(
            yield* Effect.exit(oauth.complete(yield* approve(yield* oauth.authorizationUrl())))
          )
          assert.deepStrictEqual(error.reason, answer.reason)
          assert.strictEqual(resolveFailure({ _tag: "OAuth", error: error }).status, 502)
          assert.match(error.message, answer.message)
        }
      }).pipe(Effect.ensuring(Effect.sync(() => intercom.route("GET /me", undefined))))
      assert.lengthOf(yield* connections.list, 0)
      // The same flow with a complete answer connects.
      yield* oauth.complete(yield* approve(yield* oauth.authorizationUrl()))
      assert.lengthOf(yield* connections.list, 1)
    }).pipe(Effect.provide(layer()))
  )

  it.live("a reconnect keeps the connection id and refuses another workspace", () =>
    Effect.gen(function* () {
      intercom.workspace = {
        idCode: "ws1abcde",
        name: "Acme",
        region: "US",
        adminId: "1",
        adminEmail: "a@acme.test"
      }
      const oauth = yield* OAuth
      const connections = yield* ConnectionStore
      const first = (yield* oauth.complete(yield* approve(yield* oauth.authorizationUrl()))).connection
      yield* connections.markRevoked(first.id)

      const again = yield* oauth.complete(
        yield* approve(yield* oauth.authorizationUrl({ connectionId: first.id }))
      )
      assert.isTrue(again.reconnected)
      assert.strictEqual(again.connection.id, first.id)
      assert.strictEqual(again.connection.status, "active")
      assert.notStrictEqual(Redacted.value(again.connection.accessToken), Redacted.value(first.accessToken))

      intercom.workspace = {
        idCode: "other999",
        name: "Other",
        region: "US",
        adminId: "2",
        adminEmail: "o@o.test"
      }
      const mismatch = failureOf(
        yield* Effect.exit(
          oauth.complete(yield* approve(yield* oauth.authorizationUrl({ connectionId: first.id })))
        )
      )
      assert.strictEqual(mismatch.reason._tag, "WorkspaceMismatch")
      assert.lengthOf(yield* connections.list, 1)
    }).pipe(Effect.provide(layer()))
  )
})
