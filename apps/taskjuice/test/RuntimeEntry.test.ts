import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { sign, signatureHeaders } from "@taskjuice/intercom-core"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { makeManifest } from "../src/Manifest.ts"
import { makeRuntime } from "../src/runtime.ts"
import { builtEntry } from "../src/testing/BuiltEntry.ts"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { testConnection } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"
import type { RuntimeWorkerTask } from "./support/RuntimeWorker.ts"

const secret = "runtime-entry-client-secret"
const workspaceId = "rtws0001"
let intercom: LoopbackIntercom
beforeAll(async () => {
  intercom = await startLoopbackIntercom()
  intercom.route("GET /tags", () => ({ body: Answers.tagList }))
})
afterAll(() => intercom.close())

const delivery = (id: string) => {
  const body = Buffer.from(
    JSON.stringify(notificationNow("contact.user.created", { id, app_id: workspaceId }))
  )
  return { body, headers: { [signatureHeaders.sha1]: sign(body, Redacted.make(secret), "sha1") } }
}

/** What `intercom/list-tags` answers for `Answers.tagList`. */
const tagsOutput = {
  output: { tags: (Answers.tagList.data ?? []).map(({ id, name }) => ({ type: "tag", id, name })) }
}

const runWorker = async (entry: string, notificationId: string) => {
  const { body, headers } = delivery(notificationId)
  const task: RuntimeWorkerTask = {
    entry,
    clientSecret: secret,
    connection: { id: "conn_worker", workspaceId, apiBaseUrl: intercom.url },
    accessToken: "tok-worker",
    action: { key: "intercom/list-tags", input: {} },
    delivery: { body: body.toString("base64"), headers }
  }
  const worker = fileURLToPath(new URL("./support/RuntimeWorker.ts", import.meta.url))
  const { stdout } = await promisify(execFile)(process.execPath, [worker, JSON.stringify(task)], {
    timeout: 60_000
  })
  return JSON.parse(stdout) as { step: unknown; receipt: unknown; manifest: unknown }
}

describe("the runtime entry: an action step, a webhook delivery, the manifest", () => {
  it("from the sources, in this process", async () => {
    const runtime = makeRuntime({ clientSecret: Redacted.make(secret) })
    await runtime.connections.save(testConnection({ id: "conn_here", workspaceId, apiBaseUrl: intercom.url }))
    assert.deepStrictEqual(await runtime.execute("intercom/list-tags", {}, "conn_here"), tagsOutput)
    const { body, headers } = delivery("notif_runtime_here")
    const receipt = await runtime.receiveWebhook(body, headers)
    assert.strictEqual(receipt._tag, "Accepted")
    assert.strictEqual((await runtime.receiveWebhook(body, headers))._tag, "Duplicate")
    const unknown = await runtime.execute("intercom/list-tags", {}, "conn_missing")
    assert.strictEqual("error" in unknown ? unknown.error.code : "no error", "AUTH_MISSING")
    assert.deepStrictEqual(await runtime.manifest(), makeManifest())
    assert.isTrue(runtime.evict("conn_here"))
  })

  it("built (dist/runtime.js), in a worker process of its own, answers as the sources do", async () => {
    const [built, sources] = [
      await runWorker(builtEntry("runtime"), "notif_runtime_built"),
      await runWorker(fileURLToPath(new URL("../src/runtime.ts", import.meta.url)), "notif_runtime_src")
    ]
    assert.deepStrictEqual(built.step, tagsOutput)
    assert.deepStrictEqual(built.receipt, { received: "accepted", activations: 1 })
    assert.deepStrictEqual(built, sources)
    assert.deepStrictEqual(built.manifest, JSON.parse(JSON.stringify(makeManifest())))
  }, 150_000) // two worker processes in turn, each with up to 60 s to load on a busy machine

  it("Node resolves the package to dist/ (what the host's and the runtime's processes load), vitest to the sources", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'for (const name of ["@taskjuice/intercom-bundle", "@taskjuice/intercom-bundle/runtime"]) console.log(import.meta.resolve(name))'
      ],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), timeout: 60_000 }
    )
    const packageUrl = new URL("..", import.meta.url).href
    assert.deepStrictEqual(stdout.trim().split("\n"), [
      `${packageUrl}dist/index.js`,
      `${packageUrl}dist/runtime.js`
    ])
    assert.strictEqual(import.meta.resolve("@taskjuice/intercom-bundle"), `${packageUrl}src/index.ts`)
  })

  it("built, it loads only what every worker needs: the manifest and undici are chunks of their own, read on demand", () => {
    const entry = builtEntry("runtime")
    const directory = dirname(entry)
    /** Every output file an import of `file` reads, and every module (by its source path) they hold. */
    const loaded = new Set<string>()
    const modules: Array<string> = []
    const dynamic: Array<string> = []
    const visit = (file: string) => {
      if (loaded.has(file)) return
      loaded.add(file)
      const code = readFileSync(join(directory, file), "utf8")
      for (const [, source] of code.matchAll(/^\/\/ ((?:src|\.\.\/)\S+\.[cm]?[jt]s)$/gm))
        modules.push(source!)
      for (const [, imported] of code.matchAll(/^import (?:[^"(]*? from )?"\.\/([^"]+\.js)"/gm))
        visit(imported!)
      for (const [, imported] of code.matchAll(/import\("\.\/([^"]+\.js)"\)/g)) dynamic.push(imported!)
    }
    visit("runtime.js")
    assert.include(modules, "src/ActionExecution.ts")
    assert.include(modules, "src/WebhookEndpoint.ts")
    const unneeded = modules.filter((source) =>
      /src\/(Manifest|Docs|OAuth|OAuthState|BundleHost|bin)\.ts|src\/http\/(Public|Runtime)Router|packages\/codegen|\/undici\//.test(
        source
      )
    )
    assert.deepStrictEqual(unneeded, [])
    // The manifest loads on the first manifest(), undici (the transport) with the first request.
    for (const lazy of [/^Manifest-/, /^undici-/]) {
      assert.isTrue(
        dynamic.some((chunk) => lazy.test(chunk)),
        `no lazily imported ${lazy} chunk in ${dynamic}`
      )
    }
  })
})
