/**
 * Compile-time checks (run by `pnpm typecheck`, for whichever version the client was generated for):
 * `objectPath` takes only operations whose path names one object, so the parameter name it reads
 * from the path template is the generated type's.
 */
import { objectPath, type SingleIdOperation } from "../src/api/ApiVersion.ts"

/** The operations the actions send an id in the path of. */
export const used: ReadonlyArray<SingleIdOperation> = ["ShowContact", "UpdateContact", "replyConversation"]

// @ts-expect-error ListContacts has no path parameter
export const none = objectPath("ListContacts", "1")

// @ts-expect-error detachTagFromContact's path names two objects (the contact and the tag)
export const two = objectPath("detachTagFromContact", "1")
