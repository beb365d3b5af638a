/**
 * Companies, upserted on `company_id` (the caller's id, which never changes), found by Intercom's id
 * or by `company_id` or name, and paged in creation order.
 */
import * as Effect from "effect/Effect"
import { type InvalidField, missingField, type NotFound, notFound } from "./DomainError.ts"
import { RecordStore } from "./RecordStore.ts"
import type { CompanyRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

/** What `POST /companies` may set. */
export interface CompanyInput {
  readonly company_id?: string | undefined
  readonly name?: string | undefined
  readonly plan?: string | undefined
  readonly size?: number | undefined
  readonly website?: string | undefined
  readonly industry?: string | undefined
  readonly remote_created_at?: number | undefined
  readonly monthly_spend?: number | undefined
  readonly custom_attributes?: Readonly<Record<string, string | number | boolean | null>> | undefined
}

export class CompanyStore extends RecordStore<CompanyRecord> {
  private readonly workspace: Workspace
  private readonly byCompanyId = new Map<string, string>()

  constructor(workspace: Workspace) {
    super("company")
    this.workspace = workspace
    const stored = [...(workspace.persistence.load("company") as ReadonlyArray<CompanyRecord>)]
    stored.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
    // State files written before monthly_spend defaulted to 0 may hold null.
    for (const company of stored) this.index({ ...company, monthly_spend: company.monthly_spend ?? 0 })
  }

  /** By the caller's own `company_id`. */
  getByCompanyId(companyId: string): Effect.Effect<CompanyRecord, NotFound> {
    const id = this.byCompanyId.get(companyId)
    const company = id === undefined ? undefined : this.byId.get(id)
    return company === undefined ? Effect.fail(notFound("company", companyId)) : Effect.succeed(company)
  }

  /** By name (Intercom's `GET /companies?name=`): the first company of that name. */
  getByName(name: string): Effect.Effect<CompanyRecord, NotFound> {
    for (const company of this.byId.values()) if (company.name === name) return Effect.succeed(company)
    return Effect.fail(notFound("company", name))
  }

  /** Creates the company, or updates the one with that `company_id`. */
  upsert(
    input: CompanyInput
  ): Effect.Effect<{ readonly company: CompanyRecord; readonly created: boolean }, InvalidField> {
    return Effect.suspend(() => {
      const now = this.workspace.nowSeconds()
      const existingId = input.company_id === undefined ? undefined : this.byCompanyId.get(input.company_id)
      const existing = existingId === undefined ? undefined : this.byId.get(existingId)
      if (existing === undefined && input.company_id === undefined && input.name === undefined) {
        return Effect.fail(missingField("company_id", "company_id or name is required"))
      }
      const company: CompanyRecord = existing ?? {
        id: this.workspace.nextObjectId(),
        company_id: input.company_id ?? this.workspace.hex(12),
        name: input.name ?? "",
        plan: null,
        size: null,
        website: null,
        industry: null,
        custom_attributes: {},
        remote_created_at: null,
        monthly_spend: 0,
        created_at: now,
        updated_at: now,
        last_request_at: null,
        session_count: 0
      }
      if (input.name !== undefined) company.name = input.name
      if (input.plan !== undefined) company.plan = input.plan
      if (input.size !== undefined) company.size = input.size
      if (input.website !== undefined) company.website = input.website
      if (input.industry !== undefined) company.industry = input.industry
      if (input.remote_created_at !== undefined) company.remote_created_at = input.remote_created_at
      // Intercom keeps monthly_spend as an integer.
      if (input.monthly_spend !== undefined) company.monthly_spend = Math.trunc(input.monthly_spend)
      if (input.custom_attributes !== undefined) {
        company.custom_attributes = { ...company.custom_attributes, ...input.custom_attributes }
      }
      company.updated_at = now
      this.index(company)
      this.workspace.persistence.save("company", company.id, company)
      if (existing === undefined) this.workspace.emit({ type: "company.created", company })
      return Effect.succeed({ company, created: existing === undefined })
    })
  }

  /** A contact of the company was active now (`last_request_at`). */
  recordRequest(company: CompanyRecord): void {
    company.last_request_at = this.workspace.nowSeconds()
    this.workspace.persistence.save("company", company.id, company)
  }

  private index(company: CompanyRecord): void {
    this.put(company)
    this.byCompanyId.set(company.company_id, company.id)
  }
}
