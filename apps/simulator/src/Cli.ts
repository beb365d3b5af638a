/**
 * `./dev sim <command>`, in the Stripe CLI's manner, on our shared CLI kit (`@taskjuice/intercom-cli`
 * over effect/cli): `serve` runs the simulator; `trigger`, `resend`, `deliveries`, `listen` and
 * `topics` talk to a running one over its admin API (`--sim`), and `trigger --forward-to` with no
 * simulator named signs and sends a topic's fixture straight to a URL. Every command takes `--json`;
 * every error is one line, and its category is the exit code.
 */

import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Command from "effect/cli/Command"
import { deliveries } from "./cli/Deliveries.ts"
import { listen } from "./cli/Listen.ts"
import { resend } from "./cli/Resend.ts"
import { serve } from "./cli/Serve.ts"
import { topics } from "./cli/Topics.ts"
import { trigger } from "./cli/Trigger.ts"

export { exitCodes } from "@taskjuice/intercom-cli"

export const simCli = Command.make("./dev sim").pipe(
  Command.withDescription(
    "A local Intercom workspace: the API at Intercom's paths, OAuth, rate limits, faults and signed webhooks, with a live dashboard."
  ),
  Command.withSubcommands([serve, trigger, listen, resend, deliveries, topics]),
  Command.withExamples([
    {
      command: "./dev sim serve",
      description: "run it on :4010 (the dashboard is at http://127.0.0.1:4010/)"
    },
    {
      command: "./dev sim listen --forward-to http://127.0.0.1:3000/webhooks/intercom",
      description: "deliver to your receiver, printing each delivery"
    },
    {
      command: "./dev sim trigger contact.user.created",
      description: "create a contact and send its webhook"
    },
    { command: "./dev sim deliveries --limit 5 --json", description: "the last five attempts, as JSON" }
  ]),
  // node:http, not fetch: fetch refuses "bad" ports (6000, 9…) a local receiver may well use.
  Command.provide(NodeHttpClient.layerNodeHttp)
)
