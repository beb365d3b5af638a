/**
 * `intercom/list-tags`: every tag of the workspace (Intercom does not paginate tags).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { IntercomApi } from "../api/IntercomApi.ts"
import { Tag } from "../api/IntercomObjects.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { defineAction } from "./Action.ts"

/**
 * No input: an empty JSON object. A record of nothing rather than `Schema.Struct({})`, which would
 * accept any non-null value (fields and all) and publish `{ not: { type: "null" } }` instead of an
 * object that takes no fields.
 */
export const ListTagsInput = Schema.Record(Schema.String, Schema.Never).annotate({
  title: "List tags",
  description: "No input"
})

export const TagList = Schema.Struct({ tags: Schema.Array(Tag) }).annotate({
  title: "Tags",
  description: "Every tag of the workspace"
})
export type TagList = typeof TagList.Type

/** Intercom's `tag_list` answer. */
const TagListAnswer = Schema.Struct({ data: Schema.Array(Tag) }).annotate({ title: "Tag list answer" })

export const ListTags = defineAction({
  key: "intercom/list-tags",
  title: "List tags",
  description: "Lists every tag of the workspace.",
  input: ListTagsInput,
  output: TagList,
  idempotent: true,
  retry: RetryPolicy.transient,
  operations: ["listTags"],
  run: () =>
    IntercomApi.use((api) =>
      Effect.map(
        api.call({ operation: "listTags", idempotent: true, answer: TagListAnswer }, (client, signal) =>
          client.GET("/tags", { signal })
        ),
        (answer) => ({ tags: answer.data })
      )
    )
})
