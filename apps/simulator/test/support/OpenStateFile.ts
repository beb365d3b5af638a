/**
 * Another process that opens a state file (`node OpenStateFile.ts <file>`): prints "opened" and exits 0,
 * or prints the start error's message and exits 1. The lock test runs it beside a simulator.
 */
import { startSimulator } from "../../src/index.ts"

const file = process.argv[2] ?? ""
try {
  const sim = await startSimulator({ clientSecret: "other-process", stateFile: file })
  console.log("opened")
  await sim.close()
} catch (error) {
  console.log((error as Error).message)
  process.exitCode = 1
}
