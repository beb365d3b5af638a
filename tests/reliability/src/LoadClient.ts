/**
 * The load client, run in a worker thread: its own event loop and core, so the latencies it measures
 * are the bundle host's acknowledgements, not time spent waiting behind the client's own work.
 */
import { Agent } from "node:http"
import { parentPort, workerData } from "node:worker_threads"
import { pool, send } from "./Http.ts"

export interface LoadClientInput {
  readonly url: string
  readonly concurrency: number
  readonly phases: ReadonlyArray<
    ReadonlyArray<{ readonly headers: Record<string, string>; readonly body: Uint8Array }>
  >
}

export interface LoadClientAnswer {
  readonly status: number
  readonly received: string | undefined
  readonly millis: number
}

export interface LoadClientOutput {
  /** Per phase, one answer per delivery in order. */
  readonly phases: ReadonlyArray<ReadonlyArray<LoadClientAnswer>>
  /** Per phase, wall-clock seconds. */
  readonly seconds: ReadonlyArray<number>
}

const run = async (input: LoadClientInput): Promise<LoadClientOutput> => {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency })
  const phases: Array<ReadonlyArray<LoadClientAnswer>> = []
  const seconds: Array<number> = []
  for (const deliveries of input.phases) {
    const started = performance.now()
    const answers = await pool(deliveries, input.concurrency, async (delivery) => {
      const answer = await send(agent, input.url, {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body
      })
      let received: string | undefined
      try {
        received = (JSON.parse(answer.body) as { received?: string }).received
      } catch {
        received = undefined
      }
      return { status: answer.status, received, millis: answer.millis }
    })
    seconds.push((performance.now() - started) / 1000)
    phases.push(answers)
  }
  agent.destroy()
  return { phases, seconds }
}

if (parentPort !== null) {
  const port = parentPort
  run(workerData as LoadClientInput).then(
    (output) => port.postMessage({ ok: output }),
    (error: unknown) => port.postMessage({ error: String(error) })
  )
}
