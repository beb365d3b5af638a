export {
  type CliOptions,
  type CliRun,
  type RunningCli,
  runCli,
  stackFrame,
  startCli,
  userErrorProblems
} from "./CliProcess.ts"
