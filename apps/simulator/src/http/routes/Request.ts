/**
 * What handlers read from a request beyond its JSON body: path parameters (named as the route table
 * names them), integer query values, and the request version's schemas for bodies a handler checks
 * itself.
 */
import { type InvalidField, invalidField } from "../../domain/DomainError.ts"
import type { FieldProblem } from "../../spec/SpecSchemas.ts"
import type { ApiCall } from "../ApiPipeline.ts"

export const param = (call: ApiCall, name: string): string => call.params[name] ?? ""

export const integerQuery = (call: ApiCall, name: string): number | InvalidField | undefined => {
  const value = call.query.get(name)
  if (value === null) return undefined
  if (!/^\d+$/.test(value)) return invalidField(name, `${name} must be an integer`)
  return Number(value)
}

/** Checks a value against a named component schema of the request's version. */
export const schemaValidator =
  (call: ApiCall) =>
  (name: string, value: unknown, at: string): FieldProblem | undefined =>
    call.spec!.schemas.validateComponent(name, value, at)
