import { existsSync } from "node:fs"
import { Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { startRedisServer } from "../src/index.ts"

const command = (port: number, line: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = new Socket()
    socket.setTimeout(2000, () => reject(new Error("timeout")))
    socket.once("error", reject)
    socket.once("data", (chunk) => {
      socket.destroy()
      resolve(chunk.toString("utf8"))
    })
    socket.connect(port, "127.0.0.1", () => socket.write(`${line}\r\n`))
  })

describe("startRedisServer", () => {
  it("serves on a free loopback port, persists nothing, and stop() ends it and removes its directory", async () => {
    const redis = await startRedisServer()
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}/0`)
      expect(await command(redis.port, "SET greeting hello")).toBe("+OK\r\n")
      expect(await command(redis.port, "CONFIG GET save")).toContain("save\r\n$0\r\n")
      expect(await command(redis.port, "CONFIG GET appendonly")).toContain("no")
      const dir = (await command(redis.port, "CONFIG GET dir")).split("\r\n")[4] ?? ""
      expect(existsSync(dir)).toBe(true)
      await redis.stop()
      expect(existsSync(dir)).toBe(false)
      await expect(command(redis.port, "PING")).rejects.toThrow()
    } finally {
      await redis.stop()
    }
  })

  it("two servers run side by side on different ports", async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()])
    try {
      expect(a.port).not.toBe(b.port)
      await command(a.port, "SET only-in-a 1")
      expect(await command(b.port, "EXISTS only-in-a")).toBe(":0\r\n")
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
