/**
 * Small node:http helpers for the local host: reading a body with a size cap, and JSON replies.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

export type BodyRead = { readonly _tag: "Body"; readonly bytes: Buffer } | { readonly _tag: "TooLarge" }

/**
 * Reads the raw body, keeping at most `limitBytes`. A larger body is read to its end and dropped, so
 * the sender still gets the 413 instead of a reset connection; a sender that keeps going far past the
 * limit is cut off.
 */
export const readBody = (request: IncomingMessage, limitBytes: number): Promise<BodyRead> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    const chunks: Array<Buffer> = []
    let received = 0
    let tooLarge = Number.isFinite(declared) && declared > limitBytes
    request.on("data", (chunk: Buffer) => {
      received += chunk.length
      if (received > limitBytes) tooLarge = true
      if (tooLarge) {
        chunks.length = 0
        if (received > limitBytes * 16 + 1_048_576) request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () =>
      resolve(tooLarge ? { _tag: "TooLarge" } : { _tag: "Body", bytes: Buffer.concat(chunks) })
    )
    request.on("error", reject)
  })

export const sendJson = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers
  })
  response.end(text)
}

export const sendEmpty = (
  response: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>> = {}
) => {
  response.writeHead(status, { "content-length": 0, ...headers })
  response.end()
}
