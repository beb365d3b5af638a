/**
 * The parts of Intercom the bundle's tests need, over the testkit's recording server: the consent page
 * (`GET /oauth`, which approves at once and redirects with a code), the code exchange
 * (`POST /auth/eagle/token`) and `GET /me` for the tokens it issued. A test answers any other route with
 * `route(…)` (a route it sets over one of these takes its place until given back), and reads every
 * request from `requests`.
 */
import { randomUUID } from "node:crypto"
import {
  type Answer,
  json,
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer
} from "@taskjuice/intercom-testkit"
import { errorList, me, unauthorized, type Workspace, workspace } from "@taskjuice/intercom-testkit/intercom"

export interface LoopbackIntercom extends RecordingServer {
  readonly clientId: string
  readonly clientSecret: string
  /** The workspace the next consent approves. */
  workspace: Workspace
  /** Tokens issued so far, by value; deleting one revokes it (`GET /me` then answers 401). */
  readonly tokens: Map<string, Workspace>
}

export const startLoopbackIntercom = async (
  options: { readonly clientId?: string; readonly clientSecret?: string } = {}
): Promise<LoopbackIntercom> => {
  const clientId = options.clientId ?? "client-id-123"
  const clientSecret = options.clientSecret ?? "client-secret-xyz"
  const codes = new Map<string, Workspace>()
  const tokens = new Map<string, Workspace>()
  const state = { workspace }

  const consent = (request: RecordedRequest): Answer => {
    if (request.query.get("client_id") !== clientId) return json(400, { error: "bad client" })
    const redirect = new URL(request.query.get("redirect_uri") ?? "")
    const code = `code-${randomUUID()}`
    codes.set(code, state.workspace)
    redirect.searchParams.set("code", code)
    const stateValue = request.query.get("state")
    if (stateValue !== null) redirect.searchParams.set("state", stateValue)
    return { status: 302, headers: { location: redirect.toString() } }
  }

  const exchange = (request: RecordedRequest) => {
    const form = new URLSearchParams(request.text)
    const approved = codes.get(form.get("code") ?? "")
    if (
      form.get("client_id") !== clientId ||
      form.get("client_secret") !== clientSecret ||
      approved === undefined
    )
      return json(400, errorList("invalid_grant", "The code is invalid or spent"))
    codes.delete(form.get("code") ?? "")
    const token = `tok_${randomUUID()}`
    tokens.set(token, approved)
    return json(200, { token, access_token: token, token_type: "Bearer" })
  }

  const identity = (request: RecordedRequest) => {
    const connected = tokens.get((request.headers.authorization ?? "").replace(/^Bearer /, ""))
    return connected === undefined ? json(401, unauthorized) : json(200, me(connected))
  }

  const builtIn: Readonly<Record<string, (request: RecordedRequest) => Answer>> = {
    "GET /oauth": consent,
    "POST /auth/eagle/token": exchange,
    "GET /me": identity
  }
  const server = await startRecordingServer({
    answer: (request) =>
      builtIn[`${request.method} ${request.path}`]?.(request) ??
      json(404, errorList("not_found", `${request.method} ${request.path} is not scripted`))
  })
  return {
    ...server,
    clientId,
    clientSecret,
    tokens,
    get workspace() {
      return state.workspace
    },
    set workspace(next: Workspace) {
      state.workspace = next
    }
  }
}
