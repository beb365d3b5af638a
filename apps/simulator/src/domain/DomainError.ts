/**
 * What the simulated workspace refuses, in its own terms: a record that does not exist, a second
 * contact with the same identity, a field whose value Intercom's rules refuse. Each says whether
 * trying again can help (never: the request must change). `http/IntercomErrors.ts` turns them into
 * Intercom's `error.list`, in one place.
 */
import * as Data from "effect/Data"
import type { FieldProblem } from "../spec/SpecSchemas.ts"

export type Resource = "contact" | "conversation" | "company" | "tag" | "admin"

/** No record of that kind with that id. */
export class NotFound extends Data.TaggedError("NotFound")<{
  readonly resource: Resource
  readonly id: string
  readonly reason: "NotRetryable"
}> {
  override get message(): string {
    return `No ${this.resource} with id "${this.id}"`
  }
}

export const notFound = (resource: Resource, id: string): NotFound =>
  new NotFound({ resource, id, reason: "NotRetryable" })

/** Intercom keeps one user per email and one contact per external_id. */
export class Conflict extends Data.TaggedError("Conflict")<{
  readonly existingId: string
  readonly field: "email" | "external_id"
  readonly reason: "NotRetryable"
}> {
  override get message(): string {
    return `A contact matching those details already exists with id=${this.existingId}`
  }
}

/** A field is missing (`parameter_not_found`) or holds a value Intercom refuses (`parameter_invalid`). */
export class InvalidField extends Data.TaggedError("InvalidField")<{
  /** The field's path in the request: `role`, `query.value[1].operator`. */
  readonly field: string
  readonly problem: "missing" | "invalid"
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

export const invalidField = (field: string, message: string): InvalidField =>
  new InvalidField({ field, problem: "invalid", message, reason: "NotRetryable" })

export const missingField = (field: string, message = `${field} is required`): InvalidField =>
  new InvalidField({ field, problem: "missing", message, reason: "NotRetryable" })

/** What a description's validator found wrong with a value, as the domain's refusal. */
export const fromSchemaProblem = (problem: FieldProblem): InvalidField =>
  new InvalidField({
    field: problem.field,
    problem: problem.code === "parameter_not_found" ? "missing" : "invalid",
    message: problem.message,
    reason: "NotRetryable"
  })

/** The request names records that exist but cannot go together (a reply by someone not in the conversation). */
export class NotAllowed extends Data.TaggedError("NotAllowed")<{
  readonly field: string
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

export type DomainError = NotFound | Conflict | InvalidField | NotAllowed
