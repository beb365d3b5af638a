/**
 * What every store of one simulated workspace shares: the workspace itself, the clock (Effect's
 * `Clock`, so tests run on `TestClock`), the seeded ids, the state file and the change listeners
 * webhooks come from. Counters live in one meta record, so ids continue where a state file left off.
 */
import type { Random } from "../Random.ts"
import type { StateChange, WorkspaceRecord } from "./Records.ts"
import type { Persistence } from "./StateFile.ts"

interface Meta {
  workspace: WorkspaceRecord
  sequence: number
}

export class Workspace {
  readonly persistence: Persistence
  private readonly random: Random
  private readonly nowMillis: () => number
  private readonly listeners = new Set<(change: StateChange) => void>()
  private readonly meta: Meta
  /** Whether the state file held this workspace already (so the defaults are not seeded again). */
  readonly restored: boolean

  constructor(options: {
    readonly random: Random
    readonly now: () => number
    readonly persistence: Persistence
  }) {
    this.random = options.random
    this.nowMillis = options.now
    this.persistence = options.persistence
    const stored = this.persistence.load("meta")[0] as Meta | undefined
    this.restored = stored !== undefined
    this.meta = stored ?? {
      workspace: {
        id_code: this.random.alphanumeric(8),
        name: "Simulated Intercom workspace",
        region: "US",
        timezone: "Europe/London",
        created_at: this.nowSeconds()
      },
      sequence: 1000
    }
    if (stored === undefined) this.saveMeta()
  }

  get record(): WorkspaceRecord {
    return this.meta.workspace
  }

  nowMillisUnsafe(): number {
    return this.nowMillis()
  }

  nowSeconds(): number {
    return Math.floor(this.nowMillis() / 1000)
  }

  /** Numeric ids (conversations, parts, messages, tags, admins) from one growing sequence. */
  nextNumericId(): string {
    this.meta.sequence += 1 + this.random.int(7)
    this.saveMeta()
    return String(this.meta.sequence)
  }

  /** 24-hex ids shaped like Intercom's ObjectIds: creation second, then random bytes. */
  nextObjectId(): string {
    return this.nowSeconds().toString(16).padStart(8, "0") + this.random.hex(16)
  }

  /** `length` random hex digits (tokens, codes, generated company ids). */
  hex(length: number): string {
    return this.random.hex(length)
  }

  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(change: StateChange): void {
    for (const listener of this.listeners) listener(change)
  }

  private saveMeta(): void {
    this.persistence.save("meta", "meta", this.meta)
  }
}
