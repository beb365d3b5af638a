/**
 * `intercom/create-company`: creates or updates the company with this company_id (Intercom's
 * upsert), so sending it again is harmless.
 */
import * as Schema from "effect/Schema"
import { Company } from "../api/IntercomObjects.ts"
import { defineCallAction } from "./Action.ts"
import { CustomAttributes, UnixTimestamp } from "./InputFields.ts"

const NonNegativeInt = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2_147_483_647 }))

export const CreateCompanyInput = Schema.Struct({
  company_id: Schema.String.check(Schema.isTrimmed(), Schema.isNonEmpty()).annotate({
    description: "Your id of the company: the upsert key (it cannot be changed later)"
  }),
  name: Schema.optionalKey(Schema.String),
  plan: Schema.optionalKey(Schema.String.annotate({ description: "The name of the company's plan" })),
  website: Schema.optionalKey(Schema.String),
  industry: Schema.optionalKey(Schema.String),
  size: Schema.optionalKey(NonNegativeInt.annotate({ description: "Number of employees" })),
  monthly_spend: Schema.optionalKey(
    NonNegativeInt.annotate({ description: "Revenue per month, whole units (Intercom truncates decimals)" })
  ),
  remote_created_at: Schema.optionalKey(UnixTimestamp),
  custom_attributes: Schema.optionalKey(CustomAttributes)
}).annotate({
  title: "Create or update company",
  description: "Upserts the company with this company_id",
  examples: [
    {
      company_id: "acme-42",
      name: "Acme",
      plan: "enterprise",
      size: 120,
      custom_attributes: { tier: "gold" }
    }
  ]
})
export type CreateCompanyInput = typeof CreateCompanyInput.Type

export const CreateCompany = defineCallAction({
  key: "intercom/create-company",
  title: "Create or update company",
  description: "Creates the company with this company_id, or updates it when it exists.",
  input: CreateCompanyInput,
  output: Company,
  idempotent: true,
  operation: "createOrUpdateCompany",
  send: (input, client, signal) => client.POST("/companies", { body: input, signal })
})
