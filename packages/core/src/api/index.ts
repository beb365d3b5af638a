export * as ApiVersion from "./ApiVersion.ts"
export {
  type CallOptions,
  defaultRequestTimeout,
  type FetchResult,
  IntercomApi,
  type IntercomApiOptions,
  type IntercomApiShape,
  workspaceKeyOf
} from "./IntercomApi.ts"
export {
  Conflict,
  Decode,
  Forbidden,
  IntercomError,
  type IntercomErrorReason,
  Invalid,
  NotFound,
  RateLimited,
  reasonFromResponse,
  Server,
  Transport,
  Unauthorized,
  UnexpectedStatus,
  VersionUnsupported
} from "./IntercomError.ts"
export {
  Company,
  Contact,
  Conversation,
  ConversationPart,
  CustomAttributes,
  Message,
  Tag
} from "./IntercomObjects.ts"
export { RateLimiter, type RateLimiterShape } from "./RateLimiter.ts"
export {
  RateLimitStore,
  RateLimitStoreError,
  type RateLimitStoreShape,
  type RateLimitWindow
} from "./RateLimitStore.ts"
export * as RetryPolicy from "./RetryPolicy.ts"
