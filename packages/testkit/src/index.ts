export { interleaved, median, microsOf } from "./Bench.ts"
export { type RedisServer, type RedisServerOptions, startRedisServer } from "./RedisServer.ts"
