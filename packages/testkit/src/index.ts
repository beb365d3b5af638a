export { interleaved, median, microsOf } from "./Bench.ts"
export {
  type CliOptions,
  type CliRun,
  type RunningCli,
  runCli,
  stackFrame,
  startCli,
  userErrorProblems
} from "./CliProcess.ts"
export { type RedisServer, type RedisServerOptions, startRedisServer } from "./RedisServer.ts"
