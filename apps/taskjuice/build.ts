/**
 * Builds the bundle's published entries with esbuild: tree-shaken ESM for Node 24 with source maps.
 *
 * - `dist/runtime.js`: what TaskJuice's runtime loads in each worker (`src/runtime.ts`); `dist/bin.js`
 *   (`pnpm taskjuice`) and `dist/host-process.js` (a host in a process of its own, for tests that watch
 *   it from outside). Each is whole: Effect, the core, the client, openapi-fetch and undici inside, so a
 *   fresh process reads a few files instead of hundreds of modules. They share chunks (`dist/chunks/`),
 *   and what only some paths need (the manifest) is a chunk of its own, loaded on first use.
 * - `dist/index.js`: the package's main entry for code that runs in the same process and uses Effect
 *   itself (the sandbox): Effect and @effect/platform-node stay imports, so both sides share one copy
 *   (a `Redacted` made by one copy cannot be read by another).
 *
 * undici is CommonJS and `require`s Node's built-ins; an ES module has no `require`, so every output
 * gets one from `createRequire`. Bundling it (rather than leaving it external) keeps the runtime entry
 * free of node_modules, which a runtime worker may not have. The client loads it with its first request,
 * so it is a chunk of its own that importing the entry does not read.
 *
 * Files a module reads beside itself at run time (the core's webhook fixtures, the manifest's trigger
 * samples) are copied into `dist/` and the module's path to them is rewritten to match; every output is
 * directly in `dist/`, so one relative path serves wherever esbuild puts the module.
 *
 * `dist/sources.json` records a digest of every workspace source the whole-process entries were built
 * from, so `builtEntry` can tell when the sources have moved on since the build.
 */
import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { type BuildOptions, build, type Plugin } from "esbuild"
import { digestSources } from "./src/testing/BuiltEntry.ts"

const packageRoot = fileURLToPath(new URL(".", import.meta.url))

/** A module that reads a directory beside it: where it says it is, and where the build copies it. */
interface Relocated {
  readonly module: string
  readonly reference: string
  readonly from: string
  readonly to: string
}

const relocated: ReadonlyArray<Relocated> = [
  {
    module: "../../packages/core/src/webhooks/WebhookFixtures.ts",
    reference: 'new URL("../../fixtures/webhooks/", import.meta.url)',
    from: "../../packages/core/fixtures/webhooks",
    to: "fixtures/webhooks"
  }
]

/** Rewrites each relocated module's reference to its copy in `dist/`; a reference no longer found fails the build. */
const relocate: Plugin = {
  name: "relocate-read-files",
  setup: (setup) => {
    for (const each of relocated) {
      const path = fileURLToPath(new URL(each.module, import.meta.url))
      setup.onLoad({ filter: new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`) }, async () => {
        const source = await readFile(path, "utf8")
        if (!source.includes(each.reference)) {
          return { errors: [{ text: `${each.module} no longer reads ${each.reference}: update build.ts` }] }
        }
        return {
          contents: source.replace(each.reference, `new URL("./${each.to}/", import.meta.url)`),
          loader: "ts"
        }
      })
    }
  }
}

const common = {
  absWorkingDir: packageRoot,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: true,
  outdir: "dist",
  logLevel: "warning",
  plugins: [relocate],
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);'
  }
} satisfies BuildOptions

await rm(new URL("dist", import.meta.url), { recursive: true, force: true })
const [whole] = await Promise.all([
  build({
    ...common,
    entryPoints: {
      runtime: "src/runtime.ts",
      bin: "src/bin.ts",
      "host-process": "src/testing/HostProcess.ts"
    },
    splitting: true,
    metafile: true
  }),
  build({
    ...common,
    entryPoints: { index: "src/index.ts" },
    splitting: true,
    external: ["effect", "@effect/*"]
  })
])
const copied: Array<string> = []
for (const each of relocated) {
  await cp(new URL(each.from, import.meta.url), new URL(`dist/${each.to}`, import.meta.url), {
    recursive: true
  })
  for (const name of await readdir(new URL(each.from, import.meta.url))) copied.push(`${each.from}/${name}`)
}
const sources = [
  ...Object.keys(whole.metafile.inputs).filter((input) => !input.includes("node_modules/")),
  ...copied
]
await writeFile(
  new URL("dist/sources.json", import.meta.url),
  `${JSON.stringify(await digestSources(sources), null, 2)}\n`
)
