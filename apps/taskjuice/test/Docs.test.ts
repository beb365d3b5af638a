/**
 * The generated page says everything TaskJuice's own published page for this integration says
 * (`../shared/taskjuice/intercom-doc-page.txt`), corrected where Intercom differs. Each statement of
 * that page is one check here, which fails if the page drops it.
 */
import { apiVersion } from "@taskjuice/intercom-client"
import { assert, describe, it } from "vitest"
import { intercomOAuthGuideUrl, renderDocs } from "../src/Docs.ts"
import { makeManifest } from "../src/Manifest.ts"

const manifest = makeManifest()
const page = renderDocs(manifest)

/** The text under a `## ` heading, up to the next one. */
const section = (heading: string): string => {
  const start = page.indexOf(`\n## ${heading}\n`)
  assert.isAtLeast(start, 0, `no section "${heading}"`)
  const end = page.indexOf("\n## ", start + 1)
  return page.slice(start, end === -1 ? undefined : end)
}

/** The text of one action's or trigger's own section (`### Title` up to the next heading). */
const entry = (key: string): string => {
  const at = page.indexOf(`Key: \`${key}\`.`)
  assert.isAtLeast(at, 0, `no entry for ${key}`)
  const start = page.lastIndexOf("\n### ", at)
  const end = page.indexOf("\n### ", at)
  return page.slice(start, end === -1 ? page.indexOf("\n## ", at) : end)
}

/** The table row of one error code. */
const errorRow = (code: string): string =>
  page.split("\n").find((line) => line.startsWith(`| \`${code}\``)) ?? ""

const taskJuiceSays: ReadonlyArray<readonly [string, () => void]> = [
  [
    "what it does: connect a client's workspace once, and act on its contacts, conversations, companies and tags",
    () => {
      const what = section("What it does")
      assert.match(what, /connect a client's Intercom workspace once/)
      for (const words of ["create contact", "get contact", "update contact", "list contacts"])
        assert.include(what, words)
      for (const words of [
        "create conversation",
        "reply to conversation",
        "create or update company",
        "list tags"
      ])
        assert.include(what, words)
    }
  ],
  [
    "three triggers: a conversation is created, a contact replies, a contact is created",
    () => {
      assert.include(
        section("What it does"),
        "3 triggers (conversation created, contact replied, contact created)"
      )
    }
  ],
  [
    "connect: Connections, Intercom, Connect; sign in; approve the scopes of the OAuth app in the Developer Hub; back with the connection ready",
    () => {
      const connect = section("Connect an Intercom account")
      assert.match(connect, /\*\*Connections\*\* → \*\*Intercom\*\* → \*\*Connect\*\*/)
      assert.include(connect, "Sign in to Intercom")
      assert.match(connect, /permissions .*OAuth app in Intercom's Developer Hub/)
      assert.include(connect, "You are sent back to TaskJuice")
    }
  ],
  [
    "access tokens are long-lived and do not expire",
    () => assert.include(section("Connect an Intercom account"), "Intercom access tokens have no expiry")
  ],
  [
    "to revoke, remove TaskJuice from Authorized apps in Intercom's settings",
    () =>
      assert.match(
        section("Connect an Intercom account"),
        /To revoke: .*Settings → .*Authorized apps → remove TaskJuice/
      )
  ],
  [
    "see Intercom's OAuth setup guide for the grant flow and scopes (a link)",
    () => assert.include(section("Connect an Intercom account"), `](${intercomOAuthGuideUrl})`)
  ],
  [
    "personal access tokens are not supported; use the OAuth flow, a workspace-scoped token tied to the authorizing admin",
    () =>
      assert.match(
        section("Connect an Intercom account"),
        /Personal access tokens are not supported: .*OAuth.*scoped to the workspace and tied to the admin who authorized it/
      )
  ],
  [
    "conversation-created: the payload is the notification envelope with the conversation under data.item",
    () => {
      assert.include(
        entry("intercom/conversation-created"),
        "whole notification envelope; the object is under `data.item`"
      )
    }
  ],
  [
    "conversation-user-replied: fires when a contact replies; the new parts are under data.item.conversation_parts",
    () => assert.include(entry("intercom/conversation-user-replied"), "data.item.conversation_parts")
  ],
  [
    "contact-created: fires when a contact is created; the contact is under data.item",
    () => assert.include(entry("intercom/contact-created"), "the object is under `data.item`")
  ],
  [
    "webhooks are signed with an HMAC of the raw body, keyed by the OAuth app's client secret, and verified before any workflow runs",
    () => {
      const triggers = section("Triggers")
      assert.match(
        triggers,
        /HMAC-SHA1 of the raw body.*`X-Hub-Signature`, keyed by the OAuth app's client secret/
      )
      assert.include(
        triggers,
        "| 401 | UNAUTHENTICATED: the signature header is missing, malformed or does not match"
      )
    }
  ],
  [
    "the signature header X-Hub-Signature-256 as sha256=<hex> (Intercom's own is X-Hub-Signature with SHA-1; both are taken)",
    () =>
      assert.include(
        section("Triggers"),
        "`X-Hub-Signature-256` (HMAC-SHA256 of the raw body, hex, as sha256=<hex>) is accepted too"
      )
  ],
  [
    "subscribe the topic on the Intercom Developer Hub, for the app that issued the connection",
    () => {
      const triggers = section("Triggers")
      assert.include(triggers, "### Subscribe the topics in Intercom's Developer Hub")
      assert.include(triggers, "for the OAuth app that issued the connections")
      for (const topic of manifest.triggers.flatMap((trigger) => trigger.topics))
        assert.match(
          triggers,
          new RegExp(`Subscribe the topics of the triggers.*\`${topic.replace(/\./g, "\\.")}\``)
        )
    }
  ],
  [
    "TaskJuice does not create subscriptions",
    () => {
      assert.include(section("Triggers"), "TaskJuice does not create webhook subscriptions")
      assert.match(
        section("Known limitations"),
        /Webhook subscriptions are set per topic in Intercom's Developer Hub.*TaskJuice does not create them/
      )
    }
  ],
  [
    "which URL to register: the host's public URL followed by the webhook path, one for every topic and workspace",
    () =>
      assert.match(
        section("Triggers"),
        new RegExp(
          `set the endpoint URL to the host's public URL followed by \`${manifest.webhook.path}\`.*the one URL to register`
        )
      )
  ],
  [
    "create-contact: a user or lead, with external id, email, phone, name, owner and custom attributes",
    () => {
      const createContact = entry("intercom/create-contact")
      assert.include(createContact, "Creates a user or lead")
      for (const field of ["external_id", "email", "phone", "name", "owner_id", "custom_attributes"])
        assert.include(createContact, `| \`${field}\` |`)
    }
  ],
  [
    "create-contact's output says whether the contact was created or found, and CONFLICT does not contradict it",
    () => {
      const createContact = entry("intercom/create-contact")
      assert.match(createContact, /\| `outcome` \| "created" \\\| "found" \|/)
      assert.include(createContact, 'with outcome "found" instead of "created", rather than a CONFLICT error')
      const conflict = errorRow("CONFLICT")
      assert.include(conflict, "create-contact does not fail this way")
      assert.notMatch(conflict, /e\.g\. a contact with that email .*already exists/)
    }
  ],
  [
    "get-contact fetches one contact by its Intercom id",
    () => assert.include(entry("intercom/get-contact"), "Fetches one contact by its Intercom id")
  ],
  [
    "update-contact: send only the fields to change",
    () => assert.include(entry("intercom/update-contact"), "fields left out stay as they are")
  ],
  [
    "list-contacts pages with per_page and starting_after",
    () => {
      const listContacts = entry("intercom/list-contacts")
      assert.include(listContacts, "| `per_page` |")
      assert.include(listContacts, "| `starting_after` |")
    }
  ],
  [
    "create-conversation: from a contact, who becomes the first sender",
    () =>
      assert.include(
        entry("intercom/create-conversation"),
        "Starts a conversation from a contact, who is its first sender"
      )
  ],
  [
    "reply-conversation: a reply, note or quick reply, as an admin or as the contact",
    () => {
      const reply = entry("intercom/reply-conversation")
      assert.include(reply, "as an admin (comment, note or quick reply) or as the contact")
    }
  ],
  [
    "create-company upserts on company_id, with plan, website, industry, size, monthly spend and custom attributes",
    () => {
      const company = entry("intercom/create-company")
      assert.include(company, "Creates the company with this company_id, or updates it when it exists")
      for (const field of ["plan", "website", "industry", "size", "monthly_spend", "custom_attributes"])
        assert.include(company, `| \`${field}\` |`)
    }
  ],
  [
    "list-tags lists every tag of the workspace",
    () => assert.include(entry("intercom/list-tags"), "Lists every tag of the workspace")
  ],
  [
    "the rate limit: 1,000 requests per minute (Intercom's current figures and headers given too)",
    () => {
      const limits = section("Known limitations")
      assert.include(limits, "1,000 requests per minute")
      assert.include(limits, "`X-RateLimit-Limit`")
      assert.include(limits, "10,000 a minute per app and 25,000 per workspace")
    }
  ],
  [
    "a 429 is surfaced as a retryable error so the workflow can back off",
    () => {
      assert.match(errorRow("RATE_LIMITED"), /^\| `RATE_LIMITED` \| 429 \| yes \|/)
      assert.include(section("Known limitations"), "fails with `RATE_LIMITED`, which is retryable")
    }
  ],
  [
    "every action sends the pinned Intercom-Version header",
    () =>
      assert.include(section("Known limitations"), `Every request sends \`Intercom-Version: ${apiVersion}\``)
  ],
  [
    "pagination is cursor-style with starting_after: one page per call, and workflows that need every page drive paging",
    () =>
      assert.match(
        section("Known limitations"),
        /Pagination uses cursors: `intercom\/list-contacts` returns one page per call .*`starting_after`.*loops/
      )
  ]
]

describe("the docs page says everything TaskJuice's page says", () => {
  for (const [statement, check] of taskJuiceSays) it(statement, check)
})
