/**
 * The shapes of Intercom's ids, as its API issues them and its examples show them: the one home of
 * that fact. Ids go into request paths, so an id that is not of its kind's shape (`.`, `..`, a slash,
 * whitespace) is refused before anything is sent; it could otherwise reach another Intercom path
 * (`conversation_id: ".."` would post to `/reply`).
 */

/** The kinds of id that name a resource in a path, or route a webhook. */
export type IntercomIdKind =
  | "contact"
  | "company"
  | "conversation"
  | "admin"
  | "tag"
  | "workspace"
  | "notification"

/** One regular expression per kind, anchored. */
export const intercomIdShapes: Readonly<Record<IntercomIdKind, RegExp>> = {
  /** e.g. `667d60968a68186f43bafd9c`: 24 lowercase hex digits. */
  contact: /^[0-9a-f]{24}$/,
  /** Intercom's own company id, e.g. `667d607c8a68186f43bafd1e` (not the `company_id` you choose). */
  company: /^[0-9a-f]{24}$/,
  /** e.g. `335`. */
  conversation: /^[0-9]{1,20}$/,
  /** e.g. `991267390`. */
  admin: /^[0-9]{1,20}$/,
  /** e.g. `102`. */
  tag: /^[0-9]{1,20}$/,
  /** A workspace's `app.id_code` (the webhook's `app_id`), e.g. `ecahpwf5`. */
  workspace: /^[a-z0-9_]{1,64}$/,
  /** A notification's id, e.g. `notif_9b1f8a9c-…`. */
  notification: /^notif_[A-Za-z0-9_-]{1,64}$/
}

/** How each shape reads in an error message. */
export const intercomIdDescriptions: Readonly<Record<IntercomIdKind, string>> = {
  contact: "24 lowercase hex digits, e.g. 667d60968a68186f43bafd9c",
  company: "24 lowercase hex digits, e.g. 667d607c8a68186f43bafd1e",
  conversation: "digits, e.g. 335",
  admin: "digits, e.g. 991267390",
  tag: "digits, e.g. 102",
  workspace: "lowercase letters, digits and underscores, e.g. ecahpwf5",
  notification: "notif_ followed by letters, digits, - or _"
}

/** Whether `value` is an id of that kind. */
export const isIntercomId = (kind: IntercomIdKind, value: string): boolean =>
  intercomIdShapes[kind].test(value)

/**
 * Whether `value` can stand as one path segment as it is: none of `.`, `..`, a slash, a backslash, `?`,
 * `#`, `%` or whitespace. Every id shape above passes; this is the floor for anything else put in a path.
 */
export const isPathSegmentSafe = (value: string): boolean =>
  value !== "" && value !== "." && value !== ".." && !/[\s/\\?#%]/.test(value)
