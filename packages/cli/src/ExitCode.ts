/**
 * Exit codes by error category (after stripe-cli's `errorcategory`), shared by every command line of
 * ours, so a script can tell a typo from a network failure without reading the message.
 */
export const exitCodes = {
  ok: 0,
  internal: 1,
  user_input: 2,
  network: 3,
  api: 4,
  delivery: 5,
  filesystem: 6
} as const

export type ExitCodeName = keyof typeof exitCodes

/** What went wrong, as far as the caller can act on it; each category is an exit code. */
export type ErrorCategory = Exclude<ExitCodeName, "ok">

/** What each exit code means, as every help page lists them. */
export const exitCodeMeanings: Readonly<Record<ExitCodeName, string>> = {
  ok: "done",
  internal: "failed: the message says why (an unexpected error: run again with --debug for its stack trace)",
  user_input: "bad input: a command, flag or value (the message says what to change)",
  network: "a server could not be reached",
  api: "a server refused the request",
  delivery: "a webhook delivery failed (no answer, or not 2xx)",
  filesystem: "a file could not be read or written"
}
