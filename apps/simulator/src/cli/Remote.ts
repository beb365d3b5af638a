/**
 * The flags of every command that talks to a running simulator (`--sim`, `--admin-token`,
 * `--state-dir`) and the admin client they make. The admin token comes from the flag, else from the
 * file the run left in its state directory.
 */

import { CommandError, Flags } from "@taskjuice/intercom-cli"
import * as Config from "effect/Config"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { type AdminClient, defaultSimUrl, makeAdminClient } from "./AdminClient.ts"
import { readStateFile, stateDirFlag } from "./StateDir.ts"

export const remoteFlags = {
  sim: Flags.url("sim").pipe(
    Flag.withDescription(`the running simulator (default ${defaultSimUrl}, or INTERCOM_SIM_URL)`),
    Flag.withFallbackConfig(Config.String("INTERCOM_SIM_URL")),
    Flag.optional
  ),
  adminToken: Flag.Redacted("admin-token").pipe(
    Flag.withMetavar("TOKEN"),
    Flag.withDescription(
      "the run's admin token (default: <state-dir>/admin-token, or INTERCOM_SIM_ADMIN_TOKEN)"
    ),
    Flag.withFallbackConfig(Config.Redacted("INTERCOM_SIM_ADMIN_TOKEN")),
    Flag.optional
  ),
  stateDir: stateDirFlag
}

export interface Remote {
  readonly sim: Option.Option<string>
  readonly adminToken: Option.Option<Redacted.Redacted<string>>
  readonly stateDir: string
}

/** Whether the user named a simulator (`--sim` or INTERCOM_SIM_URL), rather than taking the default. */
export const namesSimulator = (remote: Remote): boolean => Option.isSome(remote.sim)

export const adminClient = (
  remote: Remote
): Effect.Effect<AdminClient, CommandError.CommandError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const token = Option.isSome(remote.adminToken)
      ? remote.adminToken
      : Option.fromUndefinedOr(yield* readStateFile(remote.stateDir, "adminToken"))
    return yield* makeAdminClient(
      Option.getOrElse(remote.sim, () => defaultSimUrl),
      token
    )
  })

/** The topics the simulator can trigger. */
export const remoteTopics = (
  admin: AdminClient
): Effect.Effect<ReadonlyArray<string>, CommandError.CommandError> =>
  Effect.map(admin.get<{ readonly topics: ReadonlyArray<string> }>("/_sim/topics"), (body) => body.topics)

/** Fails unless `topic` is one of `topics`, naming the nearest and listing them all. */
export const checkTopic = (
  topic: string,
  topics: ReadonlyArray<string>
): Effect.Effect<string, CommandError.CommandError> =>
  topics.includes(topic)
    ? Effect.succeed(topic)
    : Effect.fail(
        CommandError.unknownChoice({
          what: "topic",
          value: topic,
          choices: topics,
          fix: "./dev sim topics lists them"
        })
      )
