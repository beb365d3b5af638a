/**
 * The serialized answers of records that have not changed since they were last shown, per operation
 * and version: a record read again and again (a workflow polling a contact) is viewed, shaped and
 * serialized once per change. Entries live as long as their record does (a `WeakMap` on it), and a
 * record's store says when it changed (its revision).
 */
export class AnswerCache<R extends object> {
  private readonly entries = new WeakMap<
    R,
    Map<string, { readonly revision: number; readonly text: string }>
  >()

  /** The answer for `key` (operation and version) at this revision, built when there is none yet. */
  text(record: R, revision: number, key: string, build: () => string): string {
    let answers = this.entries.get(record)
    if (answers === undefined) {
      answers = new Map()
      this.entries.set(record, answers)
    }
    const known = answers.get(key)
    if (known !== undefined && known.revision === revision) return known.text
    const text = build()
    answers.set(key, { revision, text })
    return text
  }
}
