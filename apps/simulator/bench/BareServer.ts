/**
 * The ceiling the twin is measured against: a bare `node:http` server in its own process that answers
 * every request with one fixed body (a contact as the twin answers it, so the bytes on the wire match)
 * and the same headers. `node BareServer.ts <body file>` prints its URL as one JSON line, then
 * answers the CPU measure on stdin (`Measured.ts`).
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { serveMeasured } from "./Measured.ts"

const body = readFileSync(process.argv[2] ?? "", "utf8")
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": String(Buffer.byteLength(body)),
  "X-RateLimit-Limit": "9007199254740991",
  "X-RateLimit-Remaining": "9007199254740990",
  "X-RateLimit-Reset": "1700000010"
}
const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  request.resume()
  response.writeHead(200, headers).end(body)
})
server.listen(0, "127.0.0.1", () => {
  serveMeasured({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
