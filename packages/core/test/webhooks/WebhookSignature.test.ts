import { createHmac } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import {
  checkSignature,
  type SignatureAlgorithm,
  sign,
  signAll,
  signatureHeaders,
  verifySignature,
  WebhookSignatureError,
  webhookBodyLimitBytes
} from "../../src/index.ts"

const secret = Redacted.make("cs_live_6f1d0c9a8b7e")
const encoder = new TextEncoder()
const body = encoder.encode('{"type":"notification_event","topic":"ping"}')

const algorithms: ReadonlyArray<SignatureAlgorithm> = ["sha1", "sha256"]
const anyAlgorithm = fc.constantFrom<SignatureAlgorithm>("sha1", "sha256")
const anyBody = fc.uint8Array({ minLength: 0, maxLength: 4096 })
const anySecret = fc.string({ minLength: 1, maxLength: 64 })

const headerFor = (algorithm: SignatureAlgorithm, bytes: Uint8Array, key: string) => ({
  [signatureHeaders[algorithm]]: sign(bytes, key, algorithm)
})

const reasonOf = (result: ReturnType<typeof checkSignature>): string =>
  result instanceof WebhookSignatureError ? result.reason._tag : "Verified"

describe("sign", () => {
  it("matches node:crypto's HMAC hex digest with the algorithm prefix", () => {
    for (const algorithm of algorithms) {
      const expected = createHmac(algorithm, "k").update(body).digest("hex")
      assert.strictEqual(sign(body, "k", algorithm), `${algorithm}=${expected}`)
      assert.strictEqual(sign(body, Redacted.make("k"), algorithm), `${algorithm}=${expected}`)
    }
  })

  it("gives the published known answers: RFC 2202 (HMAC-SHA1) and RFC 4231 (HMAC-SHA256), test case 2", () => {
    // Fixed vectors, independent of node:crypto above: a broken HMAC or hex step cannot agree with them.
    const data = "what do ya want for nothing?"
    assert.strictEqual(sign(data, "Jefe", "sha1"), "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    assert.strictEqual(
      sign(encoder.encode(data), Redacted.make("Jefe"), "sha256"),
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert.deepStrictEqual(signAll(data, "Jefe"), {
      "x-hub-signature": "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
      "x-hub-signature-256": "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    })
  })

  it("signs a string as its UTF-8 bytes", () => {
    const text = '{"name":"Zoë 🚀"}'
    assert.strictEqual(sign(text, "k", "sha256"), sign(encoder.encode(text), "k", "sha256"))
  })

  it("reproduces Intercom's documented header shape (sha1= and 40 hex characters)", () => {
    assert.match(sign(body, secret, "sha1"), /^sha1=[0-9a-f]{40}$/)
    assert.match(sign(body, secret, "sha256"), /^sha256=[0-9a-f]{64}$/)
  })

  it("signAll gives one header per algorithm", () => {
    const headers = signAll(body, secret)
    assert.deepStrictEqual(Object.keys(headers).sort(), ["x-hub-signature", "x-hub-signature-256"])
    assert.deepStrictEqual(checkSignature(body, headers, [secret]), ["sha256", "sha1"])
  })
})

describe("verifySignature: properties", () => {
  it("round trip: any body signed with any secret and algorithm verifies", () => {
    fc.assert(
      fc.property(anyBody, anySecret, anyAlgorithm, (bytes, key, algorithm) => {
        const result = checkSignature(bytes, headerFor(algorithm, bytes, key), [Redacted.make(key)])
        assert.deepStrictEqual(result, [algorithm])
      })
    )
  })

  it("any changed body byte fails with Mismatch", () => {
    fc.assert(
      fc.property(
        anyBody.filter((bytes) => bytes.length > 0),
        anySecret,
        anyAlgorithm,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, key, algorithm, position, flip) => {
          const headers = headerFor(algorithm, bytes, key)
          const tampered = Uint8Array.from(bytes)
          const index = position % tampered.length
          tampered[index] = tampered[index]! ^ flip
          assert.strictEqual(reasonOf(checkSignature(tampered, headers, [Redacted.make(key)])), "Mismatch")
        }
      )
    )
  })

  it("any appended or removed byte fails with Mismatch", () => {
    fc.assert(
      fc.property(anyBody, anySecret, anyAlgorithm, fc.boolean(), (bytes, key, algorithm, append) => {
        fc.pre(append || bytes.length > 0)
        const headers = headerFor(algorithm, bytes, key)
        const changed = append ? Uint8Array.from([...bytes, 0x20]) : bytes.slice(0, -1)
        assert.strictEqual(reasonOf(checkSignature(changed, headers, [Redacted.make(key)])), "Mismatch")
      })
    )
  })

  it("any changed digest character in the header fails with Mismatch", () => {
    fc.assert(
      fc.property(anyBody, anySecret, anyAlgorithm, fc.nat(), (bytes, key, algorithm, position) => {
        const value = sign(bytes, key, algorithm)
        const prefix = `${algorithm}=`.length
        const index = prefix + (position % (value.length - prefix))
        const replacement = value[index] === "0" ? "1" : "0"
        const changed = value.slice(0, index) + replacement + value.slice(index + 1)
        const result = checkSignature(bytes, { [signatureHeaders[algorithm]]: changed }, [Redacted.make(key)])
        assert.strictEqual(reasonOf(result), "Mismatch")
      })
    )
  })

  it("any other secret fails with Mismatch", () => {
    fc.assert(
      fc.property(anyBody, anySecret, anySecret, anyAlgorithm, (bytes, key, otherKey, algorithm) => {
        fc.pre(key !== otherKey)
        const result = checkSignature(bytes, headerFor(algorithm, bytes, key), [Redacted.make(otherKey)])
        assert.strictEqual(reasonOf(result), "Mismatch")
      })
    )
  })

  it("upper-case hex digests verify too", () => {
    fc.assert(
      fc.property(anyBody, anySecret, anyAlgorithm, (bytes, key, algorithm) => {
        const [prefix, hex] = sign(bytes, key, algorithm).split("=") as [string, string]
        const headers = { [signatureHeaders[algorithm]]: `${prefix}=${hex.toUpperCase()}` }
        assert.deepStrictEqual(checkSignature(bytes, headers, [Redacted.make(key)]), [algorithm])
      })
    )
  })
})

describe("verifySignature: each bad input has its own reason", () => {
  const verify = (headers: Record<string, string | Array<string>>) =>
    checkSignature(body, headers, [secret]) as WebhookSignatureError

  it("no signature header: MissingHeader naming both headers", () => {
    const error = verify({ "content-type": "application/json" })
    assert.instanceOf(error, WebhookSignatureError)
    assert.strictEqual(error.reason._tag, "MissingHeader")
    assert.deepStrictEqual(error.reason._tag === "MissingHeader" && error.reason.headers, [
      "x-hub-signature-256",
      "x-hub-signature"
    ])
    assert.isFalse(error.retryable)
  })

  const malformed: ReadonlyArray<readonly [string, Record<string, string | Array<string>>]> = [
    ["empty", { "x-hub-signature": "" }],
    ["blank", { "x-hub-signature": "   " }],
    ["no algorithm prefix", { "x-hub-signature": "21ff2e149e0fdcac6f947740f6177f6434bda921" }],
    ["nothing before =", { "x-hub-signature": "=21ff2e149e0fdcac6f947740f6177f6434bda921" }],
    ["digest too short", { "x-hub-signature": "sha1=21ff2e149e0f" }],
    ["digest too long", { "x-hub-signature-256": `sha256=${"a".repeat(65)}` }],
    ["digest not hex", { "x-hub-signature": `sha1=${"g".repeat(40)}` }],
    ["two values joined", { "x-hub-signature": `sha1=${"a".repeat(40)}, sha1=${"b".repeat(40)}` }],
    ["header sent twice", { "x-hub-signature": [`sha1=${"a".repeat(40)}`, `sha1=${"b".repeat(40)}`] }]
  ]
  for (const [label, headers] of malformed) {
    it(`${label}: MalformedHeader`, () => {
      const error = verify(headers)
      assert.strictEqual(error.reason._tag, "MalformedHeader", label)
    })
  }

  const unknown: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["sha512 in x-hub-signature-256", { "x-hub-signature-256": `sha512=${"a".repeat(128)}` }],
    ["md5 in x-hub-signature", { "x-hub-signature": `md5=${"a".repeat(32)}` }],
    ["sha256 in the sha1 header", { "x-hub-signature": sign(body, secret, "sha256") }],
    ["sha1 in the sha256 header", { "x-hub-signature-256": sign(body, secret, "sha1") }]
  ]
  for (const [label, headers] of unknown) {
    it(`${label}: UnknownAlgorithm`, () => {
      const error = verify(headers)
      assert.strictEqual(error.reason._tag, "UnknownAlgorithm", label)
    })
  }

  it("a wrong digest: Mismatch", () => {
    assert.strictEqual(verify({ "x-hub-signature": `sha1=${"0".repeat(40)}` }).reason._tag, "Mismatch")
  })

  it("errors never carry a secret or a digest", () => {
    const key = "cs_live_SUPER_SECRET_value"
    const signature = sign(body, key, "sha1")
    const cases = [
      checkSignature(encoder.encode("tampered"), { "x-hub-signature": signature }, [Redacted.make(key)]),
      checkSignature(body, { "x-hub-signature": `${signature}0` }, [Redacted.make(key)]),
      checkSignature(body, {}, [Redacted.make(key)])
    ]
    for (const error of cases) {
      assert.instanceOf(error, WebhookSignatureError)
      const rendered = `${String(error)} ${JSON.stringify(error)} ${error instanceof Error ? error.message : ""}`
      assert.notInclude(rendered, key)
      assert.notInclude(rendered, signature.slice(5))
    }
  })
})

describe("verifySignature: headers, rotation and policy", () => {
  it("reads fetch Headers and Node-style records, case-insensitively", () => {
    const value = sign(body, secret, "sha1")
    assert.deepStrictEqual(checkSignature(body, new Headers({ "X-Hub-Signature": value }), [secret]), [
      "sha1"
    ])
    assert.deepStrictEqual(checkSignature(body, { "X-Hub-Signature": value }, [secret]), ["sha1"])
    assert.deepStrictEqual(checkSignature(body, { "x-hub-signature": [value] }, [secret]), ["sha1"])
  })

  it("rotation: a delivery signed with any configured secret verifies", () => {
    const previous = Redacted.make("cs_old")
    const next = Redacted.make("cs_new")
    for (const key of [previous, next]) {
      const headers = { "x-hub-signature": sign(body, key, "sha1") }
      assert.deepStrictEqual(checkSignature(body, headers, [previous, next]), ["sha1"])
      assert.deepStrictEqual(checkSignature(body, headers, [next, previous]), ["sha1"])
    }
    const retired = { "x-hub-signature": sign(body, "cs_retired", "sha1") }
    const error = checkSignature(body, retired, [previous, next])
    assert.instanceOf(error, WebhookSignatureError)
    assert.strictEqual(error instanceof WebhookSignatureError && error.reason._tag, "Mismatch")
  })

  it("a single Redacted secret is accepted as well as a list", () => {
    assert.deepStrictEqual(checkSignature(body, { "x-hub-signature": sign(body, secret, "sha1") }, secret), [
      "sha1"
    ])
  })

  it("an empty secret never verifies, even a body signed with the empty key", () => {
    const headers = { "x-hub-signature": sign(body, "", "sha1") }
    assert.strictEqual(reasonOf(checkSignature(body, headers, [Redacted.make("")])), "Mismatch")
  })

  it("both headers present: both must verify, with the same secret", () => {
    const good = signAll(body, secret)
    assert.deepStrictEqual(checkSignature(body, good, [secret]), ["sha256", "sha1"])
    const badSha256 = { ...good, "x-hub-signature-256": `sha256=${"0".repeat(64)}` }
    assert.strictEqual(reasonOf(checkSignature(body, badSha256, [secret])), "Mismatch")
    const badSha1 = { ...good, "x-hub-signature": `sha1=${"0".repeat(40)}` }
    assert.strictEqual(reasonOf(checkSignature(body, badSha1, [secret])), "Mismatch")
    const other = Redacted.make("cs_other")
    const mixed = {
      "x-hub-signature-256": sign(body, secret, "sha256"),
      "x-hub-signature": sign(body, other, "sha1")
    }
    assert.strictEqual(reasonOf(checkSignature(body, mixed, [secret, other])), "Mismatch")
    const malformedSecond = { ...good, "x-hub-signature": "sha1=zz" }
    assert.strictEqual(reasonOf(checkSignature(body, malformedSecond, [secret])), "MalformedHeader")
  })

  it("requireSha256: a SHA-1-only delivery is refused as MissingHeader by policy", () => {
    const sha1Only = { "x-hub-signature": sign(body, secret, "sha1") }
    const error = checkSignature(body, sha1Only, [secret], { requireSha256: true })
    assert.instanceOf(error, WebhookSignatureError)
    if (error instanceof WebhookSignatureError && error.reason._tag === "MissingHeader") {
      assert.isTrue(error.reason.requiredByPolicy)
      assert.deepStrictEqual(error.reason.headers, ["x-hub-signature-256"])
      assert.include(error.message, "required by policy")
    } else assert.fail("expected MissingHeader")
  })

  it("requireSha256: SHA-256 verifies; a SHA-1 header beside it is not consulted", () => {
    const policy = { requireSha256: true }
    assert.deepStrictEqual(checkSignature(body, signAll(body, secret), [secret], policy), ["sha256"])
    const sha1Garbage = { "x-hub-signature-256": sign(body, secret, "sha256"), "x-hub-signature": "garbage" }
    assert.deepStrictEqual(checkSignature(body, sha1Garbage, [secret], policy), ["sha256"])
    const tampered = {
      "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      "x-hub-signature": sign(body, secret, "sha1")
    }
    assert.strictEqual(reasonOf(checkSignature(body, tampered, [secret], policy)), "Mismatch")
  })

  it.effect("the Effect form succeeds with the verified algorithms and fails with the tagged error", () =>
    Effect.gen(function* () {
      const verified = yield* verifySignature(body, signAll(body, secret, ["sha256"]), [secret])
      assert.deepStrictEqual(verified, ["sha256"])
      const exit = yield* Effect.exit(verifySignature(body, {}, [secret]))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(verifySignature(body, {}, [secret]))
      assert.strictEqual(error._tag, "WebhookSignatureError")
      assert.strictEqual(error.reason._tag, "MissingHeader")
    })
  )
})

describe("bodies up to the size limit", () => {
  it("a body of exactly the limit signs and verifies with both algorithms; one byte changed fails", () => {
    const big = new Uint8Array(webhookBodyLimitBytes).fill(0x61)
    const headers = signAll(big, secret)
    assert.deepStrictEqual(checkSignature(big, headers, [secret]), ["sha256", "sha1"])
    big[webhookBodyLimitBytes - 1] = 0x62
    assert.strictEqual(reasonOf(checkSignature(big, headers, [secret])), "Mismatch")
  })
})
