/**
 * Log lines for a stream, written together once per turn of the event loop. A host logs a line per
 * delivery; at 900 deliveries a second, one write per line was a fifth of the host's CPU (system
 * calls to the pipe, seen with `--cpu-prof`). Whatever is pending is written before the process exits.
 */
export interface LineBuffer {
  readonly writeLine: (line: string) => void
  /** Writes what is pending now (before output that must not overtake it). */
  readonly flush: () => void
}

export const makeLineBuffer = (write: (chunk: string) => void): LineBuffer => {
  let pending: Array<string> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    const chunk = `${pending.join("\n")}\n`
    pending = []
    try {
      write(chunk)
    } catch {
      // Lines that cannot be written are dropped; serving goes on.
    }
  }
  process.once("exit", flush)
  return {
    writeLine: (line) => {
      pending.push(line)
      if (scheduled) return
      scheduled = true
      setImmediate(flush)
    },
    flush
  }
}

let stdout: LineBuffer | undefined

/** Standard output, buffered so: one buffer per process, however many hosts write to it. */
export const stdoutLines = (): LineBuffer => {
  stdout ??= makeLineBuffer((chunk) => process.stdout.write(chunk))
  return stdout
}
