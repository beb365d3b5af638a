/**
 * Following a running simulator's deliveries as they happen (its `/_sim/events` stream), for `serve`
 * and `listen`: each delivery the filter accepts is printed as one line, or one JSON object per
 * line under `--json`.
 */

import { Json } from "@taskjuice/intercom-cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DeliverySummary } from "../http/AdminRoutes.ts"
import type { AdminClient } from "./AdminClient.ts"
import { describeLive } from "./Describe.ts"

/** The receiver's answer, when it says why it failed: the first 200 characters, on one line. */
const answerOf = (admin: AdminClient, delivery: DeliverySummary) =>
  delivery.ok || delivery.status === null
    ? Effect.succeed(undefined)
    : Effect.orElseSucceed(
        Effect.map(
          admin.get<{ readonly responseBody?: string }>(
            `/_sim/deliveries/${encodeURIComponent(delivery.id)}`
          ),
          (record) => record.responseBody?.replace(/\s+/g, " ").trim().slice(0, 200) || undefined
        ),
        () => undefined
      )

/** Prints every delivery `accept` takes, until the stream ends (the simulator stopped) or the fiber is interrupted. */
export const followDeliveries = (admin: AdminClient, accept: (delivery: DeliverySummary) => boolean) =>
  Effect.gen(function* () {
    const json = yield* Json
    yield* admin.events.pipe(
      Stream.filter((event) => event.event === "delivery"),
      Stream.map((event) => JSON.parse(event.data) as DeliverySummary),
      Stream.filter(accept),
      Stream.runForEach((delivery) =>
        Effect.flatMap(answerOf(admin, delivery), (answer) =>
          Console.log(
            json
              ? JSON.stringify({
                  event: "delivery",
                  ...delivery,
                  ...(answer === undefined ? {} : { responseBody: answer })
                })
              : `${describeLive(delivery)}${answer === undefined ? "" : `  answer: ${answer}`}`
          )
        )
      )
    )
  })
