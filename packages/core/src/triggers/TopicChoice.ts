/**
 * A trigger over several topics, of which a workflow picks one through a single option, or all of
 * them through "both" (the default): contact created (role: user or lead) and conversation created
 * (initiator: contact or admin). One helper derives the option's Schema, the payload's Schema and
 * the activation rule from the topic each choice stands for, so those triggers state only that.
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { notificationEnvelopeWith } from "../webhooks/WebhookEnvelope.ts"
import { defineTrigger, type PlainSchema } from "./Trigger.ts"
import type { WebhookTopic } from "./WebhookTopic.ts"

/**
 * What a topic-choice trigger states: its identity, the option and the topic behind each choice.
 *
 * @since 0.1.0
 * @category models
 */
export interface TopicChoiceSpec<
  Key extends string,
  Option extends string,
  Choice extends string,
  Topic extends Exclude<WebhookTopic, "ping">,
  Item extends PlainSchema
> {
  readonly key: Key
  readonly title: string
  readonly description: string
  /** The option's name, e.g. `role`. */
  readonly option: Option
  /** How a form presents the option. */
  readonly choice: { readonly title: string; readonly description: string }
  /** Each choice with the topic it stands for, in the order a form lists them. */
  readonly topicByChoice: readonly [readonly [Choice, Topic], ...ReadonlyArray<readonly [Choice, Topic]>]
  /** The Intercom object the notifications carry in `data.item`. */
  readonly item: Item
  /** The payload Schema's identifier (its name in the published JSON Schemas). */
  readonly payloadIdentifier: string
}

/**
 * Declares a topic-choice trigger: its choice Schema (each choice, then "both"), its options (the
 * one option, "both" by default), its payload (the envelope with `item`, on exactly those topics)
 * and the trigger, which a notification activates when its topic is the chosen one, or any of them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineTopicChoiceTrigger = <
  const Key extends string,
  const Option extends string,
  const Choice extends string,
  const Topic extends Exclude<WebhookTopic, "ping">,
  Item extends PlainSchema
>(
  spec: TopicChoiceSpec<Key, Option, Choice, Topic, Item>
) => {
  const choices = Arr.map(spec.topicByChoice, ([choice]) => choice)
  const topics = Arr.map(spec.topicByChoice, ([, topic]) => topic)
  const Choice = Schema.Literals([...choices, "both" as const]).annotate({
    default: "both",
    title: spec.choice.title,
    description: spec.choice.description
  })
  const field = Choice.pipe(Schema.withDecodingDefaultKey(Effect.succeed("both" as const)))
  // The one cast: a computed key widens to `string`, while the option's name is known.
  const Options = Schema.Struct({ [spec.option]: field } as { readonly [K in Option]: typeof field })
  const Payload = notificationEnvelopeWith(spec.item, Schema.Literals(topics)).annotate({
    identifier: spec.payloadIdentifier
  })
  const trigger = defineTrigger({
    key: spec.key,
    title: spec.title,
    description: spec.description,
    topics,
    options: Options,
    payload: Payload,
    activates: (topic, options) => {
      const chosen: unknown = Reflect.get(options, spec.option)
      return spec.topicByChoice.some(
        ([choice, each]) => each === topic && (chosen === "both" || chosen === choice)
      )
    }
  })
  return { Choice, Options, Payload, trigger }
}
