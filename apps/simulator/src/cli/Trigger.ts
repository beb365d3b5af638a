/**
 * `./dev sim trigger <topic>`: the running simulator makes the change behind a topic (a contact
 * created, a reply…) and sends the notification it causes; with `--forward-to` and no simulator
 * named, the topic's fixture is signed and sent straight to the URL instead. Either way it says what
 * it did, one line per delivery, and warns when nobody received it or the receiver ignored it
 * because no connection carries the notification's workspace (`app_id`).
 */
import { CommandError, Flags, Json, Output } from "@taskjuice/intercom-cli"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type { DeliverySummary } from "../http/AdminRoutes.ts"
import { applyOverrides, type Override, parseOverride } from "../Overrides.ts"
import { type SignatureMode, signatureModes } from "../SignatureMode.ts"
import type { AdminClient } from "./AdminClient.ts"
import { describeAttempt } from "./Describe.ts"
import { adminClient, checkTopic, namesSimulator, type Remote, remoteFlags, remoteTopics } from "./Remote.ts"
import { readStateFile } from "./StateDir.ts"

export interface Notification {
  readonly id: string
  readonly topic: string
  readonly deliveries: ReadonlyArray<DeliverySummary>
}

/** A delivery with the receiver's answer, as far as the caller knows it. */
interface Answered {
  readonly delivery: DeliverySummary
  readonly responseBody: string | undefined
}

/** What a TaskJuice bundle answers for a notification it acknowledged but did nothing with. */
const ignoredBecause = (responseBody: string | undefined): string | undefined => {
  if (responseBody === undefined) return undefined
  try {
    const answer = JSON.parse(responseBody) as { received?: unknown; workspaceId?: unknown; topic?: unknown }
    if (answer.received !== "ignored") return undefined
    if (typeof answer.workspaceId === "string")
      return `no connection carries workspace "${answer.workspaceId}" (the notification's app_id)`
    if (typeof answer.topic === "string") return `it does not handle ${answer.topic}`
    return "it acknowledged it and did nothing"
  } catch {
    return undefined
  }
}

/** The receivers' answers: the simulator keeps them with each delivery. */
const answersFrom = (
  admin: AdminClient,
  deliveries: ReadonlyArray<DeliverySummary>
): Effect.Effect<ReadonlyArray<Answered>, CommandError.CommandError> =>
  Effect.forEach(deliveries, (delivery) =>
    Effect.map(
      Effect.orElseSucceed(
        admin.get<{ readonly responseBody?: string }>(`/_sim/deliveries/${encodeURIComponent(delivery.id)}`),
        () => ({}) as { readonly responseBody?: string }
      ),
      (record) => ({ delivery, responseBody: record.responseBody })
    )
  )

/** What the notification is about, from the simulator's record of it: `contact 65f… (ada@example.com)`. */
const subjectOf = (admin: AdminClient, id: string): Effect.Effect<string | undefined, never> =>
  Effect.orElseSucceed(
    Effect.map(
      admin.get<{
        readonly envelope?: { readonly app_id?: string; readonly data?: { readonly item?: unknown } }
      }>(`/_sim/notifications/${encodeURIComponent(id)}`),
      (record) => {
        const item = (record.envelope?.data?.item ?? {}) as Record<string, unknown>
        const what = [item.type, item.id].filter((part) => typeof part === "string").join(" ")
        const who = [item.email, item.name, item.title].find(
          (part) => typeof part === "string" && part !== ""
        )
        const about = `${what}${who === undefined ? "" : ` (${String(who)})`}`
        const workspace = record.envelope?.app_id
        return [about, workspace === undefined ? "" : `app_id ${workspace}`]
          .filter((part) => part !== "")
          .join(", ")
      }
    ),
    () => undefined
  )

/** Describing at most this many notifications' subjects keeps `--count 1000` from asking 1,000 times. */
const describedNotifications = 10

/**
 * Prints what happened to each notification (or all of them as JSON), warns about the ones nobody
 * received or that a receiver ignored, and fails with a delivery error (exit 5) if any attempt failed.
 */
export const reportNotifications = (
  admin: AdminClient | undefined,
  verb: string,
  notifications: ReadonlyArray<Notification>,
  answers?: ReadonlyArray<Answered>
) =>
  Effect.gen(function* () {
    const json = yield* Json
    const all = notifications.flatMap((notification) => notification.deliveries)
    const answered =
      answers ??
      (admin === undefined
        ? all.map((delivery) => ({ delivery, responseBody: undefined }))
        : yield* answersFrom(admin, all))
    if (json) yield* Console.log(JSON.stringify({ notifications }))
    for (const [index, notification] of notifications.entries()) {
      if (!json) {
        const subject =
          admin !== undefined && index < describedNotifications
            ? yield* subjectOf(admin, notification.id)
            : undefined
        yield* Console.log(
          [
            `${verb} ${notification.topic} (${notification.id})${subject === undefined || subject === "" ? "" : `: ${subject}`}`,
            ...notification.deliveries.map((delivery) => `  ${describeAttempt(delivery)}`)
          ].join("\n")
        )
      }
      if (notification.deliveries.length === 0) {
        yield* Output.warning(
          `nobody received ${notification.topic} (${notification.id}): the simulator has no subscription for it; start serve with --webhook-url URL, run ./dev sim listen --forward-to URL, or pass --forward-to URL`,
          { notificationId: notification.id, reason: "no_receivers" }
        )
      }
    }
    for (const { delivery, responseBody } of answered) {
      const why = ignoredBecause(responseBody)
      if (why === undefined) continue
      yield* Output.warning(
        `${delivery.url} ignored ${delivery.topic} (${delivery.notificationId}): ${why}; connect the simulator's workspace first (./dev start does), or pass --app-id with a connected workspace's id`,
        { notificationId: delivery.notificationId, url: delivery.url, reason: "ignored", responseBody }
      )
    }
    const failed = all.filter((delivery) => !delivery.ok).length
    if (failed > 0) {
      return yield* CommandError.delivery(
        `${failed} of ${all.length} delivery attempt(s) failed (no answer, or not 2xx)`,
        {
          fix: "see each attempt above; ./dev sim deliveries --json has the receivers' answers"
        }
      )
    }
  })

const overridesFlag = Flag.String("override").pipe(
  Flag.withMetavar("PATH=VALUE"),
  Flag.withDescription(
    "edit the notification (repeatable): data.item.email=a@b.example, item.name=Ada (values are JSON or text)"
  ),
  Flag.atLeast(0),
  Flags.parsedWith((texts) => texts.map(parseOverride))
)

interface DirectOptions {
  readonly topic: string
  readonly forwardTo: string
  readonly overrides: ReadonlyArray<Override>
  readonly signature: SignatureMode
  readonly count: number
  readonly secret: Redacted.Redacted<string>
  readonly appId: Option.Option<string>
}

/** No simulator: the fixture with fresh ids, the overrides, signed with the client secret, sent `count` times. */
const sendFixture = (options: DirectOptions) =>
  Effect.gen(function* () {
    const { fixtureEnvelope, sendSigned } = yield* Effect.promise(
      () => import("../webhooks/DirectDelivery.ts")
    )
    const notifications: Array<Notification> = []
    const answers: Array<Answered> = []
    for (let i = 0; i < options.count; i++) {
      const fixture = fixtureEnvelope(options.topic)
      const envelope = applyOverrides(
        Option.isSome(options.appId) ? { ...fixture, app_id: options.appId.value } : fixture,
        options.overrides
      )
      const payload = JSON.stringify(envelope)
      const sentAt = Date.now()
      const result = yield* Effect.promise(() =>
        sendSigned(options.forwardTo, payload, options.secret, options.signature)
      )
      const id = envelope.id ?? `ping_${sentAt}_${i}`
      const delivery: DeliverySummary = {
        id: `dlv_direct_${sentAt}_${i}`,
        notificationId: id,
        topic: options.topic,
        url: options.forwardTo,
        attempt: 1,
        signature: options.signature,
        status: result.status,
        ok: result.ok,
        error: result.error,
        latencyMs: result.latencyMs,
        sentAt,
        retryAt: null,
        payloadBytes: Buffer.byteLength(payload)
      }
      notifications.push({ id, topic: options.topic, deliveries: [delivery] })
      answers.push({ delivery, responseBody: result.responseBody })
      if (
        i === 0 &&
        Option.isNone(options.appId) &&
        !options.overrides.some((o) => o.path.join(".") === "app_id")
      ) {
        yield* Output.warning(
          `app_id is the fixture's ("${String(fixture.app_id)}"): a TaskJuice connection carries its Intercom workspace's id, so pass --app-id with it (./dev sim serve prints the simulator's), or send through the simulator with --sim URL`,
          { reason: "fixture_app_id", appId: fixture.app_id }
        )
      }
    }
    return { notifications, answers }
  })

/** The client secret for direct sending: the flag or INTERCOM_CLIENT_SECRET, else the one a local run generated. */
const directSecret = (flag: Option.Option<Redacted.Redacted<string>>, stateDir: string) =>
  Effect.gen(function* () {
    if (Option.isSome(flag)) return flag.value
    const generated = yield* readStateFile(stateDir, "clientSecret")
    if (generated !== undefined) return generated
    return yield* CommandError.userInput(
      "sending without a simulator needs the client secret that signs it",
      {
        fix: "pass --client-secret or set INTERCOM_CLIENT_SECRET, or pass --sim URL to send through a running simulator"
      }
    )
  })

const needsTopic = (remote: Remote) =>
  Effect.gen(function* () {
    const topics = namesSimulator(remote)
      ? yield* remoteTopics(yield* adminClient(remote))
      : (yield* Effect.promise(() => import("@taskjuice/intercom-core"))).webhookFixtureTopics()
    return yield* CommandError.userInput("trigger needs a topic", {
      choices: topics,
      choicesLabel: "topics",
      fix: "e.g. ./dev sim trigger contact.user.created"
    })
  })

export const trigger = Command.make(
  "trigger",
  {
    remote: remoteFlags,
    topic: Argument.String("topic").pipe(
      Argument.withDescription("what happened, e.g. contact.user.created (./dev sim topics lists them)"),
      Argument.optional
    ),
    forwardTo: Flags.url("forward-to").pipe(
      Flag.withDescription(
        "deliver to URL instead of the subscriptions; without --sim, sign and send the topic's fixture directly"
      ),
      Flag.optional
    ),
    overrides: overridesFlag,
    signature: Flags.choice("signature", signatureModes).pipe(
      Flag.withDescription("which signature headers (default: the run's, both when sent directly)"),
      Flag.optional
    ),
    count: Flags.integer("count", { min: 1, max: 10_000 }).pipe(
      Flag.withDescription("how many times (default 1)"),
      Flag.withDefault(1)
    ),
    appId: Flag.String("app-id").pipe(
      Flag.withMetavar("WORKSPACE"),
      Flag.withDescription("the notification's app_id: the workspace a connection carries"),
      Flag.optional
    ),
    clientSecret: Flag.Redacted("client-secret").pipe(
      Flag.withMetavar("SECRET"),
      Flag.withDescription(
        "the key for direct sending (or INTERCOM_CLIENT_SECRET; default: <state-dir>/client-secret of a local run)"
      ),
      Flag.withFallbackConfig(Config.Redacted("INTERCOM_CLIENT_SECRET")),
      Flag.optional
    )
  },
  (flags) =>
    Effect.gen(function* () {
      const { remote } = flags
      if (Option.isNone(flags.topic)) return yield* needsTopic(remote)
      const topic = flags.topic.value
      if (Option.isSome(flags.forwardTo) && !namesSimulator(remote)) {
        const { webhookFixtureTopics } = yield* Effect.promise(() => import("@taskjuice/intercom-core"))
        yield* checkTopic(topic, webhookFixtureTopics())
        const sent = yield* sendFixture({
          topic,
          forwardTo: flags.forwardTo.value,
          overrides: flags.overrides,
          signature: Option.getOrElse(flags.signature, () => "both" as const),
          count: flags.count,
          secret: yield* directSecret(flags.clientSecret, remote.stateDir),
          appId: flags.appId
        })
        return yield* reportNotifications(undefined, "Sent", sent.notifications, sent.answers)
      }
      const admin = yield* adminClient(remote)
      yield* checkTopic(topic, yield* remoteTopics(admin))
      const overrides = [
        ...flags.overrides.map((override) => override.text),
        ...(Option.isSome(flags.appId) ? [`app_id=${JSON.stringify(flags.appId.value)}`] : [])
      ]
      const result = yield* admin.post<{ readonly notifications: ReadonlyArray<Notification> }>(
        "/_sim/trigger",
        {
          topic,
          overrides,
          signature: Option.getOrUndefined(flags.signature),
          forwardTo: Option.getOrUndefined(flags.forwardTo),
          count: flags.count
        }
      )
      yield* reportNotifications(admin, "Triggered", result.notifications)
    })
).pipe(
  Command.withDescription("Cause the event behind a topic and send its webhook"),
  Command.withExamples([
    {
      command: "./dev sim trigger contact.user.created",
      description: "the running simulator creates a contact"
    },
    {
      command: "./dev sim trigger conversation.user.replied --override item.title=Refund --count 3",
      description: "three replies, with a title of your own"
    },
    {
      command:
        "./dev sim trigger contact.user.created --forward-to http://127.0.0.1:3000/webhooks/intercom --client-secret dev --signature sha1",
      description: "no simulator: sign the fixture and send it to a URL"
    }
  ])
)
