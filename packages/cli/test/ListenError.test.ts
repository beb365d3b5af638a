import { createServer, type Server } from "node:net"
import { describe, expect, it } from "vitest"
import { exitCodes, listenFailure } from "../src/index.ts"

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => resolve(server))
  })

const portOf = (server: Server) => {
  const address = server.address()
  return typeof address === "object" && address !== null ? address.port : 0
}

describe("listenFailure", () => {
  it("turns Node's EADDRINUSE, however wrapped, into one line naming the port and its flag", async () => {
    const holder = await listen(0)
    const port = portOf(holder)
    try {
      const error = await listen(port).then(
        (server) => {
          server.close()
          throw new Error("the port was not busy")
        },
        (failure: unknown) => failure
      )
      const listeners = [
        { flag: "--sim-port", port: 0 },
        { flag: "--port", port }
      ]
      for (const given of [error, new Error(`could not start: ${String(error)}`), { cause: error }]) {
        const failure = listenFailure(given, { host: "127.0.0.1", listeners })
        expect(failure?.line).toBe(
          `port ${port} on 127.0.0.1 is in use; pass --port 0 for any free port, or another --port`
        )
        expect(failure?.exitCode).toBe(exitCodes.user_input)
      }
    } finally {
      holder.close()
    }
  })

  it("leaves any other failure to the caller", () => {
    expect(listenFailure(new Error("ECONNREFUSED"), { host: "127.0.0.1", listeners: [] })).toBeUndefined()
  })
})
