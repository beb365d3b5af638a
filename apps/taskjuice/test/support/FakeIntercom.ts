/**
 * A real HTTP server on loopback playing the parts of Intercom the bundle's tests need: the consent
 * page (`GET /oauth`, which approves at once and redirects with a code), the code exchange
 * (`POST /auth/eagle/token`) and `GET /me`. Other requests answer from per-path handlers the test
 * sets, and every request is recorded, so tests see exactly what went over the wire.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Reply {
  /** Answer only after this long (to make the caller time out). */
  readonly delayMs?: number
  readonly status?: number
  readonly headers?: Record<string, string>
  readonly body?: unknown
  /** Sent as is instead of `body` (to answer something that is not JSON). */
  readonly rawBody?: string
}

export interface FakeWorkspace {
  readonly idCode: string
  readonly name: string
  readonly region: string
  readonly adminId: string
  readonly adminEmail: string
}

export interface FakeIntercom {
  readonly url: string
  readonly clientId: string
  readonly clientSecret: string
  readonly requests: Array<RecordedRequest>
  /** The workspace the next consent approves. */
  workspace: FakeWorkspace
  /** Tokens issued so far, by value; deleting one "revokes" it (GET /me then answers 401). */
  readonly tokens: Map<string, FakeWorkspace>
  /** Answers `METHOD /path` with the handler's reply instead of 404. */
  readonly on: (route: string, handler: (request: RecordedRequest) => Reply) => void
  /** Gives `METHOD /path` back to the built-in answer (or 404). */
  readonly off: (route: string) => void
  readonly close: () => Promise<void>
}

const send = (response: ServerResponse, reply: Reply) => {
  response.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers })
  response.end(reply.rawBody ?? (reply.body === undefined ? "" : JSON.stringify(reply.body)))
}

const unauthorized: Reply = {
  status: 401,
  body: {
    type: "error.list",
    request_id: "req-unauthorized",
    errors: [{ code: "unauthorized", message: "Access Token Invalid" }]
  }
}

export const startFakeIntercom = async (
  options: { readonly clientId?: string; readonly clientSecret?: string } = {}
): Promise<FakeIntercom> => {
  const clientId = options.clientId ?? "client-id-123"
  const clientSecret = options.clientSecret ?? "client-secret-xyz"
  const requests: Array<RecordedRequest> = []
  const codes = new Map<string, FakeWorkspace>()
  const tokens = new Map<string, FakeWorkspace>()
  const handlers = new Map<string, (request: RecordedRequest) => Reply>()
  const state: { workspace: FakeWorkspace } = {
    workspace: {
      idCode: "ws1abcde",
      name: "Acme Support",
      region: "US",
      adminId: "991",
      adminEmail: "ana@acme.test"
    }
  }

  const server = createServer((incoming, response) => {
    const chunks: Array<Buffer> = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", () => {
      const url = new URL(incoming.url ?? "/", "http://fake")
      const request: RecordedRequest = {
        method: incoming.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8")
      }
      requests.push(request)
      const route = `${request.method} ${request.path}`
      const handler = handlers.get(route)
      if (handler !== undefined) {
        const reply = handler(request)
        if (reply.delayMs === undefined) return send(response, reply)
        const timer = setTimeout(() => send(response, reply), reply.delayMs)
        response.on("close", () => clearTimeout(timer))
        return
      }

      if (route === "GET /oauth") {
        if (request.query.get("client_id") !== clientId)
          return send(response, { status: 400, body: { error: "bad client" } })
        const redirect = new URL(request.query.get("redirect_uri") ?? "")
        const code = `code-${randomUUID()}`
        codes.set(code, state.workspace)
        redirect.searchParams.set("code", code)
        const stateValue = request.query.get("state")
        if (stateValue !== null) redirect.searchParams.set("state", stateValue)
        response.writeHead(302, { location: redirect.toString() })
        return response.end()
      }
      if (route === "POST /auth/eagle/token") {
        const form = new URLSearchParams(request.body)
        const workspace = codes.get(form.get("code") ?? "")
        if (
          form.get("client_id") !== clientId ||
          form.get("client_secret") !== clientSecret ||
          workspace === undefined
        ) {
          return send(response, {
            status: 400,
            body: { type: "error.list", errors: [{ code: "invalid_grant" }] }
          })
        }
        codes.delete(form.get("code") ?? "")
        const token = `tok_${randomUUID()}`
        tokens.set(token, workspace)
        return send(response, { body: { token, access_token: token, token_type: "Bearer" } })
      }
      if (route === "GET /me") {
        const token = (request.headers.authorization ?? "").replace(/^Bearer /, "")
        const workspace = tokens.get(token)
        if (workspace === undefined) return send(response, unauthorized)
        return send(response, {
          body: {
            type: "admin",
            id: workspace.adminId,
            name: "Ana",
            email: workspace.adminEmail,
            email_verified: true,
            app: {
              type: "app",
              id_code: workspace.idCode,
              name: workspace.name,
              region: workspace.region,
              timezone: "Europe/Dublin",
              created_at: 1700000000,
              identity_verification: false
            }
          }
        })
      }
      return send(response, { status: 404, body: { type: "error.list", errors: [{ code: "not_found" }] } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    requests,
    get workspace() {
      return state.workspace
    },
    set workspace(workspace: FakeWorkspace) {
      state.workspace = workspace
    },
    tokens,
    on: (route, handler) => {
      handlers.set(route, handler)
    },
    off: (route) => {
      handlers.delete(route)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}
