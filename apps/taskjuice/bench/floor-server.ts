/**
 * The benchmark's floor: a bare node:http server that does what acknowledging a delivery cannot do
 * without: read the body, check its X-Hub-Signature (HMAC-SHA1, constant-time), answer 200.
 * Prints `{"url":...}` when listening.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const secret = process.argv[2] ?? ""
const server = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const body = Buffer.concat(chunks)
    const expected = Buffer.from(`sha1=${createHmac("sha1", secret).update(body).digest("hex")}`)
    const given = Buffer.from(String(request.headers["x-hub-signature"] ?? ""))
    const ok = given.length === expected.length && timingSafeEqual(given, expected)
    response.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
    response.end(ok ? '{"received":"accepted"}' : '{"error":"signature"}')
  })
})
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as AddressInfo
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/webhooks/intercom` })}\n`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
