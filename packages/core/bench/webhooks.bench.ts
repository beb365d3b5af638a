/**
 * Webhook receive throughput: verify (HMAC on the raw bytes, constant-time compare) plus decode (UTF-8,
 * JSON, envelope Schema) against raw node:crypto on the same bytes, measured side by side in one run.
 *
 * Run: node bench/webhooks.bench.ts   (BENCH_MS=<ms per round> to lengthen)
 *
 * Rows per payload size (2 KB and 50 KB, realistic conversation notifications):
 *   verify           checkSignature            vs  raw HMAC + timingSafeEqual
 *   verify+decode    checkSignature + decodeNotificationBody vs  raw HMAC + timingSafeEqual + JSON.parse (the hand-rolled floor)
 *   verify+decode    checkSignature + decode   vs  raw HMAC only (the brief's literal baseline)
 *   Effect path      verifySignature + decodeNotification run with Effect.runSync, vs raw HMAC + JSON.parse
 * The ratio is ours / baseline in operations per second (1.0 = as fast as raw; target >= 0.8).
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  checkSignature,
  decodeNotification,
  decodeNotificationBody,
  sign,
  verifySignature,
  WebhookEnvelopeError,
  WebhookSignatureError,
  webhookFixture
} from "../src/index.ts"

const roundMillis = Number(process.env.BENCH_MS ?? 250)
const rounds = 8
const secretText = "cs_live_6f1d0c9a8b7e4d3c"
const secrets = [Redacted.make(secretText)] as const
const encoder = new TextEncoder()

/**
 * A conversation notification of exactly `size` bytes: the conversation.user.created fixture, grown with
 * copies of the reply fixture's part until close, then padded in the last part's (or the source's) body.
 */
interface GrowablePart {
  id: string
  body: string
}

interface GrowableItem {
  source: { body: string }
  conversation_parts: { conversation_parts: Array<GrowablePart>; total_count: number }
}

const payloadOfSize = (size: number): Uint8Array => {
  const base = webhookFixture("conversation.user.created")
  const part: GrowablePart = JSON.parse(
    JSON.stringify(webhookFixture("conversation.user.replied").data.item.conversation_parts)
  ).conversation_parts[0]
  const item: GrowableItem = JSON.parse(JSON.stringify(base.data.item))
  const build = () => JSON.stringify({ ...base, data: { ...base.data, item } })
  const parts = item.conversation_parts.conversation_parts
  while (encoder.encode(build()).byteLength + 1200 < size) {
    parts.push({ ...part, id: String(29815403771 + parts.length) })
    item.conversation_parts.total_count = parts.length
  }
  const padded = parts.at(-1) ?? item.source
  const missing = size - encoder.encode(build()).byteLength
  if (missing < 0) throw new Error(`cannot build a ${size}-byte payload`)
  padded.body = `${padded.body}${"x".repeat(missing)}`
  const bytes = encoder.encode(build())
  if (bytes.byteLength !== size) throw new Error(`built ${bytes.byteLength} bytes, wanted ${size}`)
  return bytes
}

type Case = () => unknown

/** Runs the cases interleaved, round after round, and reports the best round's ops/s for each. */
const measure = (cases: Record<string, Case>): Record<string, number> => {
  const best: Record<string, number> = {}
  for (const name of Object.keys(cases)) best[name] = 0
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(cases)) {
      let operations = 0
      const start = process.hrtime.bigint()
      const deadline = start + BigInt(roundMillis) * 1_000_000n
      let now = start
      while (now < deadline) {
        for (let i = 0; i < 16; i++) run()
        operations += 16
        now = process.hrtime.bigint()
      }
      const perSecond = operations / (Number(now - start) / 1e9)
      if (round > 0) best[name] = Math.max(best[name]!, perSecond)
    }
  }
  return best
}

const decodeBody = decodeNotificationBody
let sink = 0

const format = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 }).padStart(10)

console.log(
  `webhook verify + decode vs raw node:crypto (best of ${rounds - 1} rounds of ${roundMillis} ms each)`
)
console.log(`node ${process.version}\n`)
console.log(
  `${"payload".padEnd(8)}${"measure".padEnd(44)}${"ours op/s".padStart(10)}  ${"raw op/s".padStart(10)}  ratio`
)

for (const [label, size] of [
  ["2 KB", 2 * 1024],
  ["50 KB", 50 * 1024]
] as const) {
  const body = payloadOfSize(size)
  const headers = { "x-hub-signature": sign(body, secrets[0], "sha1") }
  const expected = Buffer.from(headers["x-hub-signature"].slice(5), "hex")

  // Sanity: every path accepts the payload.
  const checked = checkSignature(body, headers, secrets)
  if (checked instanceof WebhookSignatureError) throw checked
  if (decodeBody(body) instanceof WebhookEnvelopeError) throw new Error("payload does not decode")

  const rawHmac = () => {
    const digest = createHmac("sha1", secretText).update(body).digest()
    if (!timingSafeEqual(digest, expected)) throw new Error("raw HMAC mismatch")
  }
  const results = measure({
    rawHmacOnly: () => createHmac("sha1", secretText).update(body).digest(),
    rawHmac,
    rawHmacParse: () => {
      rawHmac()
      sink += (JSON.parse(Buffer.from(body).toString("utf8")) as { id: string }).id.length
    },
    verify: () => {
      if (checkSignature(body, headers, secrets) instanceof WebhookSignatureError) throw new Error("refused")
    },
    verifyDecode: () => {
      if (checkSignature(body, headers, secrets) instanceof WebhookSignatureError) throw new Error("refused")
      const notification = decodeBody(body)
      if (notification instanceof WebhookEnvelopeError) throw notification
      sink += notification.topic.length
    },
    effectPath: () => {
      const notification = Effect.runSync(
        Effect.andThen(verifySignature(body, headers, secrets), decodeNotification(body))
      )
      sink += notification.topic.length
    }
  })
  const row = (measureName: string, ours: number, raw: number) =>
    console.log(
      `${label.padEnd(8)}${measureName.padEnd(44)}${format(ours)}  ${format(raw)}  ${(ours / raw).toFixed(2)}`
    )
  row("verify vs HMAC+compare", results.verify!, results.rawHmac!)
  row("verify+decode vs HMAC+compare+JSON.parse", results.verifyDecode!, results.rawHmacParse!)
  row("verify+decode vs HMAC only", results.verifyDecode!, results.rawHmacOnly!)
  row("Effect verify+decode vs HMAC+compare+JSON.parse", results.effectPath!, results.rawHmacParse!)
}

if (sink === -1) console.log(sink)
