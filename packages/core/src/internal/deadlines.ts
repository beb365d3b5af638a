/**
 * The per-request timeout of one `IntercomApi`: every request is aborted once it has run for the
 * same time, so deadlines come due in the order the requests started, and one timer serves them all.
 * A timer per request (set, then cleared by nearly every answer) cost more than the rest of the
 * request's bookkeeping together.
 */

/** One request's place in line; `controller` is dropped once the request has settled. */
export interface Pending {
  readonly dueAt: number
  controller: AbortController | undefined
  next: Pending | undefined
}

export interface Deadlines {
  /** Aborts `controller` with `reason` once the timeout has passed, unless `settled` comes first. */
  readonly start: (controller: AbortController) => Pending
  /** The request answered, failed or was cancelled: it can no longer time out. */
  readonly settled: (pending: Pending) => void
}

/** setTimeout's longest delay; a longer one would fire at once. */
const maxTimerMillis = 2 ** 31 - 1

const settledAlready: Pending = { dueAt: 0, controller: undefined, next: undefined }

/** No timeout at all (an infinite one): nothing to keep. */
const never: Deadlines = { start: () => settledAlready, settled: () => {} }

export const makeDeadlines = (timeoutMillis: number, reason: unknown): Deadlines => {
  if (!Number.isFinite(timeoutMillis)) return never
  let head: Pending | undefined
  let tail: Pending | undefined
  /** When the armed timer fires; `undefined` when none is. */
  let timerDueAt: number | undefined

  /** Drops the settled requests at the front of the line: none is left behind its last answer. */
  const dropSettled = () => {
    while (head !== undefined && head.controller === undefined) head = head.next
    if (head === undefined) tail = undefined
  }

  const arm = (dueAt: number) => {
    timerDueAt = dueAt
    // Unreferenced: a timer alone keeps no process alive; an unanswered request keeps its socket open.
    setTimeout(fire, Math.min(maxTimerMillis, Math.max(0, dueAt - performance.now()))).unref()
  }

  const fire = () => {
    timerDueAt = undefined
    const now = performance.now()
    while (head !== undefined && (head.controller === undefined || head.dueAt <= now)) {
      const expired = head.controller
      head.controller = undefined
      head = head.next
      expired?.abort(reason)
    }
    if (head === undefined) tail = undefined
    else arm(head.dueAt)
  }

  return {
    start: (controller) => {
      const pending: Pending = { dueAt: performance.now() + timeoutMillis, controller, next: undefined }
      if (tail === undefined) head = pending
      else tail.next = pending
      tail = pending
      // A timer already armed fires no later than this request's deadline (every earlier request's is
      // earlier) and arms the next one; it is left running when the line empties, not cleared and set
      // again by the next request.
      if (timerDueAt === undefined) arm(pending.dueAt)
      return pending
    },
    settled: (pending) => {
      pending.controller = undefined
      if (pending === head) dropSettled()
    }
  }
}
