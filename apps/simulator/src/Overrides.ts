/**
 * `--override path=value` for triggered notifications, as the Stripe CLI's `--override`: the path is
 * dotted from the envelope's root (`data.item.email`, `data.item.tags.tags[0].name`), `item.` is
 * short for `data.item.`, and the value is JSON when it parses as JSON (`42`, `true`, `null`,
 * `"007"`, `{"a":1}`), text otherwise.
 */
import * as Data from "effect/Data"

export interface Override {
  readonly path: ReadonlyArray<string | number>
  readonly value: unknown
  readonly text: string
}

/** An override that cannot be read or applied; the message shows the syntax. */
export class OverrideError extends Data.TaggedError("OverrideError")<{
  readonly input: string
  readonly message: string
  readonly reason: "NotRetryable"
}> {}

const example = "--override data.item.email=maya@example.com (or item.email=…; values are JSON or text)"

const fail = (input: string, why: string): never => {
  throw new OverrideError({
    input,
    message: `Invalid override "${input}": ${why}. Example: ${example}`,
    reason: "NotRetryable"
  })
}

const parsePath = (input: string, text: string): Array<string | number> => {
  const expanded = text.startsWith("item.") ? `data.${text}` : text
  const path: Array<string | number> = []
  for (const part of expanded.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (match === null || (match[1] === "" && match[2] === ""))
      return fail(input, `"${part}" is not a path segment`)
    if (match[1] !== "") path.push(match[1]!)
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]))
  }
  return path
}

export const parseOverride = (input: string): Override => {
  const equals = input.indexOf("=")
  if (equals <= 0) return fail(input, "expected path=value")
  const raw = input.slice(equals + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // not JSON: keep the text as given
  }
  return { path: parsePath(input, input.slice(0, equals).trim()), value, text: input }
}

type Container = Record<string | number, unknown>

const isContainer = (value: unknown): value is Container => typeof value === "object" && value !== null

/** A copy of `target` with every override applied; missing objects on the way are created. */
export const applyOverrides = <T>(target: T, overrides: ReadonlyArray<Override>): T => {
  if (overrides.length === 0) return target
  const copy = structuredClone(target)
  for (const override of overrides) {
    let node: unknown = copy
    for (const [index, key] of override.path.entries()) {
      if (!isContainer(node))
        fail(override.text, `${override.path.slice(0, index).join(".")} is not an object`)
      const container = node as Container
      if (index === override.path.length - 1) {
        container[key] = override.value
        break
      }
      if (!isContainer(container[key]))
        container[key] = typeof override.path[index + 1] === "number" ? [] : {}
      node = container[key]
    }
  }
  return copy
}
