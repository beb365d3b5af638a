/**
 * The manifest: everything TaskJuice needs to list, configure and call this app, generated from the
 * core's declarations (actions, triggers, webhook rules) and the client's pins (API version, hosts).
 * Nothing in it is written by hand: JSON Schemas come from the Effect Schemas, samples from the
 * core's fixtures, the error catalogue from `StepError`.
 */
import { apiHosts, apiVersion, oauthAuthorizeUrls, type Region, regions } from "@taskjuice/intercom-client"
import {
  type AnyActionDefinition,
  type AnyTrigger,
  actions,
  defaultDedupeWindow,
  inputJsonSchemaOptions,
  triggers
} from "@taskjuice/intercom-core"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { defaultLimits } from "./http/Limits.ts"
import { oauthEndpoints } from "./OAuth.ts"
import {
  type Json,
  type StepErrorCodeDescription,
  stepErrorCatalogue,
  stepErrorHttpStatus,
  webhookFailureOrder
} from "./StepError.ts"

export type JsonSchema = { readonly [key: string]: Json }

export interface ManifestAction {
  readonly key: string
  readonly title: string
  readonly description: string
  readonly idempotent: boolean
  /** How the action retries inside the step before it fails with a step error. */
  readonly retry: { readonly policy: string; readonly description: string }
  /** The Intercom operationIds it may call. */
  readonly operations: ReadonlyArray<string>
  readonly input: JsonSchema
  readonly output: JsonSchema
}

export interface ManifestTrigger {
  readonly key: string
  readonly title: string
  readonly description: string
  readonly topics: ReadonlyArray<string>
  readonly options: JsonSchema
  readonly payload: JsonSchema
  /** A realistic activation payload (a whole notification envelope). */
  readonly sample: Json
}

export interface ManifestRegion {
  readonly region: Region
  readonly authorizeUrl: string
  readonly tokenUrl: string
  readonly apiBaseUrl: string
}

export interface Manifest {
  readonly manifestVersion: 1
  readonly app: {
    readonly key: "intercom"
    readonly name: "Intercom"
    readonly summary: string
    /** The `Intercom-Version` every request sends. */
    readonly intercomApiVersion: string
  }
  readonly connection: {
    readonly type: "oauth2"
    readonly grant: "authorization_code"
    readonly refresh: false
    readonly tokenExpires: false
    readonly scopes: string
    readonly tokenRequest: string
    readonly identity: string
    readonly revoke: string
    readonly regions: ReadonlyArray<ManifestRegion>
  }
  readonly webhook: {
    readonly scope: "app"
    readonly path: string
    readonly methods: ReadonlyArray<string>
    readonly signature: {
      readonly header: string
      readonly algorithm: string
      readonly alsoAccepted: { readonly header: string; readonly algorithm: string }
      readonly key: string
    }
    readonly bodyLimitBytes: number
    readonly dedupe: string
    readonly responses: ReadonlyArray<{ readonly status: number; readonly when: string }>
  }
  readonly errors: ReadonlyArray<StepErrorCodeDescription>
  readonly actions: ReadonlyArray<ManifestAction>
  readonly triggers: ReadonlyArray<ManifestTrigger>
}

const draft202012 = "https://json-schema.org/draft/2020-12/schema"

/** A self-contained draft 2020-12 JSON Schema of the JSON form of `schema`. */
export const jsonSchemaOf = (schema: Schema.Top, options?: Schema.ToJsonSchemaOptions): JsonSchema => {
  const document = Schema.toJsonSchemaDocument(schema, options)
  const definitions = document.definitions as JsonSchema
  return {
    $schema: draft202012,
    ...(document.schema as JsonSchema),
    ...(Object.keys(definitions).length === 0 ? {} : { $defs: definitions })
  }
}

const describeAction = (action: AnyActionDefinition): ManifestAction => ({
  key: action.key,
  title: action.title,
  description: action.description,
  idempotent: action.idempotent,
  retry: { policy: action.retry.name, description: action.retry.description },
  operations: action.operations,
  input: jsonSchemaOf(action.input, inputJsonSchemaOptions),
  output: jsonSchemaOf(action.output)
})

const describeTrigger = (trigger: AnyTrigger): ManifestTrigger => ({
  key: trigger.key,
  title: trigger.title,
  description: trigger.description,
  topics: trigger.topics,
  options: jsonSchemaOf(trigger.options),
  payload: jsonSchemaOf(trigger.payload),
  sample: Schema.encodeUnknownSync(trigger.payload)(trigger.sample) as Json
})

export const webhookPath = "/webhooks/intercom"

/** The webhook endpoint's answers, in the order the endpoint checks them (statuses from the error table). */
export const webhookResponses: ReadonlyArray<{ readonly status: number; readonly when: string }> = [
  ...webhookFailureOrder.map(({ code, when }) => ({
    status: stepErrorHttpStatus[code],
    when: `${code}: ${when}`
  })),
  {
    status: 200,
    when: "accepted: activations produced, or nothing to do (ping, repeated delivery, unknown topic, unknown workspace); never 410, which would make Intercom disable the subscription"
  }
]

export const makeManifest = (): Manifest => ({
  manifestVersion: 1,
  app: {
    key: "intercom",
    name: "Intercom",
    summary:
      "Create, get, update and list contacts; start conversations; reply as an admin or as the contact; create or update companies; list tags; and start workflows when conversations start, contacts reply or contacts are created.",
    intercomApiVersion: apiVersion
  },
  connection: {
    type: "oauth2",
    grant: "authorization_code",
    refresh: false,
    tokenExpires: false,
    scopes: "Chosen on TaskJuice's OAuth app in Intercom's Developer Hub; the authorize request sends none.",
    tokenRequest:
      "POST with client_id, client_secret and code; the answer's access_token (or token) is the connection's token.",
    identity:
      "GET /me after the exchange records the workspace (app.id_code, which webhooks carry as app_id), its name, the admin's email and app.region, and pins the region's API host.",
    revoke:
      "In Intercom: Settings → Apps → Authorized apps → remove TaskJuice. A revoked token fails steps with AUTH_REVOKED.",
    regions: regions.map((region) => {
      const endpoints = oauthEndpoints(region)
      return {
        region,
        authorizeUrl: oauthAuthorizeUrls[region],
        tokenUrl: endpoints.tokenUrl,
        apiBaseUrl: apiHosts[region]
      }
    })
  },
  webhook: {
    scope: "app",
    path: webhookPath,
    methods: ["POST", "HEAD"],
    signature: {
      header: "X-Hub-Signature",
      algorithm: "HMAC-SHA1 of the raw body, hex, as sha1=<hex>",
      alsoAccepted: {
        header: "X-Hub-Signature-256",
        algorithm: "HMAC-SHA256 of the raw body, hex, as sha256=<hex>"
      },
      key: "the OAuth app's client secret"
    },
    bodyLimitBytes: defaultLimits.bodyBytes,
    dedupe: `by notification id, remembered for ${Duration.format(defaultDedupeWindow)}`,
    responses: webhookResponses
  },
  errors: stepErrorCatalogue,
  actions: actions.map(describeAction),
  triggers: triggers.map(describeTrigger)
})
