/**
 * Sending one signed webhook request, as Intercom does: `POST` of the exact JSON bytes, signed with
 * the app's client secret by the core's `sign` (never re-implemented here), `User-Agent:
 * intercom-parrot-service-client/1.0`, and a time limit (Intercom's is 5 s). Keep-alive connections
 * so thousands of deliveries a second stay cheap.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import { sign, signatureHeaders } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"

import type { SignatureMode } from "./SignatureMode.ts"

export { type SignatureMode, signatureModes } from "./SignatureMode.ts"

export const intercomUserAgent = "intercom-parrot-service-client/1.0"

/** Intercom gives a receiver 5 seconds to answer. */
export const intercomTimeoutMillis = 5_000

export const signatureHeadersFor = (
  body: string,
  secret: Redacted.Redacted<string>,
  mode: SignatureMode
): Record<string, string> => {
  if (mode === "invalid") {
    // Same format, wrong key: a receiver that checks signatures must refuse it.
    const wrong = Redacted.make(`${Redacted.value(secret)}-not-the-client-secret`)
    return {
      [signatureHeaders.sha1]: sign(body, wrong, "sha1"),
      [signatureHeaders.sha256]: sign(body, wrong, "sha256")
    }
  }
  const headers: Record<string, string> = {}
  if (mode === "sha1" || mode === "both") headers[signatureHeaders.sha1] = sign(body, secret, "sha1")
  if (mode === "sha256" || mode === "both") headers[signatureHeaders.sha256] = sign(body, secret, "sha256")
  return headers
}

export interface SendResult {
  /** The receiver's HTTP status; `null` when none arrived (timeout, refused, reset). */
  readonly status: number | null
  readonly ok: boolean
  readonly latencyMs: number
  /** Why no status arrived, or the non-2xx status in words. */
  readonly error: string | null
  /** The first kilobyte of the receiver's answer. */
  readonly responseBody: string
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256 })
}

const responseSnippetBytes = 1024

/** POSTs `body` to `url` with the given headers; never rejects, always reports what happened. */
export const postWebhook = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number
): Promise<SendResult> =>
  new Promise((resolve) => {
    const started = performance.now()
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resolve({ status: null, ok: false, latencyMs: 0, error: `invalid URL ${url}`, responseBody: "" })
      return
    }
    const secure = target.protocol === "https:"
    let settled = false
    const finish = (result: Omit<SendResult, "latencyMs">) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...result, latencyMs: Math.round((performance.now() - started) * 100) / 100 })
    }
    const payload = Buffer.from(body, "utf8")
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: "POST",
        agent: secure ? agents.https : agents.http,
        headers: {
          "content-type": "application/json",
          "content-length": String(payload.length),
          "user-agent": intercomUserAgent,
          accept: "*/*",
          ...headers
        }
      },
      (response: IncomingMessage) => {
        const chunks: Array<Buffer> = []
        let size = 0
        response.on("data", (chunk: Buffer) => {
          if (size < responseSnippetBytes) chunks.push(chunk)
          size += chunk.length
        })
        response.on("end", () => {
          const status = response.statusCode ?? 0
          const ok = status >= 200 && status < 300
          finish({
            status,
            ok,
            error: ok ? null : `HTTP ${status}`,
            responseBody: Buffer.concat(chunks).toString("utf8").slice(0, responseSnippetBytes)
          })
        })
        response.on("error", (error) =>
          finish({ status: response.statusCode ?? null, ok: false, error: error.message, responseBody: "" })
        )
      }
    )
    const timer = setTimeout(() => {
      finish({ status: null, ok: false, error: `no answer within ${timeoutMs} ms`, responseBody: "" })
      request.destroy()
    }, timeoutMs)
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ status: null, ok: false, error: error.code ?? error.message, responseBody: "" })
    )
    request.end(payload)
  })
