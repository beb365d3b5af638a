export { type RedisServer, type RedisServerOptions, startRedisServer } from "./RedisServer.ts"
