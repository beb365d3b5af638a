import { mkdirSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { checkSignature, WebhookSignatureError } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { faviconResponse } from "../src/Dashboard.ts"
import { type DeliveryRecord, type Simulator, startSimulator } from "../src/index.ts"

/** Debian's chromium (CI installs it the same way); CHROMIUM_PATH overrides. */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const outputDirectory =
  process.env.TEST_OUTPUT_DIR ?? fileURLToPath(new URL("../test-output/", import.meta.url))
const secret = "dashboard-secret"
const widths = [1000, 1400, 1920] as const

/**
 * A receiver as a webhook endpoint is: it checks the signature with the client secret and answers
 * 401 with its reason when it does not match; the first conversation.user.created gets a 503, so
 * the simulator retries it.
 */
interface Received {
  readonly topic: string
  readonly headers: IncomingHttpHeaders
}
const startVerifyingReceiver = async () => {
  const received: Array<Received> = []
  let busyOnce = true
  const server: Server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks)
      const topic = String((JSON.parse(body.toString("utf8")) as { topic?: unknown }).topic)
      received.push({ topic, headers: request.headers })
      const verified = checkSignature(body, request.headers, Redacted.make(secret))
      if (verified instanceof WebhookSignatureError) {
        response.writeHead(401, { "content-type": "application/json" }).end(
          JSON.stringify({
            error: { reason: "Mismatch", message: "the signature does not match the body" }
          })
        )
      } else if (topic === "conversation.user.created" && busyOnce) {
        busyOnce = false
        response
          .writeHead(503, { "content-type": "text/plain", "retry-after": "1" })
          .end("busy: try again later")
      } else {
        response.writeHead(200, { "content-type": "application/json" }).end('{"received":"accepted"}')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/intercom`
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

// A machine busy with the whole suite renders and answers slowly: wait for the page, not the clock.
vi.setConfig({ testTimeout: 60_000, expect: { poll: { timeout: 10_000 } } })

let sim: Simulator
let receiver: Awaited<ReturnType<typeof startVerifyingReceiver>>
let browser: Browser
let page: Page
const pageErrors: Array<string> = []
const requested: Array<string> = []

const until = async (what: string, check: () => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const delivered = (topic: string, attempt: number) =>
  sim.deliveries({ topic }).find((delivery) => delivery.attempt === attempt)

beforeAll(async () => {
  receiver = await startVerifyingReceiver()
  // A tenth of Intercom's delays: the retry a minute later comes 6 s later. The receiver still has 2 s
  // to answer (the scaled window's floor), so the 401, the 503 and the 200 are what it answered.
  sim = await startSimulator({
    clientSecret: secret,
    webhookUrls: [receiver.url],
    seed: "dashboard",
    rateLimitPerMinute: 60,
    timeScale: 0.1
  })
  const headers = {
    authorization: `Bearer ${Redacted.value(sim.accessToken)}`,
    "content-type": "application/json"
  }
  for (const email of ["ada@example.com", "grace@example.com"]) {
    await fetch(`${sim.url}/contacts`, { method: "POST", headers, body: JSON.stringify({ email }) })
  }
  await sim.trigger("contact.lead.created", { signature: "invalid" })
  await sim.trigger("conversation.user.created")
  await sim.trigger("conversation.admin.single.created")
  await until(
    "the retries",
    () =>
      delivered("contact.lead.created", 2) !== undefined &&
      delivered("conversation.user.created", 2) !== undefined
  )
  await sim.settle()
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // No network beyond loopback here: keep Chromium from calling home.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on("pageerror", (error) => pageErrors.push(error.message))
  page.on("request", (request) => requested.push(new URL(request.url()).pathname))
  await page.goto(sim.url)
  await page.waitForSelector("body[data-ready=true]")
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await sim?.close()
  await receiver?.close()
})

/** The admin API as the dashboard reads it, with the run's token. */
const admin = (path: string) =>
  fetch(`${sim.url}${path}`, { headers: { "x-sim-admin-token": Redacted.value(sim.adminToken) } })

const countOf = async (key: string) =>
  Number(await page.locator(`[data-testid=count-${key}] b`).textContent())
/** The row of a topic's attempt; for contact.lead.created, the one sent with an invalid signature (the 401s). */
const rowOf = (topic: string, attempt: number) => {
  const delivery = sim
    .deliveries({ topic })
    .find((d) => d.attempt === attempt && (topic !== "contact.lead.created" || d.signature === "invalid"))
  if (delivery === undefined) throw new Error(`no attempt ${attempt} of ${topic}`)
  return page.locator(`[data-testid=delivery][data-id="${delivery.id}"]`)
}
const shot = async (name: string) => {
  mkdirSync(outputDirectory, { recursive: true })
  const image = await page.screenshot({ path: join(outputDirectory, name), fullPage: true })
  expect(image.byteLength).toBeGreaterThan(10_000)
}

/**
 * What is wrong with the layout, measured in the page: anything wider than the window, panels that
 * overlap, a table wider than its box, a Resend button not whole inside its table and panel, a body
 * block that scrolls sideways.
 */
const layoutProblems = () =>
  page.evaluate(() => {
    const problems: Array<string> = []
    const within = (inner: DOMRect, outer: DOMRect) =>
      inner.left >= outer.left - 0.5 &&
      inner.right <= outer.right + 0.5 &&
      inner.top >= outer.top - 0.5 &&
      inner.bottom <= outer.bottom + 0.5
    const name = (element: Element) => (element as HTMLElement).dataset.testid ?? element.className
    if (document.documentElement.scrollWidth > window.innerWidth)
      problems.push(
        `the page is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`
      )
    const panels = [...document.querySelectorAll("section.panel")]
    for (const panel of panels) {
      const box = panel.getBoundingClientRect()
      if (box.left < 0 || box.right > window.innerWidth)
        problems.push(`${name(panel)} sticks out of the window`)
      if (box.width < 200) problems.push(`${name(panel)} is only ${box.width} px wide`)
    }
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const x = a.getBoundingClientRect()
        const y = b.getBoundingClientRect()
        const overlapX = Math.min(x.right, y.right) - Math.max(x.left, y.left)
        const overlapY = Math.min(x.bottom, y.bottom) - Math.max(x.top, y.top)
        if (overlapX > 0.5 && overlapY > 0.5)
          problems.push(
            `${name(a)} and ${name(b)} overlap by ${Math.round(overlapX)}×${Math.round(overlapY)} px`
          )
      }
    }
    const wrap = document.querySelector<HTMLElement>("[data-testid=table-wrap]")!
    if (wrap.scrollWidth > wrap.clientWidth)
      problems.push(`the deliveries table is ${wrap.scrollWidth} px wide in a ${wrap.clientWidth} px box`)
    const list = document.querySelector("[data-testid=panel-deliveries]")!.getBoundingClientRect()
    const buttons = [...document.querySelectorAll<HTMLElement>("[data-testid=resend]")]
    if (buttons.length === 0) problems.push("no Resend buttons")
    for (const button of buttons) {
      const box = button.getBoundingClientRect()
      const cell = button.closest("td")!.getBoundingClientRect()
      if (
        box.width === 0 ||
        !within(box, wrap.getBoundingClientRect()) ||
        !within(box, list) ||
        !within(box, cell)
      )
        problems.push(`a Resend button is cut off (${Math.round(box.left)}–${Math.round(box.right)} px)`)
    }
    for (const block of document.querySelectorAll<HTMLElement>("[data-testid=inspector] pre")) {
      if (block.scrollWidth > block.clientWidth + 1) problems.push(`${name(block)} scrolls sideways`)
      const style = getComputedStyle(block)
      if (style.wordBreak === "break-all") problems.push(`${name(block)} breaks words anywhere`)
      // Sideways only: the inspector may scroll its content up and down by itself.
      const inspector = document.querySelector("[data-testid=panel-inspector]")!.getBoundingClientRect()
      const box = block.getBoundingClientRect()
      if (box.left < inspector.left || box.right > inspector.right)
        problems.push(`${name(block)} sticks out of the inspector`)
    }
    return problems
  })

describe("the dashboard, at 1000, 1400 and 1920 px", () => {
  it("shows the deliveries so far, a 401 and a retried one among them", async () => {
    await expect.poll(() => page.locator("[data-testid=delivery]").count()).toBe(sim.deliveries().length)
    expect(
      await rowOf("contact.lead.created", 1).locator("[data-testid=delivery-status]").textContent()
    ).toBe("401")
    expect(
      await rowOf("conversation.user.created", 1).locator("[data-testid=delivery-status]").textContent()
    ).toBe("503")
    expect(await rowOf("conversation.user.created", 1).textContent()).toContain("retried as #2")
    expect(
      await rowOf("conversation.user.created", 2).locator("[data-testid=delivery-status]").textContent()
    ).toBe("200")
    expect(await countOf("contacts")).toBe(sim.counts().contacts)
  })

  it.each(widths)(
    "at %i px nothing overlaps, nothing is clipped, every Resend button is whole",
    async (width) => {
      await page.setViewportSize({ width, height: 900 })
      // The inspector open on the 401: its longest content is in the layout being measured.
      await rowOf("contact.lead.created", 1).click()
      await expect
        .poll(() => page.locator("[data-testid=response-body]").textContent())
        .toContain("signature does not match")
      expect(await layoutProblems()).toEqual([])
      await shot(`dashboard-${width}.png`)
    }
  )
})

describe("the inspector", () => {
  it("opens a delivery to its request, signed body, answer, latency, attempt and next retry", async () => {
    await page.setViewportSize({ width: 1400, height: 900 })
    const first = rowOf("contact.lead.created", 1)
    const id = (await first.getAttribute("data-id"))!
    const record = (await (await admin(`/_sim/deliveries/${id}`)).json()) as DeliveryRecord
    await first.click()
    const inspector = page.locator("[data-testid=inspector]")
    await expect.poll(() => page.locator("[data-testid=fact-status]").textContent()).toBe("401")
    expect(await page.locator("[data-testid=fact-attempt]").textContent()).toBe("#1")
    expect(await page.locator("[data-testid=fact-signature]").textContent()).toBe("invalid")
    expect(await page.locator("[data-testid=fact-latency]").textContent()).toBe(
      `${record.latencyMs.toFixed(1)} ms`
    )
    expect(await page.locator("[data-testid=fact-retry]").textContent()).toMatch(
      /^done: #2 at \d\d:\d\d:\d\d$/
    )
    expect(await page.locator("[data-testid=inspector-ids]").textContent()).toContain(record.notificationId)
    // The exact body that was signed, pretty-printed; the receiver's reason for the 401.
    expect(JSON.parse((await page.locator("[data-testid=payload]").textContent())!)).toEqual(
      JSON.parse(record.payload)
    )
    expect(JSON.parse((await page.locator("[data-testid=response-body]").textContent())!)).toEqual({
      error: { reason: "Mismatch", message: "the signature does not match the body" }
    })
    // … and, one click away, the exact bytes that were signed.
    await page.locator("[data-testid=exact-bytes]").first().click()
    expect(await page.locator("[data-testid=payload]").textContent()).toBe(record.payload)
    // The headers as sent: the signatures the receiver got, the content type, Intercom's user agent.
    const shown = (await page.locator("[data-testid=request-headers]").textContent())!
    const sent = receiver.received.find(
      (request) =>
        request.topic === "contact.lead.created" && request.headers["x-hub-signature"] !== undefined
    )!
    for (const header of ["x-hub-signature", "x-hub-signature-256", "user-agent"])
      expect(shown).toContain(`${header}${String(sent.headers[header])}`)
    expect(Object.keys(record.responseHeaders)).toContain("content-type")
    for (const [name, value] of Object.entries(record.responseHeaders)) {
      expect(await page.locator("[data-testid=response-headers]").textContent()).toContain(`${name}${value}`)
    }
    expect(await inspector.textContent()).toContain("Response")
  })

  it("shows the 503's answer, and that its retry went out as #2", async () => {
    await rowOf("conversation.user.created", 1).click()
    await expect.poll(() => page.locator("[data-testid=fact-status]").textContent()).toBe("503")
    expect(await page.locator("[data-testid=response-body]").textContent()).toBe("busy: try again later")
    expect(await page.locator("[data-testid=fact-retry]").textContent()).toMatch(/^done: #2 at /)
    await shot("dashboard-inspector.png")
  })
})

describe("filters", () => {
  const visibleTopics = () => page.locator("[data-testid=delivery-topic]").allTextContents()

  it("by topic, by status and by text", async () => {
    await page.selectOption("[data-testid=filter-topic]", "conversation.user.created")
    await expect.poll(visibleTopics).toEqual(["conversation.user.created", "conversation.user.created"])
    await page.selectOption("[data-testid=filter-topic]", "")
    await page.selectOption("[data-testid=filter-status]", "4xx")
    await expect.poll(visibleTopics).toEqual(["contact.lead.created", "contact.lead.created"])
    await page.selectOption("[data-testid=filter-status]", "5xx")
    await expect.poll(visibleTopics).toEqual(["conversation.user.created"])
    await page.selectOption("[data-testid=filter-status]", "all")
    const notification = sim.deliveries({ topic: "conversation.admin.single.created" })[0]!.notificationId
    await page.fill("[data-testid=filter-text]", notification.slice(0, 14))
    await expect.poll(visibleTopics).toEqual(["conversation.admin.single.created"])
    expect(await page.locator("[data-testid=shown]").textContent()).toBe(
      `showing 1 of ${sim.deliveries().length}`
    )
    await page.fill("[data-testid=filter-text]", "no-such-thing")
    await expect
      .poll(() => page.locator("[data-testid=deliveries]").textContent())
      .toContain("No delivery matches")
    await page.fill("[data-testid=filter-text]", "")
    await expect.poll(() => page.locator("[data-testid=delivery]").count()).toBe(sim.deliveries().length)
  })
})

describe("live", () => {
  it("fires a topic with the button; the delivery and the new counts appear", async () => {
    const conversations = sim.counts().conversations
    await page.selectOption("[data-testid=topic]", "conversation.user.created")
    await page.click("[data-testid=fire]")
    await expect
      .poll(() => page.locator("[data-testid=message]").textContent())
      .toContain("Fired conversation.user.created")
    await expect.poll(() => countOf("conversations"), { timeout: 5000 }).toBe(conversations + 1)
    expect(await page.locator("[data-testid=delivery-status]").first().textContent()).toBe("200")
    expect(await page.locator("[data-testid=delivery-latency]").first().textContent()).toMatch(/^[\d.]+ ms$/)
  })

  it("follows deliveries made elsewhere (the event stream)", async () => {
    expect(await page.locator("[data-testid=live]").getAttribute("data-state")).toBe("live")
    await sim.trigger("conversation.user.replied")
    await expect
      .poll(() => page.locator("[data-testid=delivery-topic]").allTextContents(), { timeout: 5000 })
      .toContain("conversation.user.replied")
  })

  it("refreshes the subscriptions and faults panels", async () => {
    const other = "http://127.0.0.1:9/elsewhere"
    sim.subscribe(other, ["ping"])
    sim.setFaults(["POST /contacts:503@0.5"])
    await expect
      .poll(() => page.locator("[data-testid=subscriptions]").textContent(), { timeout: 6000 })
      .toContain(other)
    expect(await page.locator("[data-testid=subscriptions]").textContent()).toContain("active · ping")
    await expect
      .poll(() => page.locator("[data-testid=faults]").textContent(), { timeout: 6000 })
      .toContain("POST /contacts:503@0.5")
    sim.setFaults([])
    await expect
      .poll(() => page.locator("[data-testid=faults]").textContent(), { timeout: 6000 })
      .toContain("none")
  })

  it("charts requests and 429s per window from /_sim/stats", async () => {
    // Past the window's allowance (60 a minute: 10 per window), so some answers are 429s.
    const headers = { authorization: `Bearer ${Redacted.value(sim.accessToken)}` }
    const statuses = await Promise.all(
      Array.from({ length: 15 }, () => fetch(`${sim.url}/contacts`, { headers }).then((r) => r.status))
    )
    expect(statuses).toContain(429)
    const stats = (await (await admin("/_sim/stats")).json()) as {
      allowance: number
      windows: ReadonlyArray<{ requests: number; rateLimited: number }>
    }
    expect(stats.windows.length).toBeGreaterThan(0)
    expect(stats.allowance).toBe(10)
    const chart = page.locator("[data-testid=chart]")
    await expect.poll(() => chart.getAttribute("data-state")).toBe("bars")
    await expect
      .poll(() => chart.locator("[data-testid=bar-requests]").count())
      .toBe(Math.min(30, stats.windows.length))
    // A 429 bar with a height, in the window the burst fell in.
    await expect
      .poll(() =>
        chart
          .locator("[data-testid=bar-429]")
          .evaluateAll((bars) => bars.some((bar) => Number(bar.getAttribute("height")) > 0))
      )
      .toBe(true)
    // The budget line at the window's allowance: as high as a bar of exactly that many requests.
    const line = chart.locator("[data-testid=budget-line]")
    await expect.poll(() => line.count()).toBe(1)
    expect(await chart.locator("text", { hasText: "budget 10" }).count()).toBe(1)
    const geometry = await chart.evaluate((element) => {
      const svg = element.querySelector("svg")!
      const bars = [...svg.querySelectorAll("[data-testid=bar-requests]")]
      const tallest = Math.max(...bars.map((bar) => Number(bar.getAttribute("height"))))
      const [, , , height] = svg.getAttribute("viewBox")!.split(" ").map(Number)
      const top = Number(/max (\d+)/.exec(svg.textContent ?? "")?.[1])
      const lineY = Number(svg.querySelector("[data-testid=budget-line]")!.getAttribute("y1"))
      return { baseline: height! - 14, span: height! - 24, top, tallest, lineY }
    })
    // y(v) = baseline - v / top * span: the line is where 10 requests reach.
    expect(geometry.lineY).toBeCloseTo(geometry.baseline - (10 / geometry.top) * geometry.span, 5)
    expect(geometry.top).toBeGreaterThanOrEqual(10)
    // The burst's window went past the allowance: its bar rises above the line.
    expect(geometry.tallest).toBeGreaterThan(geometry.baseline - geometry.lineY)
    const last = stats.windows.at(-1)!
    await expect
      .poll(() => page.locator("[data-testid=chart-last]").textContent())
      .toMatch(/the last: \d+ requests, \d+ 429s, \d+ faults/)
    expect(last.requests).toBeGreaterThan(0)
  })

  it("resends a notification from its row", async () => {
    const row = rowOf("conversation.user.replied", 1)
    const notificationId = (await row.getAttribute("data-notification"))!
    const before = receiver.received.length
    await row.locator("[data-testid=resend]").click()
    await expect
      .poll(() => page.locator("[data-testid=message]").textContent())
      .toContain(`Resent ${notificationId}`)
    await until("the resent delivery", () => receiver.received.length > before)
    await expect
      .poll(() => page.locator(`[data-testid=delivery][data-notification="${notificationId}"]`).count())
      .toBe(2)
  })
})

describe("the icon", () => {
  it("is inline, so the browser never asks for /favicon.ico, and nothing on the page threw", async () => {
    const href = await page.locator("link[rel=icon]").getAttribute("href")
    expect(href).toMatch(/^data:image\/svg\+xml,/)
    expect(requested).not.toContain("/favicon.ico")
    expect(pageErrors).toEqual([])
  })

  it("is answered at /favicon.ico by the handler the simulator's HTTP layer mounts", async () => {
    const app = HttpRouter.add("GET", "/favicon.ico", faviconResponse)
    const server = HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        const { HttpServer } = yield* Effect.promise(() => import("effect/http"))
        const address = (yield* HttpServer.HttpServer).address as { port: number }
        const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}/favicon.ico`))
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("image/svg+xml")
        expect(yield* Effect.promise(() => response.text())).toMatch(
          /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/
        )
      }).pipe(Effect.provide(server), Effect.scoped)
    )
  })
})
