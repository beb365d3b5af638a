/** `./dev taskjuice manifest`: the manifest TaskJuice's runtime reads, as JSON (indented, or one line under `--json`). */
import { Output } from "@taskjuice/intercom-cli"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"

export const manifest = Command.make("manifest", {}, () =>
  Effect.gen(function* () {
    const { makeManifest } = yield* Effect.promise(() => import("../Manifest.ts"))
    yield* Output.result(makeManifest(), (value) => JSON.stringify(value, null, 2))
  })
).pipe(
  Command.withDescription("Print the manifest (app, auth, actions, triggers, errors) as JSON"),
  Command.withExamples([
    { command: "./dev taskjuice manifest", description: "indented" },
    { command: "./dev taskjuice manifest --json | jq '.actions[].key'", description: "one line, for tools" }
  ])
)
