/**
 * `./dev taskjuice docs`: writes the docs page (`docs/intercom.md`) from the manifest; `--check` fails
 * (exit 6) when the committed page is not what the manifest renders, saying how to refresh it.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { CommandError, Output } from "@taskjuice/intercom-cli"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"

const cannot = (verb: string, path: string, error: unknown) =>
  CommandError.filesystem(
    `cannot ${verb} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    {
      fix: "run it from a checkout you can write"
    }
  )

/** The command, writing the page under `packageRoot` (the bundle's directory, as a `file:` URL ending in `/`). */
export const makeDocs = (packageRoot: URL) =>
  Command.make(
    "docs",
    {
      check: Flag.Boolean("check").pipe(
        Flag.withDescription("write nothing; fail if the page is not what the manifest renders"),
        Flag.withDefault(false)
      )
    },
    ({ check }) =>
      Effect.gen(function* () {
        const [{ docsPath, renderDocs }, { makeManifest }] = yield* Effect.promise(() =>
          Promise.all([import("../Docs.ts"), import("../Manifest.ts")])
        )
        const target = fileURLToPath(new URL(docsPath, packageRoot))
        const page = renderDocs(makeManifest())
        if (check) {
          const current = yield* Effect.promise(() => readFile(target, "utf8").catch(() => ""))
          if (current !== page) {
            return yield* CommandError.filesystem(`${docsPath} is out of date`, {
              fix: "run ./dev taskjuice docs",
              detail: { path: docsPath }
            })
          }
          return yield* Output.result({ path: docsPath, upToDate: true }, () => `${docsPath} is up to date`)
        }
        yield* Effect.tryPromise({
          try: async () => {
            await mkdir(dirname(target), { recursive: true })
            await writeFile(target, page)
          },
          catch: (error) => cannot("write", docsPath, error)
        })
        yield* Output.result({ path: docsPath, written: true }, () => `wrote ${docsPath}`)
      })
  ).pipe(
    Command.withDescription("Write docs/intercom.md from the manifest (--check: fail if it is out of date)"),
    Command.withExamples([
      { command: "./dev taskjuice docs", description: "regenerate the page" },
      {
        command: "INTERCOM_API_VERSION=2.16 ./dev taskjuice docs",
        description: "the page for another Intercom version"
      },
      { command: "./dev taskjuice docs --check", description: "in CI: exit 6 if the page is stale" }
    ])
  )
