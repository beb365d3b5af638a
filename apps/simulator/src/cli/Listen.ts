/**
 * `./dev sim listen --forward-to URL`, as the Stripe CLI's `listen`: subscribes URL on the running
 * simulator (to every topic, or `--events`), then prints one line per delivery to it and the
 * receiver's answer, until stopped; the subscription is removed on the way out where the simulator
 * allows it. The simulator itself signs and sends, with its retries and throttling, so what the
 * receiver sees is exactly what Intercom would send.
 */

import { CommandError, Flags, Json, Output } from "@taskjuice/intercom-cli"
import * as Console from "effect/Console"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Subscription } from "../webhooks/WebhookDispatcher.ts"
import { followDeliveries } from "./Follow.ts"
import { adminClient, checkTopic, remoteFlags, remoteTopics } from "./Remote.ts"

const sameTopics = (a: Subscription["topics"], b: Subscription["topics"]): boolean =>
  a === "*" || b === "*" ? a === b : a.length === b.length && a.every((topic) => b.includes(topic))

export const listen = Command.make(
  "listen",
  {
    remote: remoteFlags,
    forwardTo: Flags.url("forward-to").pipe(
      Flag.withDescription("the URL to deliver to, e.g. your local receiver"),
      Flag.optional
    ),
    events: Flag.String("events").pipe(
      Flag.withMetavar("TOPIC,…"),
      Flag.withDescription("only these topics, comma-separated (default: every topic)"),
      Flag.optional
    )
  },
  ({ remote, forwardTo, events }) =>
    Effect.gen(function* () {
      if (Option.isNone(forwardTo)) {
        return yield* CommandError.userInput("listen needs --forward-to URL", {
          fix: "e.g. ./dev sim listen --forward-to http://127.0.0.1:3000/webhooks/intercom"
        })
      }
      const url = forwardTo.value
      const admin = yield* adminClient(remote)
      const known = yield* remoteTopics(admin)
      const topics: Subscription["topics"] = Option.isSome(events)
        ? yield* Effect.forEach(
            events.value
              .split(",")
              .map((topic) => topic.trim())
              .filter((topic) => topic !== ""),
            (topic) => checkTopic(topic, known)
          )
        : "*"
      if (topics !== "*" && topics.length === 0) {
        return yield* CommandError.userInput("--events names no topic", {
          choices: known,
          choicesLabel: "topics"
        })
      }
      const existing = (yield* admin.get<{ readonly subscriptions: ReadonlyArray<Subscription> }>(
        "/_sim/subscriptions"
      )).subscriptions.find(
        (subscription) =>
          subscription.active && subscription.url === url && sameTopics(subscription.topics, topics)
      )
      const subscription =
        existing ??
        (yield* admin.post<Subscription>("/_sim/subscriptions", topics === "*" ? { url } : { url, topics }))
      const json = yield* Json
      yield* Output.result(
        {
          event: "ready",
          url,
          topics,
          subscription: subscription.id,
          reused: existing !== undefined,
          simulator: admin.base
        },
        () =>
          `Ready: ${admin.base} delivers ${topics === "*" ? "every topic" : topics.join(", ")} to ${url} (subscription ${subscription.id}${
            existing === undefined ? "" : ", already there"
          }). Ctrl-C to stop.`
      )
      // Leave the simulator as we found it: remove a subscription we made, if it lets us.
      const unsubscribe = Effect.gen(function* () {
        if (existing !== undefined) return
        const removed = yield* Effect.orElseSucceed(
          admin.remove(`/_sim/subscriptions/${encodeURIComponent(subscription.id)}`),
          () => false
        )
        if (!json && !removed)
          yield* Console.error(`Note: ${url} stays subscribed until the simulator stops.`)
      })
      yield* followDeliveries(admin, (delivery) => delivery.url === url).pipe(
        Effect.onExit(() => unsubscribe)
      )
    })
).pipe(
  Command.withDescription(
    "Subscribe a URL on the running simulator and print each delivery to it, until stopped"
  ),
  Command.withExamples([
    { command: "./dev sim listen --forward-to http://127.0.0.1:3000/webhooks/intercom" },
    {
      command:
        "./dev sim listen --forward-to http://127.0.0.1:3000/webhooks/intercom --events contact.user.created,conversation.user.replied --json",
      description: "two topics, as JSON lines"
    }
  ])
)
