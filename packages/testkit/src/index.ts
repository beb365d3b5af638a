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
export {
  type Answer,
  type Gate,
  hangUp,
  inOrder,
  json,
  type RecordedRequest,
  type RecordingServer,
  type RecordingServerOptions,
  type Responder,
  recordingServer,
  refusedUrl,
  type Script,
  silence,
  startRecordingServer
} from "./RecordingServer.ts"
export { type RedisServer, type RedisServerOptions, startRedisServer } from "./RedisServer.ts"
