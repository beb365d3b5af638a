/**
 * Sending one signed webhook request, as Intercom does: `POST` of the exact JSON bytes, signed with the
 * app's client secret by the core's `signAll` (see `SignatureMode.ts`), `User-Agent:
 * intercom-parrot-service-client/1.0`, and a time limit on the Effect `Clock` (Intercom's is 5 s), so
 * tests can run it on `TestClock`. Keep-alive connections, so thousands of deliveries a second stay cheap.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export const intercomUserAgent = "intercom-parrot-service-client/1.0"

export interface SendResult {
  /** The receiver's HTTP status; `null` when none arrived (timeout, refused, reset). */
  readonly status: number | null
  readonly ok: boolean
  readonly latencyMs: number
  /** Why no status arrived, or the non-2xx status in words. */
  readonly error: string | null
  /** The receiver's answer headers. */
  readonly responseHeaders: Readonly<Record<string, string>>
  /** The first kilobyte of the receiver's answer. */
  readonly responseBody: string
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256 })
}

const responseSnippetBytes = 1024

const headerRecord = (response: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

const noAnswer = (error: string, latencyMs = 0): SendResult => ({
  status: null,
  ok: false,
  latencyMs,
  error,
  responseHeaders: {},
  responseBody: ""
})

/** The request headers of a delivery: Intercom's own, and the signatures given. */
export const deliveryHeaders = (
  body: Uint8Array,
  signatures: Readonly<Record<string, string>>
): Record<string, string> => ({
  "content-type": "application/json",
  "content-length": String(body.byteLength),
  "user-agent": intercomUserAgent,
  accept: "*/*",
  ...signatures
})

/** POSTs `body` to `url`; never fails, always reports what happened (no answer in time included). */
export const postWebhook = (
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  answerWithin: Duration.Duration
): Effect.Effect<SendResult> => {
  const started = performance.now()
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100
  const send = Effect.callback<SendResult>((resume) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resume(Effect.succeed(noAnswer(`invalid URL ${url}`)))
      return
    }
    const secure = target.protocol === "https:"
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      { method: "POST", agent: secure ? agents.https : agents.http, headers },
      (response) => {
        const chunks: Array<Buffer> = []
        let size = 0
        response.on("data", (chunk: Buffer) => {
          if (size < responseSnippetBytes) chunks.push(chunk)
          size += chunk.length
        })
        response.on("end", () => {
          const status = response.statusCode ?? 0
          const ok = status >= 200 && status < 300
          resume(
            Effect.succeed({
              status,
              ok,
              latencyMs: elapsed(),
              error: ok ? null : `HTTP ${status}`,
              responseHeaders: headerRecord(response),
              responseBody: Buffer.concat(chunks).toString("utf8").slice(0, responseSnippetBytes)
            })
          )
        })
        response.on("error", (error) =>
          resume(
            Effect.succeed({ ...noAnswer(error.message, elapsed()), status: response.statusCode ?? null })
          )
        )
      }
    )
    request.on("error", (error: NodeJS.ErrnoException) =>
      resume(Effect.succeed(noAnswer(error.code ?? error.message, elapsed())))
    )
    request.end(body)
    // Interrupted (no answer in time, or the simulator closing): give the socket up.
    return Effect.sync(() => request.destroy())
  })
  return Effect.timeoutOrElse(send, {
    duration: answerWithin,
    orElse: () =>
      Effect.succeed(noAnswer(`no answer within ${Duration.toMillis(answerWithin)} ms`, elapsed()))
  })
}
