/**
 * `pnpm generate` for the simulator: every pinned version's patched description into
 * `src/generated/descriptions/` (git-ignored), so the twin can answer each request by its own
 * `Intercom-Version`. Turbo runs it before typecheck and test.
 */
import { fileURLToPath } from "node:url"
import { writeDescriptions } from "@taskjuice/intercom-codegen"

const outDir = fileURLToPath(new URL("../src/generated/descriptions", import.meta.url))
const started = performance.now()
const { versions } = await writeDescriptions({ outDir })
console.log(
  `Wrote the patched descriptions of Intercom ${versions.join(", ")} in ${Math.round(performance.now() - started)} ms → ${outDir}`
)
