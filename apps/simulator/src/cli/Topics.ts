/** `./dev sim topics`: the topics `trigger` knows, from the core's fixtures or a running simulator. */

import { Output } from "@taskjuice/intercom-cli"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { adminClient, namesSimulator, remoteFlags, remoteTopics } from "./Remote.ts"

export const topics = Command.make("topics", { remote: remoteFlags }, ({ remote }) =>
  Effect.gen(function* () {
    const list = namesSimulator(remote)
      ? yield* remoteTopics(yield* adminClient(remote))
      : (yield* Effect.promise(() => import("@taskjuice/intercom-core"))).webhookFixtureTopics()
    yield* Output.result({ topics: list }, ({ topics }) => topics)
  })
).pipe(
  Command.withDescription("List the topics trigger knows (from the fixtures, or the simulator at --sim)"),
  Command.withExamples([
    { command: "./dev sim topics", description: "the topics with a fixture" },
    {
      command: "./dev sim topics --sim http://127.0.0.1:4010 --json",
      description: "a running simulator's, as JSON"
    }
  ])
)
