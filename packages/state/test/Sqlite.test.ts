import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { State } from "../src/index.ts"
import { conformance } from "./conformance.ts"

const root = mkdtempSync(join(tmpdir(), "taskjuice-state-sqlite-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let worlds = 0

conformance({
  name: "sqlite",
  persistent: true,
  // Every worker opens the file on its own, as a separate host process would.
  world: async () => {
    const path = join(root, `world-${++worlds}`, "state.sqlite")
    return {
      layer: (options) =>
        State.layer({
          location: { _tag: "Sqlite", path },
          keys: options?.noKeys ? undefined : options?.keys,
          limits: options?.limits
        })
    }
  }
})
