/** `./dev sim deliveries`: the running simulator's delivery attempts, newest first. */

import { Flags, Output } from "@taskjuice/intercom-cli"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { DeliverySummary } from "../http/AdminRoutes.ts"
import { describeRow } from "./Describe.ts"
import { adminClient, checkTopic, remoteFlags, remoteTopics } from "./Remote.ts"

export const deliveries = Command.make(
  "deliveries",
  {
    remote: remoteFlags,
    limit: Flags.integer("limit", { min: 1 }).pipe(
      Flag.withDescription("how many, newest first (default 20)"),
      Flag.withDefault(20)
    ),
    topic: Flag.String("topic").pipe(
      Flag.withMetavar("TOPIC"),
      Flag.withDescription("only this topic"),
      Flag.optional
    )
  },
  ({ remote, limit, topic }) =>
    Effect.gen(function* () {
      const admin = yield* adminClient(remote)
      const query = new URLSearchParams({ limit: String(limit) })
      if (Option.isSome(topic)) query.set("topic", yield* checkTopic(topic.value, yield* remoteTopics(admin)))
      const result = yield* admin.get<{
        readonly deliveries: ReadonlyArray<DeliverySummary>
        readonly total: number
      }>(`/_sim/deliveries?${query}`)
      yield* Output.result(result, ({ deliveries }) =>
        deliveries.length === 0
          ? Option.isSome(topic)
            ? `No deliveries of ${topic.value} yet.`
            : "No deliveries yet: trigger a topic (./dev sim trigger ping), or change state through the API."
          : deliveries.map(describeRow)
      )
    })
).pipe(
  Command.withDescription("List delivery attempts (status, latency), newest first"),
  Command.withExamples([
    { command: "./dev sim deliveries --limit 5", description: "the last five attempts" },
    {
      command: "./dev sim deliveries --topic contact.user.created --json",
      description: "one topic's, as JSON"
    }
  ])
)
