import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Redacted from "effect/Redacted"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Simulator, startSimulator } from "../src/index.ts"
import { type Receiver, startReceiver } from "./Receiver.ts"

/** Debian's chromium (CI installs it the same way); CHROMIUM_PATH overrides. */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const outputDirectory =
  process.env.TEST_OUTPUT_DIR ?? fileURLToPath(new URL("../test-output/", import.meta.url))

let sim: Simulator
let receiver: Receiver
let browser: Browser
let page: Page

beforeAll(async () => {
  receiver = await startReceiver()
  sim = await startSimulator({
    clientSecret: "dashboard-secret",
    webhookUrls: [receiver.url],
    seed: "dashboard"
  })
  const headers = {
    authorization: `Bearer ${Redacted.value(sim.accessToken)}`,
    "content-type": "application/json"
  }
  for (const email of ["ada@example.com", "grace@example.com"]) {
    await fetch(`${sim.url}/contacts`, { method: "POST", headers, body: JSON.stringify({ email }) })
  }
  await sim.settle()
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // No network beyond loopback here: keep Chromium from calling home (see the machine notes).
    args: [
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
  await page.goto(sim.url)
  await page.waitForSelector("body[data-ready=true]")
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await sim?.close()
  await receiver?.close()
})

const countOf = async (key: string) =>
  Number(await page.locator(`[data-testid=count-${key}] b`).textContent())

describe("dashboard", () => {
  it("shows the state's counts and the deliveries so far", async () => {
    expect(await countOf("contacts")).toBe(2)
    expect(await countOf("admins")).toBe(2)
    await expect.poll(() => page.locator("[data-testid=delivery]").count()).toBe(2)
    expect(await page.locator("[data-testid=delivery-topic]").allTextContents()).toEqual([
      "contact.user.created",
      "contact.user.created"
    ])
  })

  it("fires a topic with the button; the delivery and the new counts appear live", async () => {
    await page.selectOption("[data-testid=topic]", "conversation.user.created")
    await page.click("[data-testid=fire]")
    await expect
      .poll(() => page.locator("[data-testid=message]").textContent())
      .toContain("Fired conversation.user.created")
    const topics = await page.locator("[data-testid=delivery-topic]").allTextContents()
    expect(topics).toContain("conversation.user.created")
    await expect.poll(() => countOf("conversations"), { timeout: 3000 }).toBe(1)
    expect(await countOf("contacts")).toBe(3)
    expect(await page.locator("[data-testid=delivery-status]").first().textContent()).toBe("200")
    expect(await page.locator("[data-testid=delivery-latency]").first().textContent()).toMatch(/^[\d.]+ ms$/)
  })

  it("follows deliveries made elsewhere (server-sent events)", async () => {
    await sim.trigger("conversation.user.replied")
    await expect
      .poll(() => page.locator("[data-testid=delivery-topic]").allTextContents(), { timeout: 3000 })
      .toContain("conversation.user.replied")
    await expect.poll(() => countOf("conversationParts"), { timeout: 3000 }).toBe(1)
  })

  it("shows a delivery's exact payload, and resends it", async () => {
    const row = page.locator("[data-testid=delivery]", { hasText: "conversation.user.replied" }).first()
    const notificationId = await row.getAttribute("data-notification")
    await row.click()
    await expect
      .poll(() => page.locator("[data-testid=payload]").textContent())
      .toContain(`"id": "${notificationId}"`)
    const before = receiver.requests.length
    await row.locator("[data-testid=resend]").click()
    await expect
      .poll(() => page.locator("[data-testid=message]").textContent())
      .toContain(`Resent ${notificationId}`)
    await receiver.waitFor(before + 1)
    expect(receiver.requests.at(-1)!.json).toMatchObject({ id: notificationId, delivery_attempts: 2 })
    await expect
      .poll(() => page.locator(`[data-testid=delivery][data-notification="${notificationId}"]`).count())
      .toBe(2)
  })

  it("leaves a screenshot in the test output", async () => {
    mkdirSync(outputDirectory, { recursive: true })
    const file = join(outputDirectory, "dashboard.png")
    const image = await page.screenshot({ path: file, fullPage: true })
    expect(image.byteLength).toBeGreaterThan(10_000)
  })
})
