/** Runs the workspace's TypeScript 7 `tsc --noEmit` over a folder of generated files. */
import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const workspaceRoot = fileURLToPath(new URL("../../../../", import.meta.url))
export const tscBinary: string = join(workspaceRoot, "node_modules", ".bin", "tsc")

export interface TypecheckResult {
  readonly status: number | null
  readonly output: string
}

/** Typechecks every `.ts` file of `dir` with the repository's strict settings. */
export const typecheckFolder = (dir: string): TypecheckResult => {
  // The generated files are ES modules, as they are inside packages/client.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(workspaceRoot, "tsconfig.base.json"),
      // A temporary folder cannot see @types/node; the generated files need no ambient types.
      compilerOptions: { types: [] },
      include: ["*.ts"]
    })
  )
  const result = spawnSync(tscBinary, ["--noEmit", "-p", join(dir, "tsconfig.json")], { encoding: "utf8" })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}
