/**
 * A webhook receiver for the simulator's tests: the testkit's recording server, answering from a
 * script of statuses (and delays), so tests see exactly what the simulator sent.
 */
import { type RecordedRequest, startRecordingServer } from "@taskjuice/intercom-testkit"

export interface ScriptedStatus {
  status: number
  delayMs?: number
}

export interface Receiver {
  readonly url: string
  readonly requests: ReadonlyArray<RecordedRequest & { readonly json: Record<string, unknown> }>
  /** Answers for the next requests, in order; then `fallback`. */
  readonly script: Array<ScriptedStatus>
  fallback: ScriptedStatus
  readonly waitFor: (count: number, timeoutMs?: number) => Promise<void>
  readonly close: () => Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const script: Array<ScriptedStatus> = []
  const server = await startRecordingServer({
    maxRecorded: 100_000,
    answer: () => {
      const { status, delayMs } = script.shift() ?? receiver.fallback
      return {
        status,
        raw: "ok",
        headers: { "content-type": "text/plain" },
        ...(delayMs === undefined ? {} : { delayMillis: delayMs })
      }
    }
  })
  const receiver: Receiver = {
    url: `${server.url}/webhooks/intercom`,
    // Every test here reads the bodies as JSON objects; one that is not JSON reads as {}.
    get requests() {
      return server.requests.map((request) => ({
        ...request,
        json: (typeof request.json === "object" && request.json !== null ? request.json : {}) as Record<
          string,
          unknown
        >
      }))
    },
    script,
    fallback: { status: 200 },
    waitFor: (count, timeoutMs = 5000) => server.waitFor(count, timeoutMs),
    close: server.close
  }
  return receiver
}
