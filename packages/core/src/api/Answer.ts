/**
 * Intercom's answers, checked against the Schemas of the fields we rely on (`IntercomObjects`).
 *
 * Those Schemas only check: no field is renamed or converted. A valid answer is therefore passed on
 * as it arrived, neither rebuilt nor copied; only an invalid one is decoded in full, to name each
 * offending field. Every response goes through here, so each check is compiled once.
 */
import type { OperationId, operations } from "@taskjuice/intercom-client"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { decoderOf, issuesOf } from "../internal/schema.ts"

/** A Schema whose decoded value is its input: what an answer is checked against. */
export type AnswerSchema<A> = Schema.Codec<A, A>

/**
 * Every field present, at any depth: the descriptions after 2.11 mark every field optional, and
 * whether a field is there is checked at run time by the answer's Schema.
 */
export type DeepRequired<T> =
  T extends ReadonlyArray<infer Element>
    ? Array<DeepRequired<Element>>
    : T extends object
      ? { [K in keyof T]-?: DeepRequired<T[K]> }
      : T

/** What the generated client says the operation answers with 200, as JSON. */
export type SuccessAnswer<Op extends OperationId> = operations[Op]["responses"] extends {
  readonly 200: { readonly content: { readonly "application/json": infer Body } }
}
  ? Body
  : never

/**
 * Compile-time proof that a Schema of type `A` accepts what the generated client says operation `Op`
 * answers: as a rest parameter it is empty when that holds and asks for an impossible argument when
 * it does not, so a Schema that drifts from a regenerated client fails the typecheck where it is used.
 */
export type AnswerFits<Op extends OperationId, A> =
  DeepRequired<SuccessAnswer<Op>> extends A ? [] : [answerDoesNotFit: never]

/** The answer, typed, or what is wrong with it: `path: message` per issue, `(root)` for the whole. */
export type AnswerCheck<A> = (value: unknown) => Result.Result<A, string>

const build = <A>(schema: AnswerSchema<A>): AnswerCheck<A> => {
  // The decoder first: it has the Schema compiled, for `is` too.
  const decode = decoderOf(schema)
  const isValid = Schema.is(schema)
  return (value) => {
    if (isValid(value)) return Result.succeed(value)
    const decoded = decode(value)
    if (Exit.isSuccess(decoded)) return Result.succeed(decoded.value)
    const issues = issuesOf(decoded.cause)
    if (issues === undefined) return Result.fail(String(decoded.cause))
    return Result.fail(issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; "))
  }
}

const checks = new WeakMap<Schema.Top, AnswerCheck<unknown>>()

/** The check of answers against `schema`, built on first use and kept for the Schema's lifetime. */
export const checkerOf = <A>(schema: AnswerSchema<A>): AnswerCheck<A> => {
  const known = checks.get(schema)
  if (known !== undefined) return known as AnswerCheck<A>
  const check = build(schema)
  checks.set(schema, check as AnswerCheck<unknown>)
  return check
}
