/**
 * One "host process" of the multi-process SQLite test: opens the given state file on its own and races
 * the other processes for nonces, deliveries and rate-limit permits; prints what it won as one JSON line.
 *
 *   node test/support/sqliteWorker.ts PATH KEY WORKER_INDEX
 */
import { RateLimitStore } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import { ActivationInbox, OAuthNonces, parseStateKeys, State } from "../../src/index.ts"

const [path = "", key = "", index = "0"] = process.argv.slice(2)
const rounds = 60

const program = Effect.gen(function* () {
  const nonces = yield* OAuthNonces
  const inbox = yield* ActivationInbox
  const windows = yield* RateLimitStore
  const expiresAt = Date.now() + 600_000
  let nonceWins = 0
  let accepted = 0
  let granted = 0
  for (let round = 0; round < rounds; round++) {
    if (yield* nonces.claim(`nonce_${round}`, expiresAt)) nonceWins++
    const result = yield* inbox.accept({
      dedupeKey: `ws_a:notif_${round}`,
      expiresAtMillis: expiresAt,
      activations: [
        {
          triggerKey: "intercom/contact-created",
          connectionId: "conn_1",
          workspaceId: "ws_a",
          topic: "contact.user.created",
          notificationId: `notif_${round}`,
          dedupeKey: `notif_${round}:conn_1:intercom/contact-created`,
          receivedAt: new Date().toISOString(),
          payload: { by: index }
        }
      ]
    })
    if (result._tag === "Accepted") accepted++
    const won = yield* windows.modify("ws_a", (current) => {
      const window = current ?? { remaining: 40, resetAtMillis: Date.now() + 600_000, windowBudget: 40 }
      return window.remaining > 0
        ? ([true, { ...window, remaining: window.remaining - 1 }] as const)
        : ([false, window] as const)
    })
    if (won) granted++
  }
  return { nonceWins, accepted, granted }
})

const keys = parseStateKeys(key)
const result = await Effect.runPromise(
  Effect.provide(program, State.layer({ location: { _tag: "Sqlite", path }, keys }))
)
process.stdout.write(`${JSON.stringify(result)}\n`)
