import { type RedisServer, startRedisServer } from "@taskjuice/intercom-testkit"
import { afterAll, beforeAll } from "vitest"
import { State } from "../src/index.ts"
import { conformance } from "./conformance.ts"

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(() => redis.stop())
let worlds = 0

conformance({
  name: "redis",
  persistent: true,
  // A world is a key prefix on this suite's own redis-server; every worker has its own connections.
  world: async () => {
    const prefix = `world${++worlds}:`
    return {
      layer: (options) =>
        State.layer({
          location: { _tag: "Redis", host: redis.host, port: redis.port, database: 0 },
          keys: options?.noKeys ? undefined : options?.keys,
          limits: options?.limits,
          redisPrefix: prefix
        })
    }
  }
})
