/**
 * The Redis backend (Debian's redis-server 7), for many workers on many machines: built on
 * `effect/persistence`'s `Redis` service (`send`, `eval` with `Redis.script`, `reserve` for the blocking
 * stream read) over `@effect/platform-node`'s `NodeRedis`. Each read-decide-write that must be atomic is
 * one Lua script: the upsert by identity, revoke and remove with their indexes, the inbox accept (dedupe
 * mark and activations in one step, refusing at capacity), the acknowledgement, and the rate-limit
 * compare-and-set. A nonce claim is one `SET NX PXAT`. The inbox is a Redis Stream, whose ids are the
 * order every worker shares; a read long-polls with `XREAD BLOCK` on a reserved connection. Keys are
 * built inside the scripts from one prefix, so this backend is for a single Redis (not Redis Cluster).
 *
 * @since 0.1.0
 */
import { RateLimitStoreError, type RateLimitStoreShape, type RateLimitWindow } from "@taskjuice/intercom-core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redis from "effect/persistence/Redis"
import type { InboxActivation } from "../Activation.ts"
import {
  type AcceptResult,
  type ActivationInboxShape,
  type InboxLimits,
  readBounds
} from "../ActivationInbox.ts"
import type { Connection } from "../Connection.ts"
import type { ConnectionStoreShape } from "../ConnectionStore.ts"
import { beyondLastCursor, encodeActivations } from "../internal/inbox.ts"
import { bindingOf, connectionOf, type Row, recordOf } from "../internal/records.ts"
import type { StateParts } from "../internal/services.ts"
import { decodeWindow, encodeWindow, windowTimeToLiveMillis } from "../internal/windowCodec.ts"
import type { OAuthNoncesShape } from "../OAuthNonces.ts"
import { InboxFull, InvalidCursor, StoreUnavailable, TokenUnreadable } from "../StateError.ts"
import type { Sealer } from "../StateKey.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface RedisStateOptions {
  readonly sealer: Sealer
  readonly limits: InboxLimits
  /** Prefix of every key (default `taskjuice:`), so one Redis can hold several deployments. */
  readonly prefix?: string | undefined
}

/** Upsert by identity; answers `[tag, id]`. ARGV: prefix, id, workspaceId, adminId, identity, record, token, status. */
const saveScript = Redis.script(
  (
    prefix: string,
    id: string,
    workspaceId: string,
    adminId: string,
    identity: string,
    record: string,
    token: string,
    status: string
  ) => [prefix, id, workspaceId, adminId, identity, record, token, status],
  {
    numberOfKeys: 0,
    lua: `
local p, id, ws, admin, identity = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local identityKey = p .. "conn-identity:" .. identity
local existing = redis.call("GET", identityKey)
local tag = "Created"
if existing then
  id = existing
  tag = "Updated"
else
  local old = redis.call("HMGET", p .. "conn:" .. id, "ws", "identity")
  if old[1] then
    redis.call("DEL", p .. "conn-identity:" .. old[2])
    redis.call("SREM", p .. "conn-ws:" .. old[1], id)
  end
  redis.call("SET", identityKey, id)
end
redis.call("HSET", p .. "conn:" .. id, "record", ARGV[6], "token", ARGV[7], "status", ARGV[8], "ws", ws, "identity", identity)
redis.call("SADD", p .. "conn-ws:" .. ws, id)
redis.call("SADD", p .. "conns", id)
return { tag, id }
`
  }
).withReturnType<readonly [tag: "Created" | "Updated", id: string]>()

/** The connections whose ids a set holds, as flat `[id, record, token, status, …]`. */
const loadSetScript = Redis.script((setKey: string, prefix: string) => [setKey, prefix], {
  numberOfKeys: 1,
  lua: `
local out = {}
for _, id in ipairs(redis.call("SMEMBERS", KEYS[1])) do
  local fields = redis.call("HMGET", ARGV[1] .. "conn:" .. id, "record", "token", "status")
  if fields[1] then
    out[#out + 1] = id
    out[#out + 1] = fields[1]
    out[#out + 1] = fields[2]
    out[#out + 1] = fields[3]
  end
end
return out
`
}).withReturnType<ReadonlyArray<string>>()

const resealScript = Redis.script((key: string, old: string, sealed: string) => [key, old, sealed], {
  numberOfKeys: 1,
  lua: `
if redis.call("HGET", KEYS[1], "token") == ARGV[1] then
  redis.call("HSET", KEYS[1], "token", ARGV[2])
  return 1
end
return 0
`
}).withReturnType<number>()

const revokeScript = Redis.script((key: string) => [key], {
  numberOfKeys: 1,
  lua: `
if redis.call("HGET", KEYS[1], "status") == "active" then
  redis.call("HSET", KEYS[1], "status", "revoked")
  return 1
end
return 0
`
}).withReturnType<number>()

const removeScript = Redis.script((prefix: string, id: string) => [prefix, id], {
  numberOfKeys: 0,
  lua: `
local p, id = ARGV[1], ARGV[2]
local old = redis.call("HMGET", p .. "conn:" .. id, "ws", "identity")
if not old[1] then return 0 end
redis.call("DEL", p .. "conn:" .. id, p .. "conn-identity:" .. old[2])
redis.call("SREM", p .. "conn-ws:" .. old[1], id)
redis.call("SREM", p .. "conns", id)
return 1
`
}).withReturnType<number>()

/**
 * The inbox accept: purge expired keys, answer a duplicate, refuse at capacity, else record the key and
 * append the activations, all in one script. KEYS: dedupe zset, stream, meta hash. ARGV: now, key,
 * expiresAt, maxKeys, maxRecords, maxBytes, n, then a JSON and its byte count per activation.
 */
const acceptScript = Redis.script(
  (keys: readonly [string, string, string], args: ReadonlyArray<string | number>) => [...keys, ...args],
  {
    numberOfKeys: 3,
    lua: `
local now = tonumber(ARGV[1])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
if redis.call("ZSCORE", KEYS[1], ARGV[2]) then return { "Duplicate" } end
if redis.call("ZCARD", KEYS[1]) >= tonumber(ARGV[4]) then return { "Full", "Keys" } end
local n = tonumber(ARGV[7])
local held = tonumber(redis.call("HGET", KEYS[3], "held") or "0")
local bytes = tonumber(redis.call("HGET", KEYS[3], "bytes") or "0")
local add = 0
for i = 1, n do add = add + tonumber(ARGV[7 + 2 * i]) end
if held + n > tonumber(ARGV[5]) then return { "Full", "Records" } end
if bytes + add > tonumber(ARGV[6]) then return { "Full", "Bytes" } end
redis.call("ZADD", KEYS[1], ARGV[3], ARGV[2])
local out = { "Accepted" }
for i = 1, n do
  out[#out + 1] = redis.call("XADD", KEYS[2], "*", "a", ARGV[6 + 2 * i], "n", ARGV[7 + 2 * i])
end
if n > 0 then
  redis.call("HSET", KEYS[3], "last", out[#out])
  redis.call("HINCRBY", KEYS[3], "held", n)
  redis.call("HINCRBY", KEYS[3], "bytes", add)
end
return out
`
  }
).withReturnType<ReadonlyArray<string>>()

/** Commits the position and trims what it covers. KEYS: stream, meta. ARGV: cursor, the id just after it. */
const ackScript = Redis.script(
  (stream: string, meta: string, cursor: string, next: string) => [stream, meta, cursor, next],
  {
    numberOfKeys: 2,
    lua: `
local function cmp(a, b)
  local ams, aseq = string.match(a, "^(%d+)-(%d+)$")
  local bms, bseq = string.match(b, "^(%d+)-(%d+)$")
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  if ams ~= bms then return ams < bms and -1 or 1 end
  if aseq ~= bseq then return aseq < bseq and -1 or 1 end
  return 0
end
local last = redis.call("HGET", KEYS[2], "last") or "0-0"
if cmp(ARGV[1], last) > 0 then return "Beyond" end
local committed = redis.call("HGET", KEYS[2], "committed") or "0-0"
if cmp(ARGV[1], committed) <= 0 then return "Ok" end
local count, bytes, start = 0, 0, "-"
while true do
  local entries = redis.call("XRANGE", KEYS[1], start, ARGV[1], "COUNT", 1000)
  for _, entry in ipairs(entries) do
    count = count + 1
    bytes = bytes + tonumber(entry[2][4])
  end
  if #entries < 1000 then break end
  start = "(" .. entries[#entries][1]
end
redis.call("XTRIM", KEYS[1], "MINID", ARGV[2])
redis.call("HINCRBY", KEYS[2], "held", -count)
redis.call("HINCRBY", KEYS[2], "bytes", -bytes)
redis.call("HSET", KEYS[2], "committed", ARGV[1])
return "Ok"
`
  }
).withReturnType<string>()

/** Sets the window if it still holds what the caller read; else answers what it holds (`""`: nothing). */
const compareAndSetScript = Redis.script(
  (key: string, expected: string, next: string, ttlMillis: number) => [key, expected, next, ttlMillis],
  {
    numberOfKeys: 1,
    lua: `
local current = redis.call("GET", KEYS[1]) or ""
if current == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  return { 1 }
end
return { 0, current }
`
  }
).withReturnType<readonly [1] | readonly [0, string]>()

const streamCursor = "a stream id such as 1700000000000-0"
const parseStreamId = (cursor: string): readonly [bigint, bigint] | InvalidCursor => {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(cursor)
  return match === null
    ? new InvalidCursor({ cursor, expected: streamCursor })
    : [BigInt(match[1] as string), BigInt(match[2] as string)]
}

/**
 * A CAS that keeps losing to other workers is a store problem, not a reason to spin forever. But losing
 * is what a burst at a window's start does (30 reserves racing for one key), and a reserve that gave up
 * made its worker pace alone, granting a budget the others were spending: 7 of 367 requests were 429s.
 * So every few lost rounds a reserve steps aside for a moment (a random 0–3 ms, so the racers spread),
 * and only this many rounds make it an error.
 */
const maxCompareAndSetAttempts = 1_000
const roundsBeforeSteppingAside = 8
const stepAside = Effect.promise(
  () => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)))
)

/**
 * Builds every store over the `Redis` service in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRedisState = Effect.fnUntraced(function* (options: RedisStateOptions) {
  const redis = yield* Redis.Redis
  const p = options.prefix ?? "taskjuice:"
  const unavailable = (operation: string) => (cause: unknown) =>
    new StoreUnavailable({ backend: "redis", operation, cause })
  const send = <A>(operation: string, command: string, ...args: ReadonlyArray<string>) =>
    Effect.mapError(redis.send<A>(command, ...args), unavailable(operation))
  const run = <A>(operation: string, effect: Effect.Effect<A, Redis.RedisError>) =>
    Effect.mapError(effect, unavailable(operation))
  const save = redis.eval(saveScript)
  const loadSet = redis.eval(loadSetScript)
  const reseal = redis.eval(resealScript)
  const revoke = redis.eval(revokeScript)
  const remove = redis.eval(removeScript)
  const acceptEval = redis.eval(acceptScript)
  const ackEval = redis.eval(ackScript)
  const compareAndSet = redis.eval(compareAndSetScript)

  const open = (flat: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const out: Array<Connection> = []
      for (let i = 0; i + 3 < flat.length; i += 4) {
        const row: Row = {
          id: flat[i] as string,
          record: flat[i + 1] as string,
          token: flat[i + 2] as string,
          status: flat[i + 3] as string
        }
        const opened = connectionOf(row, options.sealer)
        if (opened instanceof TokenUnreadable) return yield* Effect.fail(opened)
        // Re-sealing under the current key is best effort: a failure leaves it for the next read.
        if (opened.reseal !== undefined)
          yield* Effect.ignore(reseal(`${p}conn:${row.id}`, row.token, opened.reseal))
        out.push(opened.connection)
      }
      return out
    })

  const connections: ConnectionStoreShape = {
    get: (id) =>
      Effect.flatMap(
        send<ReadonlyArray<string | null>>("get", "HMGET", `${p}conn:${id}`, "record", "token", "status"),
        ([record, token, status]) =>
          record === null || record === undefined
            ? Effect.succeed(undefined)
            : Effect.map(open([id, record, token ?? "", status ?? ""]), (found) => found[0])
      ),
    forWorkspace: (workspaceId) =>
      Effect.flatMap(run("forWorkspace", loadSet(`${p}conn-ws:${workspaceId}`, p)), (flat) => open(flat)),
    list: Effect.flatMap(run("list", loadSet(`${p}conns`, p)), open),
    save: (connection) =>
      Effect.suspend(() => {
        const token = options.sealer.seal(connection.accessToken, bindingOf(connection))
        return Effect.map(
          run(
            "save",
            save(
              p,
              connection.id,
              connection.workspaceId,
              connection.adminId,
              bindingOf(connection),
              recordOf(connection),
              token,
              connection.status
            )
          ),
          ([tag, id]) => ({ _tag: tag, connection: { ...connection, id } })
        )
      }),
    markRevoked: (id) => Effect.map(run("markRevoked", revoke(`${p}conn:${id}`)), (changed) => changed === 1),
    remove: (id) => Effect.map(run("remove", remove(p, id)), (removed) => removed === 1)
  }

  const nonces: OAuthNoncesShape = {
    claim: (nonce, expiresAtMillis) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        expiresAtMillis <= now
          ? Effect.succeed(false)
          : Effect.map(
              send<string | null>(
                "claim",
                "SET",
                `${p}nonce:${nonce}`,
                "1",
                "NX",
                "PXAT",
                String(Math.ceil(expiresAtMillis))
              ),
              (reply) => reply === "OK"
            )
      )
  }

  const dedupeKey = `${p}dedupe`
  const streamKey = `${p}inbox`
  const metaKey = `${p}inbox-meta`
  const { maxKeys, maxRecords, maxBytes } = options.limits

  const accept: ActivationInboxShape["accept"] = (delivery) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const args: Array<string | number> = [
        now,
        delivery.dedupeKey,
        delivery.expiresAtMillis,
        maxKeys,
        maxRecords,
        maxBytes,
        delivery.activations.length
      ]
      for (const record of encodeActivations(delivery).records) args.push(record.json, record.bytes)
      return Effect.flatMap(
        run("accept", acceptEval([dedupeKey, streamKey, metaKey], args)),
        (reply): Effect.Effect<AcceptResult, InboxFull> => {
          const [tag, ...rest] = reply
          if (tag === "Duplicate") return Effect.succeed({ _tag: "Duplicate" })
          if (tag === "Full") {
            const limit = rest[0] as "Keys" | "Records" | "Bytes"
            return Effect.fail(
              new InboxFull({
                limit,
                capacity: { Keys: maxKeys, Records: maxRecords, Bytes: maxBytes }[limit]
              })
            )
          }
          return Effect.succeed({ _tag: "Accepted", cursors: rest })
        }
      )
    })

  type StreamReply = ReadonlyArray<
    readonly [string, ReadonlyArray<readonly [string, ReadonlyArray<string>]>]
  > | null
  const entriesOf = (reply: StreamReply): ReadonlyArray<InboxActivation> =>
    (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({
      ...(JSON.parse(fields[1] as string) as Omit<InboxActivation, "cursor">),
      cursor: id
    }))

  const inbox: ActivationInboxShape = {
    accept,
    read: (readOptions) =>
      Effect.gen(function* () {
        const after =
          readOptions?.after ?? (yield* send<string | null>("read", "HGET", metaKey, "committed")) ?? "0-0"
        const parsed = parseStreamId(after)
        if (parsed instanceof InvalidCursor) return yield* Effect.fail(parsed)
        const { limit, waitMillis } = readBounds(readOptions)
        if (waitMillis === 0)
          return entriesOf(
            yield* send<StreamReply>("read", "XREAD", "COUNT", String(limit), "STREAMS", streamKey, after)
          )
        // A blocking read holds its connection, so it gets one of its own from the pool.
        const reply = yield* Effect.scoped(
          Effect.flatMap(redis.reserve, (connection) =>
            connection.send<StreamReply>(
              "XREAD",
              "COUNT",
              String(limit),
              "BLOCK",
              String(waitMillis),
              "STREAMS",
              streamKey,
              after
            )
          )
        ).pipe(Effect.mapError(unavailable("read")))
        return entriesOf(reply)
      }),
    ack: (cursor) =>
      Effect.suspend(() => {
        const parsed = parseStreamId(cursor)
        if (parsed instanceof InvalidCursor) return Effect.fail(parsed)
        const next = `${parsed[0]}-${parsed[1] + 1n}`
        return Effect.flatMap(run("ack", ackEval(streamKey, metaKey, cursor, next)), (reply) =>
          reply === "Beyond" ? Effect.fail(beyondLastCursor(cursor, streamCursor)) : Effect.void
        )
      })
  }

  // The last value seen per key, so the usual reserve is one round trip: a compare-and-set against it.
  const lastSeen = new Map<string, string>()
  const rateLimits: RateLimitStoreShape = {
    modify: <A>(key: string, f: (current: RateLimitWindow | undefined) => readonly [A, RateLimitWindow]) => {
      const redisKey = `${p}rate:${key}`
      const loop = (expected: string, attempts: number): Effect.Effect<A, RateLimitStoreError> => {
        const [result, next] = f(decodeWindow(expected))
        const encoded = encodeWindow(next)
        return Effect.flatMap(
          Effect.mapError(
            compareAndSet(redisKey, expected, encoded, windowTimeToLiveMillis),
            (cause) => new RateLimitStoreError({ cause })
          ),
          (reply) => {
            if (reply[0] === 1) {
              lastSeen.set(key, encoded)
              return Effect.succeed(result)
            }
            lastSeen.set(key, reply[1])
            if (attempts === 64) require("node:fs").appendFileSync("/tmp/cas.log", `lost 64 ${process.pid}\n`)
            if (attempts >= maxCompareAndSetAttempts) {
              return Effect.fail(
                new RateLimitStoreError({
                  cause: new Error(`${attempts} compare-and-set attempts lost to other workers`)
                })
              )
            }
            return attempts % roundsBeforeSteppingAside === 0
              ? Effect.andThen(
                  stepAside,
                  Effect.suspend(() => loop(lastSeen.get(key) ?? reply[1], attempts + 1))
                )
              : loop(reply[1], attempts + 1)
          }
        )
      }
      return Effect.suspend(() => loop(lastSeen.get(key) ?? "", 1))
    }
  }

  return { connections, nonces, inbox, rateLimits } satisfies StateParts
})
