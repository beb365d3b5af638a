#!/usr/bin/env node
/**
 * `./dev codegen <command>`, on our shared CLI kit (`@taskjuice/intercom-cli` over effect/cli):
 * `./dev generate`, `./dev codegen …` and `./dev regenerate …` land here. Commands load their modules
 * lazily, so a mistyped command answers at once. Every error is one line with its exit code: a
 * version that is not pinned is bad input (2, with the pinned ones), a description that cannot be
 * downloaded is a network failure (3), a missing or mismatched mirror a file problem (6), and a
 * failed check (overlay, validation, typecheck, tests) is a failure that says why (1).
 */
import { fileURLToPath } from "node:url"
import { CommandError, Json, Output, run } from "@taskjuice/intercom-cli"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { buildVersion, loadPins, pinnedVersions, type UnknownVersion } from "./Pins.ts"

const defaultOutDir = fileURLToPath(new URL("../../client/src/generated", import.meta.url))

const unknownVersion = (version: string, known: ReadonlyArray<string>) =>
  CommandError.unknownChoice({
    what: "Intercom API version",
    value: version,
    choices: known,
    label: "pinned versions"
  })

/** The codegen's own errors, by what the user can do about them; anything else stays a bug. */
const categorize = (error: unknown): CommandError.CommandError | unknown => {
  if (!(error instanceof Error)) return error
  const tag = (error as { readonly _tag?: string })._tag
  switch (tag) {
    case "UnknownVersion":
      return unknownVersion((error as UnknownVersion).version, (error as UnknownVersion).known)
    case "AlreadyDefault":
      return CommandError.userInput(error.message)
    case "SpecDownloadFailed":
      return CommandError.network(error.message)
    case "SpecMirrorMissing":
    case "SpecHashMismatch":
      return CommandError.filesystem(error.message)
    case "InvalidOverlay":
    case "OverlayTargetUnmatched":
    case "InvalidOpenApiDocument":
    case "InvalidUsage":
    case "UsageNotInDescriptions":
    case "RegenerateFailed":
      return CommandError.internal(error.message)
    default:
      return error
  }
}

/** Runs a step of the codegen: its known failures become command errors, the rest defects. */
const step = <A>(run: () => Promise<A> | A): Effect.Effect<A, CommandError.CommandError> =>
  Effect.tryPromise({ try: async () => run(), catch: (error) => error }).pipe(
    Effect.catch((error) => {
      const categorized = categorize(error)
      return categorized instanceof CommandError.CommandError
        ? Effect.fail(categorized)
        : Effect.die(categorized)
    })
  )

/** A pinned version, or the error naming the pinned ones. */
const pinned = (version: string) =>
  Effect.flatMap(
    step(() => pinnedVersions(loadPins())),
    (known) =>
      known.includes(version) ? Effect.succeed(version) : Effect.fail(unknownVersion(version, known))
  )

const versionFlag = Flag.String("version").pipe(Flag.withMetavar("VERSION"), Flag.optional)

const generate = Command.make(
  "generate",
  {
    version: versionFlag.pipe(
      Flag.withDescription(
        "the pinned version to generate (default: INTERCOM_API_VERSION, else the pin's default)"
      )
    ),
    out: Flag.String("out").pipe(
      Flag.withMetavar("DIR"),
      Flag.withDescription("where to write the client's types (default packages/client/src/generated)"),
      Flag.withDefault(defaultOutDir)
    )
  },
  ({ version, out }) =>
    Effect.gen(function* () {
      const target = Option.isSome(version)
        ? yield* pinned(version.value)
        : yield* step(() => buildVersion(loadPins()))
      const { generate } = yield* Effect.promise(() => import("./Generate.ts"))
      const result = yield* step(() => generate({ version: target, outDir: out }))
      const total = Object.values(result.timings).reduce((a, b) => a + b, 0)
      yield* Output.result(
        result,
        () =>
          `Generated Intercom ${result.version} (${result.origin}, sha256 ${result.sha256.slice(0, 12)}…): ` +
          `${result.operations} operations, ${result.applied.length} overlay fixes, ${Math.round(total)} ms → ${out}`
      )
    })
).pipe(
  Command.withDescription("Generate the typed client for a pinned version (./dev generate)"),
  Command.withExamples([
    { command: "./dev generate", description: "the build's version" },
    {
      command: "./dev generate --version 2.16 --json",
      description: "another pinned version; the result as JSON"
    }
  ])
)

const diff = Command.make(
  "diff",
  {
    from: Argument.String("from").pipe(
      Argument.withDescription("a pinned version, e.g. 2.11"),
      Argument.optional
    ),
    to: Argument.String("to").pipe(Argument.withDescription("a pinned version, e.g. 2.16"), Argument.optional)
  },
  ({ from, to }) =>
    Effect.gen(function* () {
      if (Option.isNone(from) || Option.isNone(to)) {
        return yield* CommandError.userInput("diff takes two versions", {
          choices: yield* step(() => pinnedVersions(loadPins())),
          choicesLabel: "pinned versions",
          fix: "e.g. ./dev codegen diff 2.11 2.16"
        })
      }
      const versions = [yield* pinned(from.value), yield* pinned(to.value)] as const
      const { diffVersions } = yield* Effect.promise(() => import("./SpecDiff.ts"))
      const report = yield* step(() => diffVersions(versions[0], versions[1], { pins: loadPins() }))
      if (yield* Json) return yield* Output.result(report, () => [])
      const { renderDiffMarkdown } = yield* Effect.promise(() => import("./DiffMarkdown.ts"))
      yield* Effect.sync(() => process.stdout.write(renderDiffMarkdown(report)))
    })
).pipe(
  Command.withDescription(
    "What changes between two versions for the operations, schemas, actions and triggers in specs/intercom/usage.json"
  ),
  Command.withExamples([
    { command: "./dev codegen diff 2.11 2.16", description: "the report as Markdown" },
    { command: "./dev codegen diff 2.15 2.16 --json", description: "as JSON" }
  ])
)

const regenerate = Command.make(
  "regenerate",
  {
    version: versionFlag.pipe(Flag.withDescription("the pinned version to make the default")),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("everything but editing the pin and writing the changeset"),
      Flag.withDefault(false)
    )
  },
  ({ version, dryRun }) =>
    Effect.gen(function* () {
      if (Option.isNone(version)) {
        return yield* CommandError.userInput("regenerate needs --version", {
          choices: yield* step(() => pinnedVersions(loadPins())),
          choicesLabel: "pinned versions",
          fix: "e.g. ./dev regenerate --version 2.16 --dry-run"
        })
      }
      const target = yield* pinned(version.value)
      const json = yield* Json
      const { regenerate } = yield* Effect.promise(() => import("./Regenerate.ts"))
      const result = yield* step(() =>
        regenerate({
          version: target,
          dryRun,
          outDir: defaultOutDir,
          // The steps' progress; under --json on stderr, so stdout is the one result object.
          log: (line) => (json ? console.error(line) : console.log(line))
        })
      )
      yield* Output.result(
        {
          from: result.from,
          to: result.to,
          dryRun: result.dryRun,
          summary: result.report.summary,
          reportPath: result.reportPath,
          changesetPath: result.changesetPath ?? null
        },
        () =>
          `${result.dryRun ? "Dry run passed" : "Done"}: Intercom ${result.from} → ${result.to}, ` +
          `${result.report.summary.breaking} breaking and ${result.report.summary.additive} additive changes.`
      )
    })
).pipe(
  Command.withDescription(
    "Make a pinned version the default: diff, regenerate, typecheck, test, write specs/intercom/reports/<from>-to-<to>.md and a changeset (./dev regenerate)"
  ),
  Command.withExamples([
    { command: "./dev regenerate --version 2.16 --dry-run", description: "every check, nothing kept" },
    { command: "./dev regenerate --version 2.16" }
  ])
)

const codegen = Command.make("./dev codegen").pipe(
  Command.withDescription(
    "Resolves a pinned Intercom OpenAPI description, applies our overlays, validates it and generates the typed client; compares versions; moves the build to another version."
  ),
  Command.withSubcommands([generate, diff, regenerate])
)

// `--version` is the Intercom version here, so the kit's own `--version` is off.
run(codegen, { version: "0.1.0", versionFlag: false })
