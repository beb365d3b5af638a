/**
 * The dashboard `serve` shows at `/`: live deliveries (status, latency, payload), the state's
 * counts, and buttons to fire a topic and to resend a notification. One static page that reads the
 * admin API and follows `/_sim/events` (server-sent events); no build step, no dependencies.
 */

const styles = `
  :root { color-scheme: light; --ink: #1f2430; --muted: #6b7280; --line: #e5e7eb; --ok: #0f7b45; --bad: #b42318;
    --accent: #1f5eff; --bg: #f7f8fa; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; background: var(--bg); color: var(--ink); }
  header { display: flex; gap: 1rem; align-items: baseline; padding: 14px 24px; background: #10162f; color: #fff; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: #b9c2d8; font-size: 13px; }
  main { padding: 18px 24px; display: grid; gap: 18px; grid-template-columns: minmax(0, 1fr) 380px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
  h2 { font-size: 14px; margin: 0 0 10px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
    overflow-wrap: anywhere; }
  .counts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
  .count { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
  .count b { display: block; font-size: 22px; }
  .count span { color: var(--muted); font-size: 12px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--muted); font-weight: 600; }
  tr.delivery { cursor: pointer; }
  tr.delivery:hover, tr.delivery.selected { background: #eef3ff; }
  .badge { display: inline-block; min-width: 34px; text-align: center; border-radius: 10px; padding: 1px 8px;
    font-weight: 600; color: #fff; }
  .badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); }
  .url { max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
  .table { overflow-x: auto; }
  button { font: inherit; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px;
    padding: 5px 12px; cursor: pointer; }
  button.secondary { background: #fff; color: var(--accent); padding: 2px 8px; }
  select, input { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; }
  .fire { display: grid; gap: 8px; }
  pre { background: #0f1629; color: #d8e1ff; padding: 10px; border-radius: 6px; max-height: 420px; overflow: auto;
    font-size: 12px; margin: 0; white-space: pre-wrap; word-break: break-all; }
  .empty { color: var(--muted); padding: 12px 0; }
  .side { display: grid; gap: 18px; align-content: start; }
  ul { margin: 0; padding-left: 18px; } li { margin: 2px 0; }
  #message { min-height: 1.2em; color: var(--muted); font-size: 13px; }
`

const script = `
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const until = (label, at) => at !== null && at > Date.now() ? label + new Date(at).toLocaleTimeString() + ")" : "";
  const rows = new Map();
  // The run's admin token, from the page the simulator served: the admin API refuses requests without it.
  const adminToken = document.querySelector('meta[name="sim-admin-token"]')?.content ?? "";
  const api = (path, init = {}) => fetch(path, { ...init, headers: { ...init.headers, "x-sim-admin-token": adminToken } });
  const labels = { contacts: "Contacts", users: "Users", leads: "Leads", conversations: "Conversations",
    conversationParts: "Conversation parts", companies: "Companies", tags: "Tags", admins: "Admins" };

  function renderCounts(counts) {
    $("counts").innerHTML = Object.entries(labels).map(([key, label]) =>
      '<div class="count" data-testid="count-' + key + '"><b>' + (counts[key] ?? 0) + '</b><span>' + label + '</span></div>').join("");
  }

  function row(d) {
    const ok = d.ok ? "ok" : "bad";
    const status = d.status === null ? "—" : d.status;
    return '<tr class="delivery" data-testid="delivery" data-id="' + esc(d.id) + '" data-notification="' + esc(d.notificationId) + '">' +
      '<td>' + new Date(d.sentAt).toLocaleTimeString() + '</td>' +
      '<td data-testid="delivery-topic">' + esc(d.topic) + '</td>' +
      '<td><span class="badge ' + ok + '" data-testid="delivery-status">' + esc(status) + '</span></td>' +
      '<td data-testid="delivery-latency">' + d.latencyMs.toFixed(1) + ' ms</td>' +
      '<td>#' + d.attempt + '</td><td>' + esc(d.signature) + '</td>' +
      '<td class="url" title="' + esc(d.url) + '">' + esc(d.url) + '</td>' +
      '<td title="' + esc(d.error ?? "") + '">' + esc(d.error ?? "") + '</td>' +
      '<td><button class="secondary" data-testid="resend" data-resend="' + esc(d.notificationId) + '">Resend</button></td></tr>';
  }

  function renderDeliveries() {
    const list = [...rows.values()].sort((a, b) => b.sentAt - a.sentAt).slice(0, 200);
    $("deliveries").innerHTML = list.length === 0
      ? '<tr><td colspan="9" class="empty">No deliveries yet: fire a topic, or change state through the API.</td></tr>'
      : list.map(row).join("");
  }

  function addDelivery(d) { rows.set(d.id, d); renderDeliveries(); }

  async function showPayload(id) {
    document.querySelectorAll("tr.delivery").forEach((tr) => tr.classList.toggle("selected", tr.dataset.id === id));
    const response = await api("/_sim/deliveries/" + encodeURIComponent(id));
    const d = await response.json();
    let pretty = d.payload;
    try { pretty = JSON.stringify(JSON.parse(d.payload), null, 2); } catch {}
    $("payload-title").textContent = d.topic + " → " + d.url + " (attempt " + d.attempt + ")";
    $("payload").textContent = pretty;
  }

  async function post(path, body) {
    const response = await api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = await response.json();
    if (!response.ok) throw new Error(json.error?.message ?? response.statusText);
    return json;
  }

  async function fire() {
    const topic = $("topic").value;
    $("message").textContent = "Firing " + topic + "…";
    try {
      const result = await post("/_sim/trigger", { topic, signature: $("signature").value });
      for (const n of result.notifications) for (const d of n.deliveries) addDelivery(d);
      const sent = result.notifications.reduce((sum, n) => sum + n.deliveries.length, 0);
      $("message").textContent = "Fired " + topic + ": " + result.notifications.length + " notification(s), " + sent + " delivery attempt(s).";
    } catch (error) { $("message").textContent = "Failed: " + error.message; }
  }

  async function resend(notificationId) {
    $("message").textContent = "Resending " + notificationId + "…";
    try {
      const result = await post("/_sim/notifications/" + encodeURIComponent(notificationId) + "/resend", {});
      for (const d of result.deliveries) addDelivery(d);
      $("message").textContent = "Resent " + notificationId + " (" + result.deliveries.length + " attempt(s)).";
    } catch (error) { $("message").textContent = "Resend failed: " + error.message; }
  }

  async function load() {
    const state = await (await api("/_sim/state")).json();
    $("meta").textContent = state.url + " · API " + state.apiVersion + " · workspace " + state.workspace.id_code +
      " · " + state.rateLimitPerMinute + " req/min · seed " + state.seed;
    renderCounts(state.counts);
    $("topic").innerHTML = state.topics.map((t) => '<option>' + esc(t) + '</option>').join("");
    $("subscriptions").innerHTML = state.subscriptions.length === 0 ? '<li class="empty">none (use --webhook-url)</li>' :
      state.subscriptions.map((s) => '<li>' + esc(s.url) + (s.active ? "" : " (disabled: " + esc(s.disabledReason) + ")") +
        until(" (throttled after a 429 until ", s.throttledUntil) + until(" (paused after too many errors until ", s.pausedUntil) + '</li>').join("");
    $("faults").innerHTML = state.faults.length === 0 ? '<li class="empty">none</li>' :
      state.faults.map((f) => '<li><code>' + esc(f) + '</code></li>').join("");
    const deliveries = await (await api("/_sim/deliveries?limit=200")).json();
    for (const d of deliveries.deliveries) rows.set(d.id, d);
    renderDeliveries();
    const events = new EventSource("/_sim/events");
    events.addEventListener("delivery", (e) => addDelivery(JSON.parse(e.data)));
    events.addEventListener("state", (e) => renderCounts(JSON.parse(e.data)));
    document.body.dataset.ready = "true";
  }

  $("fire").addEventListener("click", fire);
  $("deliveries").addEventListener("click", (e) => {
    const button = e.target.closest("[data-resend]");
    if (button) { e.stopPropagation(); resend(button.dataset.resend); return; }
    const tr = e.target.closest("tr.delivery");
    if (tr) showPayload(tr.dataset.id);
  });
  load();
`

export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Intercom simulator</title>
<style>${styles}</style>
</head>
<body>
<header><h1>Intercom simulator</h1><span class="meta" id="meta">loading…</span></header>
<main>
  <div style="display:grid;gap:18px;align-content:start">
    <section><h2>State</h2><div class="counts" id="counts"></div></section>
    <section>
      <h2>Deliveries (live)</h2>
      <div class="table"><table>
        <thead><tr><th>Sent</th><th>Topic</th><th>Status</th><th>Latency</th><th>Try</th><th>Signature</th><th>URL</th><th>Error</th><th></th></tr></thead>
        <tbody id="deliveries" data-testid="deliveries"></tbody>
      </table></div>
    </section>
  </div>
  <div class="side">
    <section class="fire">
      <h2>Fire a topic</h2>
      <select id="topic" data-testid="topic"></select>
      <select id="signature" data-testid="signature">
        <option value="both">both signatures</option><option value="sha1">X-Hub-Signature (sha1)</option>
        <option value="sha256">X-Hub-Signature-256</option><option value="invalid">invalid signature</option>
      </select>
      <button id="fire" data-testid="fire">Fire</button>
      <div id="message" data-testid="message"></div>
    </section>
    <section><h2 id="payload-title">Payload</h2><pre id="payload" data-testid="payload">Click a delivery to see the exact body that was signed and sent.</pre></section>
    <section><h2>Subscriptions</h2><ul id="subscriptions"></ul></section>
    <section><h2>Faults</h2><ul id="faults"></ul></section>
  </div>
</main>
<script>${script}</script>
</body>
</html>
`
