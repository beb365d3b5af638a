#!/usr/bin/env node
/** `./dev taskjuice <command>` (`pnpm taskjuice`, the `taskjuice-intercom` bin); `./dev taskjuice --help` lists the commands. */
import { run } from "@taskjuice/intercom-cli"
import { taskjuiceCli } from "./cli/Cli.ts"

run(taskjuiceCli, { version: "0.1.0" })
