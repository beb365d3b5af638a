/**
 * A webhook receiver in its own process for the benchmark: answers 200 at once. Prints its URL as one
 * JSON line, then answers the CPU measure on stdin (`Measured.ts`).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { serveMeasured } from "./Measured.ts"

const server = createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    response.writeHead(200, { "content-length": "2" }).end("ok")
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  serveMeasured({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` })
})
