/**
 * Compile-time checks (run by `pnpm typecheck`): `IntercomApi.call` accepts an answer Schema only
 * when it fits what the generated client says the operation answers.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { objectPath } from "../src/api/ApiVersion.ts"
import { IntercomApi } from "../src/api/IntercomApi.ts"
import { Contact, Tag } from "../src/api/IntercomObjects.ts"

export const checks = IntercomApi.use((api) =>
  Effect.all([
    // Fits: a contact is what ShowContact answers.
    api.call({ operation: "ShowContact", idempotent: true, answer: Contact }, (client, signal) => {
      const path = objectPath("ShowContact", "63a07ddf05a32042dffac965")
      return client.GET(path.url, { params: { path: path.parameters }, signal })
    }),
    // @ts-expect-error listTags answers a tag list, not a single tag
    api.call({ operation: "listTags", idempotent: true, answer: Tag }, (client, signal) =>
      client.GET("/tags", { signal })
    ),
    // @ts-expect-error a contact's id is a string, so a Schema that wants a number does not fit
    api.call(
      { operation: "ShowContact", idempotent: true, answer: Schema.Struct({ id: Schema.Finite }) },
      (client, signal) => {
        const path = objectPath("ShowContact", "63a07ddf05a32042dffac965")
        return client.GET(path.url, { params: { path: path.parameters }, signal })
      }
    )
  ])
)
