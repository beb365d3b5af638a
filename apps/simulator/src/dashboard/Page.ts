/**
 * The dashboard page the simulator serves at `/`: a webhook inspector in the manner of Stripe's
 * webhook view and Hookdeck's request inspector. The deliveries, live, filtered by topic, status and
 * text; each one opened to its request (signature headers, the exact signed body), its answer
 * (status, headers, body), latency, attempt and next retry; and live panels for the state's counts,
 * the rate-limit budget (requests and 429s per 10-second window), subscriptions and faults.
 */
import * as Redacted from "effect/Redacted"
import { dashboardScript } from "./Client.ts"
import { faviconDataUrl } from "./Favicon.ts"
import { dashboardStyles } from "./Styles.ts"

const escapeAttribute = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c
  )

export interface DashboardPageOptions {
  /** The run's admin token: the page sends it as `X-Sim-Admin-Token` with every admin request. */
  readonly adminToken?: Redacted.Redacted<string> | string | undefined
}

// The token goes into the page its own server serves to the browser on loopback; nowhere else.
const tokenText = (token: DashboardPageOptions["adminToken"]): string | undefined =>
  token === undefined ? undefined : typeof token === "string" ? token : Redacted.value(token)

/** The page, with the run's admin token in `<meta name="sim-admin-token">` when there is one. */
export const dashboardPage = (options: DashboardPageOptions = {}): string => {
  const token = tokenText(options.adminToken)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${token === undefined ? "" : `<meta name="sim-admin-token" content="${escapeAttribute(token)}">\n`}<title>Intercom simulator</title>
<link rel="icon" type="image/svg+xml" href="${faviconDataUrl}">
<style>${dashboardStyles}</style>
</head>
<body>
<header class="top">
  <h1><img src="${faviconDataUrl}" alt="">Intercom simulator</h1>
  <span class="meta" id="meta">loading…</span>
  <span class="live" id="live" data-testid="live" data-state="connecting">connecting…</span>
</header>
<div class="banner" id="banner" role="alert" hidden></div>
<main class="layout">
  <div class="side" data-testid="side">
    <section class="panel" data-testid="panel-state"><h2>State</h2><div class="counts" id="counts"></div></section>
    <section class="panel" data-testid="panel-budget"><h2>Rate-limit budget</h2><div class="chart" id="chart" data-testid="chart"></div></section>
    <section class="panel fire" data-testid="panel-fire">
      <h2>Fire a topic</h2>
      <select id="topic" data-testid="topic" aria-label="Topic"></select>
      <select id="signature" data-testid="signature" aria-label="Signature">
        <option value="both">both signatures</option><option value="sha1">X-Hub-Signature (sha1)</option>
        <option value="sha256">X-Hub-Signature-256</option><option value="invalid">invalid signature</option>
      </select>
      <button id="fire" data-testid="fire">Fire</button>
      <div class="message" id="message" data-testid="message" role="status"></div>
    </section>
    <section class="panel" data-testid="panel-subscriptions"><h2>Subscriptions</h2><ul class="subscriptions" id="subscriptions" data-testid="subscriptions"></ul></section>
    <section class="panel" data-testid="panel-faults"><h2>Faults</h2><ul class="faults" id="faults" data-testid="faults"></ul></section>
  </div>
  <section class="panel list" data-testid="panel-deliveries">
    <div class="panel-head"><h2>Deliveries (live)</h2><span class="count" id="shown" data-testid="shown"></span></div>
    <div class="filters">
      <select id="filter-topic" data-testid="filter-topic" aria-label="Filter by topic"><option value="">Any topic</option></select>
      <select id="filter-status" data-testid="filter-status" aria-label="Filter by status"></select>
      <input id="filter-text" data-testid="filter-text" type="search" placeholder="Search ids, URL, status, error…" aria-label="Search">
    </div>
    <div class="table-wrap" data-testid="table-wrap">
      <table class="deliveries">
        <colgroup><col class="time"><col><col class="status"><col class="latency"><col class="try"><col class="action"></colgroup>
        <thead><tr><th>Sent</th><th>Event</th><th>Status</th><th>Latency</th><th>Try</th><th class="action"></th></tr></thead>
        <tbody id="deliveries" data-testid="deliveries"></tbody>
      </table>
    </div>
  </section>
  <section class="panel detail sticky" data-testid="panel-inspector">
    <div id="inspector" data-testid="inspector"><p class="empty">Select a delivery to see its request (signature headers, the exact signed body) and the receiver's answer.</p></div>
  </section>
</main>
<script>${dashboardScript}</script>
</body>
</html>
`
}
