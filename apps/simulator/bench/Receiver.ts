/**
 * A webhook receiver in its own process for the benchmark: answers 200 at once, counts requests,
 * prints its URL on start and its count when asked on stdin.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

let received = 0
const server = createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    received++
    response.writeHead(200, { "content-length": "2" }).end("ok")
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` }))
})
process.stdin.on("data", () => console.log(JSON.stringify({ received })))
// The benchmark holds our stdin: when it goes away, so do we.
process.stdin.on("end", () => process.exit(0))
