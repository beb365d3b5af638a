/**
 * The Intercom half of the testkit (it needs the generated client, so the CLI harness and the rest of
 * `@taskjuice/intercom-testkit` stay usable before anything is generated): the API fixtures and
 * Intercom's budget for the recording server.
 */

export { type Budget, type BudgetOptions, intercomBudget } from "./Budget.ts"
export * from "./Fixtures.ts"
