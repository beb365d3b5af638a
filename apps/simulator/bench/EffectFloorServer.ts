/**
 * The floor of the stack the twin is built on: an `effect/http` `HttpRouter` with one route, served
 * by `@effect/platform-node`'s `NodeHttpServer`, answering the same fixed body and headers as
 * `BareServer.ts`. Between the two sits what the stack costs; between it and the twin, what the twin
 * does. `node EffectFloorServer.ts <body file>` prints its URL as one JSON line, then answers the CPU
 * measure on stdin (`Measured.ts`).
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import { serveMeasured } from "./Measured.ts"

const body = readFileSync(process.argv[2] ?? "", "utf8")
const headers = {
  "content-type": "application/json; charset=utf-8",
  "X-RateLimit-Limit": "9007199254740991",
  "X-RateLimit-Remaining": "9007199254740990",
  "X-RateLimit-Reset": "1700000010"
}
const server = createServer({ keepAliveTimeout: 65_000 })
const app = HttpRouter.add(
  "GET",
  "/contacts/:contact_id",
  Effect.sync(() => HttpServerResponse.text(body, { headers }))
)
Effect.runFork(
  Layer.launch(
    HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provide(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" }))
    )
  )
)
server.on("listening", () => {
  serveMeasured({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
