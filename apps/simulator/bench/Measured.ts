/**
 * The served side of the benchmark's CPU measure: a server in its own process prints its ready line
 * (one JSON object) and then answers on stdin, a line at a time: `mark` starts a measure (answers
 * `{}`), `cpu` ends it and answers the process's CPU time since the mark (`process.cpuUsage()`,
 * µs of user and system time). It exits when its stdin closes (the benchmark went away). CPU time is
 * what a server spends per request whoever else runs on the machine; wall-clock rates are not.
 */
import { createInterface } from "node:readline"

export const serveMeasured = (
  ready: Record<string, unknown>,
  close: () => Promise<void> = async () => {}
) => {
  console.log(JSON.stringify(ready))
  let mark = process.cpuUsage()
  const lines = createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line === "mark") {
      mark = process.cpuUsage()
      console.log("{}")
    } else if (line === "cpu") {
      console.log(JSON.stringify(process.cpuUsage(mark)))
    }
  })
  lines.on("close", () => {
    void close().finally(() => process.exit(0))
  })
}
