#!/usr/bin/env node
/** `./dev taskjuice <command>` (`pnpm taskjuice`, the `taskjuice-intercom` bin); `./dev taskjuice --help` lists the commands. */
import { run } from "@taskjuice/intercom-cli"
import { makeTaskjuiceCli } from "./cli/Cli.ts"

// This file is src/bin.ts or, built, dist/bin.js: the package is the directory above either.
run(makeTaskjuiceCli(new URL("../", import.meta.url)), { version: "0.1.0" })
