/**
 * Plain HTTP for the suite's clients: one request over a keep-alive agent with its latency, a pool with
 * bounded concurrency, and percentiles. Imports nothing but node, so the load client can run it in a
 * worker thread of its own.
 */
import { type Agent, request } from "node:http"

export interface HttpAnswer {
  readonly status: number
  readonly body: string
  /** From writing the first byte to reading the last, in milliseconds. */
  readonly millis: number
}

/**
 * One request over a keep-alive agent; rejects only when the connection fails before an answer. A
 * server may answer early (a 413 for a body it will not read) and close while the body is still being
 * written: the write then fails (EPIPE, ECONNRESET), but the answer stands.
 */
export const send = (
  agent: Agent,
  url: string,
  options: {
    readonly method: string
    readonly headers?: Record<string, string>
    readonly body?: Uint8Array
    /** No answer by then is a failure (default 30 s). */
    readonly timeoutMs?: number
  }
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    let answered = false
    const outgoing = request(
      url,
      {
        agent,
        method: options.method,
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.body === undefined || options.headers?.["transfer-encoding"] !== undefined
            ? {}
            : { "content-length": String(options.body.byteLength) }),
          ...options.headers
        },
        timeout: options.timeoutMs ?? 30_000
      },
      (response) => {
        answered = true
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            millis: performance.now() - started
          })
        )
        response.on("error", reject)
        response.on("close", () => {
          if (!response.complete) reject(new Error(`the answer (${response.statusCode}) was cut off`))
        })
      }
    )
    outgoing.on("timeout", () =>
      outgoing.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`))
    )
    outgoing.on("error", (error) => {
      if (!answered) reject(error)
    })
    outgoing.end(options.body === undefined ? undefined : Buffer.from(options.body))
  })

/** Runs `task` over `items`, at most `concurrency` at a time, keeping the order of the results. */
export const pool = async <A, B>(
  items: ReadonlyArray<A>,
  concurrency: number,
  task: (item: A, index: number) => Promise<B>
): Promise<Array<B>> => {
  const results = new Array<B>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** Percentiles by nearest rank. */
export const percentiles = (
  samples: ReadonlyArray<number>
): { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number } => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0 }
}
