/**
 * Intercom's API as routes: one per operation of the pinned descriptions (`RouteTable.ts`), each run
 * through the one pipeline (`ApiPipeline.ts`) to the handler of its operationId. An operation without
 * a handler answers that the simulator does not implement it (after auth and the rate limit, as any
 * answer of Intercom's would), never a 404 that looks like a missing record. To serve a new
 * operation, add a handler for its operationId to one of `routes/`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import type { OperationTables } from "../spec/Descriptions.ts"
import { type ApiHandler, makeApiPipeline, type PipelineContext } from "./ApiPipeline.ts"
import { MethodNotAllowed, RouteNotFound } from "./IntercomErrors.ts"
import { routeTable } from "./RouteTable.ts"
import { contactHandlers } from "./routes/Contacts.ts"
import { conversationHandlers } from "./routes/Conversations.ts"
import { workspaceHandlers } from "./routes/Workspace.ts"

/** Every operation the twin serves, by operationId. */
export const apiHandlers = (store: WorkspaceStore): ReadonlyMap<string, ApiHandler> =>
  new Map(
    Object.entries({
      ...contactHandlers(store),
      ...conversationHandlers(store),
      ...workspaceHandlers(store)
    })
  )

const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const

export const apiRoutes = (
  tables: OperationTables,
  context: PipelineContext
): ReadonlyArray<HttpRouter.Route<never, never>> => {
  const pipeline = makeApiPipeline(context)
  const table = routeTable(tables)
  const routes: Array<HttpRouter.Route<never, never>> = table.map((route) =>
    HttpRouter.route(
      route.method as (typeof methods)[number],
      route.routerPath,
      // Both from the fiber's context in one step (two `flatMap`s over the services cost a frame each).
      Effect.withFiber((fiber) =>
        pipeline.handle(
          route,
          Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest),
          Context.getUnsafe(fiber.context, HttpRouter.RouteContext).params
        )
      )
    )
  )
  // A path Intercom has, asked with a method it does not take: 405 naming the ones it does.
  const byPath = new Map<string, Array<string>>()
  for (const route of table)
    byPath.set(route.routerPath, [...(byPath.get(route.routerPath) ?? []), route.method])
  for (const [path, allowed] of byPath) {
    for (const method of methods) {
      if (allowed.includes(method)) continue
      routes.push(
        HttpRouter.route(
          method,
          path as `/${string}`,
          Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
            pipeline.unrouted(request, new MethodNotAllowed({ allowed, reason: "NotRetryable" }))
          )
        )
      )
    }
  }
  routes.push(
    HttpRouter.route(
      "*",
      "*",
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        pipeline.unrouted(request, new RouteNotFound({ reason: "NotRetryable" }))
      )
    )
  )
  return routes
}
