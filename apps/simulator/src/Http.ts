/**
 * The few node:http helpers the simulator's routes share: reading a bounded body, answering JSON.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

/** Larger request bodies get 413 before anything parses them. */
export const requestBodyLimitBytes = 1024 * 1024

export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge"
}

export const readBody = (request: IncomingMessage, limit = requestBodyLimitBytes): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new BodyTooLarge(`the body is larger than ${limit} bytes`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"))
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
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  response.end(text)
}

export const sendText = (
  response: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Readonly<Record<string, string>> = {}
): void => {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  response.end(text)
}

/** Splits `/path?query` without building a URL object per request. */
export const splitTarget = (target: string): { path: string; query: URLSearchParams } => {
  const mark = target.indexOf("?")
  return mark === -1
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) }
}
