#!/usr/bin/env node
/** `./dev sim <command>` (and the `intercom-sim` bin); `./dev sim --help` lists the commands. */
import { run } from "@taskjuice/intercom-cli"
import { simCli } from "./Cli.ts"

run(simCli, { version: "0.1.0" })
