/**
 * `./dev taskjuice <command>` on our shared CLI kit (`@taskjuice/intercom-cli` over effect/cli): `serve`
 * runs the bundle's host, `manifest` prints the manifest, `docs` writes (or checks) the docs page.
 * Every command takes `--json`, every error is one line with the fix, and its category is the exit
 * code. Each command loads what only it needs when it runs, so help and errors start fast.
 */
import * as Command from "effect/cli/Command"
import { makeDocs } from "./Docs.ts"
import { manifest } from "./Manifest.ts"
import { defaultPort, serve } from "./Serve.ts"

/** The CLI; `packageRoot` is the bundle's directory (`file:` URL ending in `/`), where `docs` writes its page. */
export const makeTaskjuiceCli = (packageRoot: URL) =>
  Command.make("./dev taskjuice").pipe(
    Command.withDescription(
      "The TaskJuice bundle for Intercom: run its host, print its manifest, render its docs page."
    ),
    Command.withSubcommands([serve, manifest, makeDocs(packageRoot)]),
    Command.withExamples([
      {
        command: "./dev taskjuice serve --client-id ID",
        description: `the host on :${defaultPort} (needs INTERCOM_CLIENT_SECRET, TASKJUICE_RUNTIME_TOKEN, TASKJUICE_STATE_KEY)`
      },
      { command: "./dev taskjuice manifest --json", description: "the manifest, one JSON line" },
      { command: "./dev taskjuice docs --check", description: "fail if docs/intercom.md is stale" }
    ])
  )
