/**
 * The rest of the workspace a workflow touches: companies (upsert, find by id or `company_id`, list),
 * tags (list, find, create and rename), admins (list, find) and `GET /me`.
 */
import * as Effect from "effect/Effect"
import { isObject } from "effect/Predicate"
import type { CompanyInput } from "../../domain/CompanyStore.ts"
import { missingField } from "../../domain/DomainError.ts"
import type { CompanyRecord } from "../../domain/Records.ts"
import type { WorkspaceStore } from "../../domain/WorkspaceStore.ts"
import type { ApiHandler } from "../ApiPipeline.ts"
import { NotImplemented } from "../IntercomErrors.ts"
import {
  adminListView,
  adminView,
  adminWithAppView,
  companyListView,
  companyView,
  tagListView,
  tagView
} from "../Views.ts"
import { listOf, pageRequest } from "./Lists.ts"
import { param } from "./Request.ts"

const companiesPerPage = 15

export const workspaceHandlers = (store: WorkspaceStore): Record<string, ApiHandler> => ({
  createOrUpdateCompany: {
    handle: (call) =>
      Effect.map(store.companies.upsert(call.body as CompanyInput), ({ company }) => ({
        body: companyView(store, company)
      }))
  },
  RetrieveACompanyById: {
    handle: (call) =>
      Effect.map(store.companies.get(param(call, "company_id")), (company) => ({
        body: companyView(store, company)
      }))
  },
  /** `GET /companies`: one company by `company_id` or `name`, else the list. */
  /** `GET /companies`: the company with that `company_id` or `name` (a list, as the description has it), else all. */
  retrieveCompany: {
    handle: (call) => {
      const companyId = call.query.get("company_id")
      const name = call.query.get("name")
      const one = (company: CompanyRecord) => ({
        body: companyListView(store, {
          data: [company],
          totalCount: 1,
          page: 1,
          perPage: companiesPerPage,
          totalPages: 1,
          startingAfter: null
        })
      })
      if (companyId !== null) return Effect.map(store.companies.getByCompanyId(companyId), one)
      if (name !== null) return Effect.map(store.companies.getByName(name), one)
      return pageRequest(call, { perPage: companiesPerPage }).pipe(
        Effect.flatMap((request) => store.companies.list(request)),
        Effect.map((page) => ({ body: companyListView(store, page) }))
      )
    }
  },
  listAllCompanies: listOf(store.companies, companiesPerPage, (_call, page) => companyListView(store, page)),
  listTags: {
    handle: () => Effect.succeed({ body: tagListView([...store.tags.values()].map((tag) => tagView(tag))) })
  },
  findTag: {
    handle: (call) => Effect.map(store.tags.get(param(call, "tag_id")), (tag) => ({ body: tagView(tag) }))
  },
  /** `POST /tags` creates or renames a tag; tagging companies or users through it is not simulated. */
  createTag: {
    handle: (call) => {
      const request = isObject(call.body) ? call.body : {}
      if ("companies" in request || "users" in request) {
        return Effect.fail(
          new NotImplemented({
            operationId: "createTag (tagging companies or users)",
            method: call.route.method,
            path: call.route.template,
            reason: "NotRetryable"
          })
        )
      }
      if (typeof request.name !== "string") return Effect.fail(missingField("name"))
      const id = typeof request.id === "string" ? request.id : undefined
      // 2.16's example answers with whom the request tagged too: nobody, for a create or rename.
      return Effect.map(store.tags.createOrUpdate({ name: request.name, id }), (tag) => ({
        body: { ...tagView(tag), users: [], companies: [] }
      }))
    }
  },
  identifyAdmin: {
    handle: () => Effect.succeed({ body: adminWithAppView(store, store.defaultAdmin) })
  },
  listAdmins: {
    handle: () => Effect.succeed({ body: adminListView(store.admins.values()) })
  },
  retrieveAdmin: {
    handle: (call) =>
      Effect.map(store.admins.get(param(call, "admin_id")), (admin) => ({ body: adminView(admin) }))
  }
})
