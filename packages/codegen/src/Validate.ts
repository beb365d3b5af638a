/**
 * Proves a (patched) description is valid OpenAPI before anything is generated from it:
 * the structure against the OpenAPI schema, every `$ref` resolvable, operationIds unique.
 */
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from "@redocly/openapi-core"
import { atPointer } from "./SpecRefs.ts"

export interface Problem {
  readonly rule: string
  readonly message: string
  readonly pointer: string
}

export class InvalidOpenApiDocument extends Error {
  readonly _tag = "InvalidOpenApiDocument"
  readonly problems: ReadonlyArray<Problem>
  constructor(label: string, problems: ReadonlyArray<Problem>) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p.pointer}: ${p.message} (${p.rule})`)
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : []
    super([`${label} is not valid OpenAPI (${problems.length} problems):`, ...shown, ...more].join("\n"))
    this.problems = problems
  }
}

const rules = {
  struct: "error",
  "no-unresolved-refs": "error",
  "operation-operationId-unique": "error",
  "path-params-defined": "error",
  "no-identical-paths": "error"
} as const

/**
 * OpenAPI 3.0.3 defines `nullable` without `type` as having no effect, not as an error; Intercom's
 * descriptions do it in dozens of schemas outside our operations. Our overlays never rely on it.
 */
const isNoEffectNullable = (message: string): boolean =>
  message.startsWith("The `type` field must be defined when the `nullable` field is used")

/** The linter says only "Can't resolve $ref"; name the reference, so the fix is obvious. */
const withTarget = (document: object, rule: string, message: string, pointer: string): string => {
  if (rule !== "no-unresolved-refs") return message
  const node = atPointer(document, pointer) as { $ref?: unknown } | undefined
  return typeof node?.$ref === "string" ? `${message} ${node.$ref}` : message
}

export const findProblems = async (document: object): Promise<ReadonlyArray<Problem>> => {
  const config = await createConfig({ rules })
  const source = makeDocumentFromString(JSON.stringify(document), "/intercom.json")
  const problems = await lintDocument({
    document: source,
    config: config.styleguide,
    externalRefResolver: new BaseResolver()
  })
  return problems
    .filter((problem) => problem.severity === "error" && !isNoEffectNullable(problem.message))
    .map((problem) => {
      const pointer = problem.location[0]?.pointer ?? "#"
      return {
        rule: problem.ruleId,
        message: withTarget(document, problem.ruleId, problem.message, pointer),
        pointer
      }
    })
}

export const assertValidOpenApi = async (document: object, label: string): Promise<void> => {
  const problems = await findProblems(document)
  if (problems.length > 0) throw new InvalidOpenApiDocument(label, problems)
}
