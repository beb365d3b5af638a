/** `./dev sim resend <notification-id>`: send a recorded notification again, as the Developer Hub's resend. */

import { CommandError, Flags } from "@taskjuice/intercom-cli"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { DeliverySummary } from "../http/AdminRoutes.ts"
import { signatureModes } from "../SignatureMode.ts"
import { adminClient, remoteFlags } from "./Remote.ts"
import { reportNotifications } from "./Trigger.ts"

export const resend = Command.make(
  "resend",
  {
    remote: remoteFlags,
    notificationId: Argument.String("notification-id").pipe(
      Argument.withDescription("the notif_… id (./dev sim deliveries lists them)"),
      Argument.optional
    ),
    forwardTo: Flags.url("forward-to").pipe(
      Flag.withDescription("send to URL instead of the original receivers"),
      Flag.optional
    ),
    signature: Flags.choice("signature", signatureModes).pipe(
      Flag.withDescription("the signature headers (default: the run's)"),
      Flag.optional
    )
  },
  ({ remote, notificationId, forwardTo, signature }) =>
    Effect.gen(function* () {
      if (Option.isNone(notificationId)) {
        return yield* CommandError.userInput("resend needs a notification id", {
          fix: "./dev sim deliveries lists them (the notif_… column)"
        })
      }
      const id = notificationId.value
      const admin = yield* adminClient(remote)
      const result = yield* admin
        .post<{ readonly deliveries: ReadonlyArray<DeliverySummary> }>(
          `/_sim/notifications/${encodeURIComponent(id)}/resend`,
          { forwardTo: Option.getOrUndefined(forwardTo), signature: Option.getOrUndefined(signature) }
        )
        .pipe(
          Effect.mapError((error) =>
            error.detail?.status === 404
              ? error.with({ fix: "./dev sim deliveries lists the notifications it keeps" })
              : error
          )
        )
      yield* reportNotifications(admin, "Resent", [
        { id, topic: result.deliveries[0]?.topic ?? "", deliveries: result.deliveries }
      ])
    })
).pipe(
  Command.withDescription("Send a notification again (to its receivers, or --forward-to URL)"),
  Command.withExamples([
    { command: "./dev sim resend notif_…", description: "to the URLs it went to" },
    {
      command:
        "./dev sim resend notif_… --forward-to http://127.0.0.1:3000/webhooks/intercom --signature invalid"
    }
  ])
)
