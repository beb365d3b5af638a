/**
 * The run's state directory (`.sim/` by default): where `serve` leaves what the other commands and
 * the user need from a run — the generated client secret, the access token and the admin token —
 * each in its own file readable by the owner only, so nothing secret is ever printed.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { CommandError } from "@taskjuice/intercom-cli"
import * as Config from "effect/Config"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

export const defaultStateDir = ".sim"

/** The files a run writes, by what they hold. */
export const stateFiles = {
  clientSecret: "client-secret",
  accessToken: "access-token",
  adminToken: "admin-token"
} as const

export type StateFile = keyof typeof stateFiles

export const stateDirFlag = Flag.String("state-dir").pipe(
  Flag.withMetavar("DIR"),
  Flag.withDescription(
    `where serve writes the client secret, access token and admin token, and the other commands read the admin token (default ${defaultStateDir}, or INTERCOM_SIM_STATE_DIR)`
  ),
  Flag.withFallbackConfig(Config.String("INTERCOM_SIM_STATE_DIR")),
  Flag.withDefault(defaultStateDir)
)

export const stateFilePath = (dir: string, file: StateFile): string => join(dir, stateFiles[file])

const cannot = (verb: string, path: string, error: unknown) =>
  CommandError.filesystem(
    `cannot ${verb} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    {
      fix: "pass --state-dir DIR with a directory you can write"
    }
  )

/** Reads a secret the run left, or none when the file is not there. */
export const readStateFile = (
  dir: string,
  file: StateFile
): Effect.Effect<Redacted.Redacted<string> | undefined, CommandError.CommandError> => {
  const path = stateFilePath(dir, file)
  return Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (error) => error
  }).pipe(
    Effect.map((text) => (text.trim() === "" ? undefined : Redacted.make(text.trim()))),
    Effect.catch((error) =>
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? Effect.succeed(undefined)
        : Effect.fail(cannot("read", path, error))
    )
  )
}

/** Writes a secret for the owner's eyes only (the directory 0700, the file 0600); returns its path. */
export const writeStateFile = (
  dir: string,
  file: StateFile,
  secret: Redacted.Redacted<string>
): Effect.Effect<string, CommandError.CommandError> => {
  const path = stateFilePath(dir, file)
  return Effect.tryPromise({
    try: async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      await writeFile(path, `${Redacted.value(secret)}\n`, { mode: 0o600 })
      // An existing file keeps its mode on write: tighten it too.
      await chmod(path, 0o600)
      return path
    },
    catch: (error) => cannot("write", path, error)
  })
}
