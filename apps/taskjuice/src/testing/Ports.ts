/** A port some other process holds, for tests of what a command says when its port is in use. */
import { createServer, type Server } from "node:net"

export interface HeldPort {
  readonly port: number
  readonly release: () => Promise<void>
}

/** Listens on a free loopback port and keeps it until released. */
export const holdPort = (): Promise<HeldPort> =>
  new Promise((resolve, reject) => {
    const server: Server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        release: () => new Promise((done) => server.close(() => done()))
      })
    })
  })
