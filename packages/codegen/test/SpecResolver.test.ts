import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type RecordingServer, startRecordingServer } from "@taskjuice/intercom-testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { prepareSpec } from "../src/Generate.ts"
import { loadPins, type Pins, pinFor } from "../src/Pins.ts"
import { workspaceRoot } from "../src/Regenerate.ts"
import {
  resolveSpec,
  SpecDownloadFailed,
  SpecHashMismatch,
  SpecMirrorMissing,
  sha256Hex,
  siblingSpecsDir
} from "../src/SpecResolver.ts"

const mirror = process.env.INTERCOM_SPECS_DIR ?? siblingSpecsDir()
const realBytes = (version: string): Buffer => readFileSync(join(mirror, version, "api.intercom.io.yaml"))
const scratch = mkdtempSync(join(tmpdir(), "intercom-resolver-test-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error("expected a failure")
    },
    (error: unknown) => error
  )

describe("a local mirror (INTERCOM_SPECS_DIR)", () => {
  it("refuses a file whose sha256 differs, naming the expected and the actual hash", async () => {
    const dir = join(scratch, "tampered")
    mkdirSync(join(dir, "2.11"), { recursive: true })
    const tampered = Buffer.concat([realBytes("2.11"), Buffer.from("\n# edited\n")])
    writeFileSync(join(dir, "2.11", "api.intercom.io.yaml"), tampered)
    const pin = pinFor("2.11")

    const error = await failureOf(resolveSpec(pin, { specsDir: dir }))
    expect(error).toBeInstanceOf(SpecHashMismatch)
    const message = (error as Error).message
    expect(message).toContain(`expected sha256 ${pin.sha256}`)
    expect(message).toContain(`got ${sha256Hex(tampered)}`)
    expect(message).toContain(join(dir, "2.11", "api.intercom.io.yaml"))
  })

  it("fails clearly when the mirror lacks the version's file", async () => {
    const dir = join(scratch, "empty-mirror")
    mkdirSync(dir, { recursive: true })
    const error = await failureOf(resolveSpec(pinFor("2.13"), { specsDir: dir }))
    expect(error).toBeInstanceOf(SpecMirrorMissing)
    expect((error as Error).message).toContain(`not found at ${join(dir, "2.13", "api.intercom.io.yaml")}`)
    expect((error as Error).message).toContain("INTERCOM_SPECS_DIR")
  })

  it("reads the pinned file from the mirror", async () => {
    const spec = await resolveSpec(pinFor("2.12"), { specsDir: mirror })
    expect(spec.origin).toBe("mirror")
    expect(spec.sha256).toBe(pinFor("2.12").sha256)
  })
})

describe("the mirror beside the checkout (../shared/specs/intercom)", () => {
  /** A checkout in a temporary folder, with a sibling mirror holding the given versions. */
  const checkoutBeside = (name: string, versions: Record<string, Buffer>) => {
    const root = join(scratch, name, "checkout")
    mkdirSync(root, { recursive: true })
    for (const [version, bytes] of Object.entries(versions)) {
      const dir = join(scratch, name, "shared", "specs", "intercom", version)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, "api.intercom.io.yaml"), bytes)
    }
    return { checkoutRoot: root, cacheDir: join(scratch, name, "cache") }
  }
  const offline: typeof fetch = () => Promise.reject(new Error("offline: nothing may be downloaded"))

  it("is found without INTERCOM_SPECS_DIR, and nothing is downloaded", async () => {
    const place = checkoutBeside("sibling", { "2.12": realBytes("2.12") })
    const spec = await resolveSpec(pinFor("2.12"), { ...place, env: {}, fetch: offline })
    expect(spec.origin).toBe("mirror")
    expect(spec.location).toBe(
      join(scratch, "sibling", "shared", "specs", "intercom", "2.12", "api.intercom.io.yaml")
    )
  })

  it("yields to INTERCOM_SPECS_DIR, which must then hold the version", async () => {
    const place = checkoutBeside("overridden", { "2.12": realBytes("2.12") })
    const elsewhere = join(scratch, "overridden", "elsewhere")
    mkdirSync(elsewhere, { recursive: true })
    const error = await failureOf(
      resolveSpec(pinFor("2.12"), { ...place, env: { INTERCOM_SPECS_DIR: elsewhere }, fetch: offline })
    )
    expect(error).toBeInstanceOf(SpecMirrorMissing)
    expect((error as Error).message).toContain(join(elsewhere, "2.12", "api.intercom.io.yaml"))
  })

  it("without the version, leaves it to the cache and the pinned URL", async () => {
    const place = checkoutBeside("partial", { "2.12": realBytes("2.12") })
    const asked: Array<string> = []
    const download: typeof fetch = async (url) => {
      asked.push(String(url))
      return new Response(new Uint8Array(realBytes("2.13")))
    }
    const spec = await resolveSpec(pinFor("2.13"), { ...place, env: {}, fetch: download })
    expect(spec.origin).toBe("download")
    expect(asked).toEqual([pinFor("2.13").url])
  })

  it("refuses a sibling file that does not match its pin", async () => {
    const tampered = Buffer.concat([realBytes("2.12"), Buffer.from("\n# edited\n")])
    const place = checkoutBeside("tampered-sibling", { "2.12": tampered })
    const error = await failureOf(resolveSpec(pinFor("2.12"), { ...place, env: {}, fetch: offline }))
    expect(error).toBeInstanceOf(SpecHashMismatch)
  })

  it("lets the README's `pnpm generate --version 2.16` work after its PATH export, with no INTERCOM_SPECS_DIR", () => {
    const toolchain = join(workspaceRoot, ".toolchain")
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(toolchain, "node", "node_modules", ".bin")}:${join(toolchain, "pnpm", "bin")}:${process.env.PATH}`
    }
    delete env.INTERCOM_SPECS_DIR
    const out = join(scratch, "readme-generate")
    const result = spawnSync("pnpm", ["generate", "--version", "2.16", "--out", out], {
      cwd: workspaceRoot,
      env,
      encoding: "utf8"
    })
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain("Generated Intercom 2.16 (mirror")
    expect(readFileSync(join(out, "version.ts"), "utf8")).toContain('apiVersion = "2.16"')
  })
})

describe("the download path, against a loopback HTTP server", () => {
  let server: RecordingServer
  let baseUrl = ""
  let body: Buffer = Buffer.alloc(0)
  let status = 200
  const requests = () => server.requests.map((request) => request.url)

  beforeAll(async () => {
    server = await startRecordingServer({
      answer: () => ({ status, raw: body, headers: { "content-type": "text/yaml" } })
    })
    baseUrl = server.url
  })
  afterAll(() => server.close())

  /** The real pins, with 2.12's URL pointed at the loopback server. */
  const loopbackPins = (): Pins => {
    const pins = loadPins()
    const pin = pins.versions["2.12"]!
    return {
      ...pins,
      versions: { ...pins.versions, "2.12": { ...pin, url: `${baseUrl}/descriptions/2.12.yaml` } }
    }
  }

  it("downloads the pinned URL, verifies it, caches it, and then reads the cache", async () => {
    const cacheDir = join(scratch, "cache-good")
    body = realBytes("2.12")
    status = 200
    server.clear()
    const pins = loopbackPins()

    const first = await prepareSpec("2.12", { pins, specsDir: null, cacheDir })
    expect(first.origin).toBe("download")
    expect(requests()).toEqual(["/descriptions/2.12.yaml"])
    const cached = join(cacheDir, "2.12", `${pinFor("2.12").sha256}.yaml`)
    expect(sha256Hex(readFileSync(cached))).toBe(pinFor("2.12").sha256)

    const second = await resolveSpec(pinFor("2.12", pins), { specsDir: null, cacheDir })
    expect(second.origin).toBe("cache")
    expect(requests()).toHaveLength(1)
  })

  it("refuses bytes that do not match the pin and caches nothing", async () => {
    const cacheDir = join(scratch, "cache-bad")
    body = Buffer.from("openapi: 3.0.1\ninfo: { title: not Intercom, version: '1' }\npaths: {}\n")
    status = 200
    const pin = pinFor("2.12", loopbackPins())

    const error = await failureOf(resolveSpec(pin, { specsDir: null, cacheDir }))
    expect(error).toBeInstanceOf(SpecHashMismatch)
    expect((error as Error).message).toContain(`expected sha256 ${pin.sha256}, got ${sha256Hex(body)}`)
    expect(existsSync(cacheDir) ? readdirSync(cacheDir, { recursive: true }) : []).toEqual([])
  })

  it("reports an HTTP error status with the URL, caching nothing", async () => {
    const cacheDir = join(scratch, "cache-404")
    body = Buffer.from("Not Found")
    status = 404
    const pin = pinFor("2.12", loopbackPins())

    const error = await failureOf(resolveSpec(pin, { specsDir: null, cacheDir }))
    expect(error).toBeInstanceOf(SpecDownloadFailed)
    expect((error as Error).message).toContain(`from ${pin.url}: HTTP 404`)
    expect(existsSync(cacheDir)).toBe(false)
  })
})
