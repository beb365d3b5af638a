/**
 * Generated malformed webhook requests. Each case is a recipe (what to send and which status it must
 * get); bodies are built only when the case is sent, so 10,000 cases (some over 1 MiB) never sit in
 * memory at once. None of them may activate anything.
 */
import { webhookBodyLimitBytes } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import { activatingTopics, envelope, signedHeaders } from "./Webhooks.ts"

export type FuzzClass =
  | "no signature"
  | "malformed signature"
  | "wrong secret"
  | "wrong algorithm"
  | "downgrade (sha1 ok, sha256 bad)"
  | "truncated body"
  | "altered body"
  | "re-encoded after signing"
  | "signed, not UTF-8"
  | "signed, not JSON"
  | "signed, not an envelope"
  | "oversized"
  | "unknown topic"
  | "unknown app_id"
  | "ping"
  | "other method"

export interface FuzzRequest {
  readonly method: string
  readonly headers: Record<string, string>
  readonly body?: Uint8Array
}

export interface FuzzCase {
  readonly class: FuzzClass
  readonly expectedStatus: number
  readonly build: (secret: Redacted.Redacted<string>) => FuzzRequest
}

const printable = fc.string({
  unit: fc.mapToConstant({ num: 94, build: (v) => String.fromCharCode(0x21 + v) }),
  maxLength: 80
})
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length })
const topic = fc.constantFrom(...activatingTopics)
const notificationId = fc.uuid().map((uuid) => `notif_${uuid}`)
/** Text with some non-ASCII, so re-encoding really changes the bytes. */
const note = fc.string({ maxLength: 40 }).map((text) => `café ${text} 日本`)

const validBody = fc
  .record({ topic, id: notificationId, note })
  .map(({ topic, id, note }) => JSON.stringify({ ...envelope(topic, { id }), note }))

const bytes = (text: string) => Buffer.from(text, "utf8")
const otherSecret = Redacted.make("not-the-client-secret")
const post = (body: Uint8Array, headers: Record<string, string>): FuzzRequest => ({
  method: "POST",
  headers,
  body
})

const header = fc.constantFrom("x-hub-signature", "x-hub-signature-256")

/** For each field the envelope requires, values it may not have (`undefined` removes the field). */
const damages = {
  type: [undefined, null, 42, "notification", []],
  app_id: [undefined, null, 42, [], {}],
  topic: [undefined, null, 42, [], {}],
  id: [42, [], {}],
  created_at: ["yesterday", 1.5, null],
  data: [undefined, null, 42, "text", [], {}],
  "data.type": [undefined, null, 42, "event"],
  "data.item": [undefined, null, 42, "text", {}],
  "data.item.type": [undefined, null, 42, [], {}],
  whole: [null, 42, "text", "array"]
} as const satisfies Record<string, ReadonlyArray<unknown>>

const breakEnvelope = (
  value: Record<string, unknown>,
  damage: keyof typeof damages,
  bad: unknown
): unknown => {
  const data = value.data as Record<string, unknown>
  const set = (target: Record<string, unknown>, key: string) => {
    if (bad === undefined) delete target[key]
    else target[key] = bad
  }
  if (damage === "whole") return bad === "array" ? [value] : bad
  if (damage === "data.type") set(data, "type")
  else if (damage === "data.item") set(data, "item")
  else if (damage === "data.item.type") set(data.item as Record<string, unknown>, "type")
  else set(value, damage)
  return value
}

const cases: ReadonlyArray<[number, fc.Arbitrary<FuzzCase>]> = [
  [
    8,
    validBody.map((body) => ({
      class: "no signature",
      expectedStatus: 401,
      build: () => post(bytes(body), {})
    }))
  ],
  [
    10,
    fc
      .record({
        body: validBody,
        header,
        value: fc.oneof(
          fc.constant(""),
          printable,
          hex(40), // no algorithm prefix
          // A digest of the wrong length (never 40 or 64 hex digits).
          fc
            .tuple(
              fc.constantFrom("sha1=", "sha256="),
              fc.integer({ min: 0, max: 100 }).filter((n) => n !== 40 && n !== 64)
            )
            .chain(([prefix, n]) => hex(n).map((h) => `${prefix}${h}`)),
          printable.map((junk) => `sha1=${junk}zz`),
          printable.map((junk) => `sha256=${junk}zz`)
        )
      })
      .map(({ body, header, value }) => ({
        class: "malformed signature",
        expectedStatus: 401,
        build: () => post(bytes(body), { [header]: value })
      }))
  ],
  [
    8,
    fc
      .record({ body: validBody, which: fc.constantFrom("sha1", "sha256", "both") })
      .map(({ body, which }) => ({
        class: "wrong secret",
        expectedStatus: 401,
        build: () => {
          const all = signedHeaders(body, otherSecret)
          const headers =
            which === "both"
              ? all
              : which === "sha1"
                ? { "x-hub-signature": all["x-hub-signature"]! }
                : { "x-hub-signature-256": all["x-hub-signature-256"]! }
          return post(bytes(body), headers)
        }
      }))
  ],
  [
    6,
    validBody.map((body) => ({
      class: "wrong algorithm",
      expectedStatus: 401,
      build: (secret) => {
        // Each header carries the other algorithm's (correct) digest.
        const good = signedHeaders(body, secret)
        return post(bytes(body), {
          "x-hub-signature": good["x-hub-signature-256"]!,
          "x-hub-signature-256": good["x-hub-signature"]!
        })
      }
    }))
  ],
  [
    6,
    fc.record({ body: validBody, tampered: validBody }).map(({ body, tampered }) => ({
      class: "downgrade (sha1 ok, sha256 bad)",
      expectedStatus: 401,
      build: (secret) =>
        post(bytes(body), {
          "x-hub-signature": signedHeaders(body, secret)["x-hub-signature"]!,
          "x-hub-signature-256": signedHeaders(`${tampered} `, secret)["x-hub-signature-256"]!
        })
    }))
  ],
  [
    8,
    fc
      .record({ body: validBody, keep: fc.double({ min: 0, max: 0.999, noNaN: true }) })
      .map(({ body, keep }) => ({
        class: "truncated body",
        expectedStatus: 401,
        build: (secret) => {
          const full = bytes(body)
          return post(full.subarray(0, Math.floor(full.length * keep)), signedHeaders(full, secret))
        }
      }))
  ],
  [
    10,
    fc
      .record({
        body: validBody,
        at: fc.double({ min: 0, max: 0.999, noNaN: true }),
        mask: fc.integer({ min: 1, max: 255 })
      })
      .map(({ body, at, mask }) => ({
        class: "altered body",
        expectedStatus: 401,
        build: (secret) => {
          const original = bytes(body)
          const altered = Buffer.from(original)
          const index = Math.floor(altered.length * at)
          altered[index] = (altered[index] ?? 0) ^ mask
          return post(altered, signedHeaders(original, secret))
        }
      }))
  ],
  [
    6,
    fc
      .record({ body: validBody, encoding: fc.constantFrom<BufferEncoding>("utf16le", "latin1") })
      .map(({ body, encoding }) => ({
        class: "re-encoded after signing",
        expectedStatus: 401,
        build: (secret) => post(Buffer.from(body, encoding), signedHeaders(bytes(body), secret))
      }))
  ],
  [
    6,
    fc
      .record({ body: validBody, encoding: fc.constantFrom<BufferEncoding>("utf16le", "latin1") })
      .map(({ body, encoding }) => ({
        class: "signed, not UTF-8",
        expectedStatus: 400,
        build: (secret) => {
          const encoded = Buffer.from(body, encoding)
          return post(encoded, signedHeaders(encoded, secret))
        }
      }))
  ],
  [
    8,
    fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }).map((array) => Buffer.from(array).toString("latin1")),
        validBody.map((body) => body.slice(0, Math.max(1, body.length - 3)))
      )
      .filter((text) => {
        try {
          JSON.parse(text)
          return false
        } catch {
          return true
        }
      })
      .map((text) => ({
        class: "signed, not JSON",
        expectedStatus: 400,
        build: (secret) => post(bytes(text), signedHeaders(bytes(text), secret))
      }))
  ],
  [
    10,
    fc
      .record({
        topic,
        id: notificationId,
        damage: fc.constantFrom(...(Object.keys(damages) as Array<keyof typeof damages>)),
        pick: fc.nat()
      })
      .map(({ topic, id, damage, pick }) => ({
        class: "signed, not an envelope",
        expectedStatus: 400,
        build: (secret) => {
          const choices = damages[damage]
          const text = JSON.stringify(
            breakEnvelope(envelope(topic, { id }), damage, choices[pick % choices.length])
          )
          return post(bytes(text), signedHeaders(bytes(text), secret))
        }
      }))
  ],
  [
    1,
    fc
      .record({
        extra: fc.integer({ min: 1, max: 256 * 1024 }),
        signed: fc.boolean(),
        declared: fc.boolean()
      })
      .map(({ extra, signed, declared }) => ({
        class: "oversized",
        expectedStatus: 413,
        build: (secret) => {
          const padding = "x".repeat(webhookBodyLimitBytes + extra)
          const body = bytes(JSON.stringify({ ...envelope("contact.user.created"), padding }))
          return post(body, {
            ...(signed ? signedHeaders(body, secret) : {}),
            // Without a declared length the host has to find out while reading.
            ...(declared ? {} : { "transfer-encoding": "chunked" })
          })
        }
      }))
  ],
  [
    6,
    fc
      .record({
        topic: fc.oneof(
          fc.constantFrom(
            "conversation.admin.closed",
            "contact.tag.created",
            "visitor.signed_up",
            "company.created"
          ),
          fc.stringMatching(/^[a-z]{1,12}(\.[a-z_]{1,12}){1,3}$/)
        ),
        id: notificationId
      })
      .filter(({ topic }) => !(activatingTopics as ReadonlyArray<string>).includes(topic) && topic !== "ping")
      .map(({ topic, id }) => ({
        class: "unknown topic",
        expectedStatus: 200,
        build: (secret) => {
          const text = JSON.stringify(envelope(topic, { id }))
          return post(bytes(text), signedHeaders(bytes(text), secret))
        }
      }))
  ],
  [
    6,
    fc
      .record({ topic, id: notificationId, appId: fc.stringMatching(/^[a-z0-9]{1,16}$/) })
      .filter(({ appId }) => appId !== "relyapp1")
      .map(({ topic, id, appId }) => ({
        class: "unknown app_id",
        expectedStatus: 200,
        build: (secret) => {
          const text = JSON.stringify(envelope(topic, { id, appId }))
          return post(bytes(text), signedHeaders(bytes(text), secret))
        }
      }))
  ],
  [
    3,
    fc.option(notificationId, { nil: null }).map((id) => ({
      class: "ping",
      expectedStatus: 200,
      build: (secret) => {
        const text = JSON.stringify(envelope("ping", { id }))
        return post(bytes(text), signedHeaders(bytes(text), secret))
      }
    }))
  ],
  [
    2,
    fc
      .record({ method: fc.constantFrom("GET", "PUT", "DELETE", "PATCH"), body: validBody })
      .map(({ method, body }) => ({
        class: "other method",
        expectedStatus: 405,
        build: (secret) =>
          method === "GET" || method === "DELETE"
            ? { method, headers: {} }
            : { method, headers: signedHeaders(body, secret), body: bytes(body) }
      }))
  ]
]

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...cases.map(([weight, arbitrary]) => ({ weight, arbitrary }))
)

/** A fixed seed: the same run sends the same requests. */
export const fuzzSeed = 20_261_124

export const fuzzCases = (count: number): ReadonlyArray<FuzzCase> =>
  fc.sample(fuzzCase, { seed: fuzzSeed, numRuns: count })

export const fuzzClasses = (): ReadonlyArray<FuzzClass> => [
  "no signature",
  "malformed signature",
  "wrong secret",
  "wrong algorithm",
  "downgrade (sha1 ok, sha256 bad)",
  "truncated body",
  "altered body",
  "re-encoded after signing",
  "signed, not UTF-8",
  "signed, not JSON",
  "signed, not an envelope",
  "oversized",
  "unknown topic",
  "unknown app_id",
  "ping",
  "other method"
]
