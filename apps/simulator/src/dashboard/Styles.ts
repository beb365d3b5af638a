/**
 * The dashboard's stylesheet. The layout is a grid that holds from 1000 px up: three columns (panels,
 * the deliveries, the inspector) from 1600 px, two below with the panels in a row above, one below
 * 1200 px. Nothing sets a width its content can push past: the deliveries table has a fixed layout
 * whose cells cut long text with an ellipsis, so the Resend column is always whole, and bodies and
 * header values wrap at spaces and break a token only when it is longer than the line.
 */
export const dashboardStyles = `
:root {
  color-scheme: light;
  --ink: #1d2433; --muted: #5f6b7e; --line: #e3e7ee; --panel: #fff; --bg: #f4f6f9;
  --ok: #0f7b45; --ok-bg: #e6f4ec; --bad: #b42318; --bad-bg: #fdecea; --warn: #9a5b00; --warn-bg: #fff4e0;
  --accent: #2f5cff; --accent-bg: #eef2ff; --code-bg: #0f1629; --code-ink: #dbe3ff;
  --mono: ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, monospace;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); min-width: 1000px; }
button, select, input { font: inherit; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }

.top { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; padding: 12px 24px;
  background: #10162f; color: #fff; }
.top h1 { font-size: 17px; margin: 0; display: flex; align-items: center; gap: 8px; }
.top h1 img { width: 22px; height: 22px; }
.top .meta { color: #b9c2d8; font-size: 13px; min-width: 0; overflow-wrap: anywhere; flex: 1 1 400px; }
.live { font-size: 12px; padding: 2px 10px; border-radius: 999px; background: #2a3356; color: #cfd6ea; white-space: nowrap; }
.live[data-state="live"] { background: #15603b; color: #e6f4ec; }
.live[data-state="down"] { background: #7a1d14; color: #fdecea; }

.banner { margin: 12px 24px 0; padding: 8px 12px; border-radius: 6px; background: var(--bad-bg); color: var(--bad); }
.banner[hidden] { display: none; }

.layout { display: grid; gap: 16px; padding: 16px 24px 32px; align-items: start;
  grid-template-columns: minmax(0, 1fr); grid-template-areas: "side" "list" "detail"; }
@media (min-width: 1200px) {
  .layout { grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); grid-template-areas: "side side" "list detail"; }
}
@media (min-width: 1600px) {
  .layout { grid-template-columns: 320px minmax(0, 1.15fr) minmax(0, 1fr); grid-template-areas: "side list detail"; }
}
.side { grid-area: side; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); min-width: 0; }
@media (min-width: 1600px) { .side { grid-template-columns: minmax(0, 1fr); } }
.list { grid-area: list; }
.detail { grid-area: detail; }
@media (min-width: 1200px) {
  /* Beside a long list the inspector stays in view, scrolling by itself. */
  .detail.sticky { position: sticky; top: 16px; max-height: calc(100vh - 32px); overflow-y: auto; }
}

.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.panel > h2, .panel-head h2 { font-size: 12px; margin: 0; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.panel > h2 { margin-bottom: 10px; }
.panel-head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; margin-bottom: 10px; min-width: 0; }
.panel-head .count { color: var(--muted); font-size: 12px; white-space: nowrap; }
.empty { color: var(--muted); padding: 10px 0; }

.counts { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0; }
.count { white-space: nowrap; color: var(--muted); font-size: 13px; }
.count b { color: var(--ink); font-size: 17px; margin-right: 4px; font-variant-numeric: tabular-nums; }

.filters { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr) minmax(0, 1.5fr); gap: 8px; margin-bottom: 10px; }
select, input[type="search"] { width: 100%; min-width: 0; padding: 5px 8px; border: 1px solid #cdd3dd; border-radius: 6px; background: #fff; }

.table-wrap { overflow-x: auto; }
table.deliveries { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 13px; }
.deliveries th, .deliveries td { text-align: left; padding: 6px 6px; border-bottom: 1px solid var(--line); vertical-align: middle;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.deliveries th { color: var(--muted); font-weight: 600; font-size: 12px; }
.deliveries col.time { width: 92px; } .deliveries col.status { width: 62px; } .deliveries col.latency { width: 78px; }
.deliveries col.try { width: 40px; } .deliveries col.action { width: 84px; }
.deliveries td.action, .deliveries th.action { text-align: right; overflow: visible; }
.deliveries tr.delivery { cursor: pointer; }
.deliveries tr.delivery:hover { background: #f6f8fc; }
.deliveries tr.delivery.selected { background: var(--accent-bg); }
.event .topic { display: block; font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.event .sub { display: block; color: var(--muted); font-size: 12px; overflow: hidden; text-overflow: ellipsis; }

.badge { display: inline-block; min-width: 38px; text-align: center; border-radius: 10px; padding: 0 7px; font-weight: 600; font-size: 12px; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.wait { background: var(--warn-bg); color: var(--warn); }

button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; padding: 5px 12px; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); padding: 2px 10px; }
button:disabled { opacity: .5; cursor: default; }

.fire { display: grid; gap: 8px; }
.message { min-height: 1.3em; color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }

.inspector-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 12px; margin-bottom: 8px; min-width: 0; }
.inspector-head h3 { margin: 0; font-size: 16px; overflow-wrap: anywhere; min-width: 0; }
.inspector-head .actions { display: flex; gap: 6px; flex: none; }
.ids { color: var(--muted); font-size: 12px; margin: 0 0 10px; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 8px 12px; margin: 0 0 12px; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.section { border-top: 1px solid var(--line); padding-top: 10px; margin-top: 12px; min-width: 0; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; margin-bottom: 6px; }
.section-head h4 { margin: 0; font-size: 13px; }
.section-head .note { color: var(--muted); font-size: 12px; margin-left: auto; }
.section-head button { padding: 0 8px; font-size: 12px; }
table.headers { width: 100%; border-collapse: collapse; table-layout: fixed; font-family: var(--mono); font-size: 12px; margin-bottom: 8px; }
.headers td { padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; }
.headers td.name { width: 34%; color: var(--muted); }
pre.code { background: var(--code-bg); color: var(--code-ink); padding: 10px 12px; border-radius: 6px; margin: 0;
  max-height: 480px; overflow: auto; font-family: var(--mono); font-size: 12px; line-height: 1.5;
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; tab-size: 2; }

.subscriptions, .faults { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.subscriptions li, .faults li { min-width: 0; overflow-wrap: anywhere; font-size: 13px; }
.subscriptions .state { font-size: 12px; }
.state.ok { color: var(--ok); } .state.bad { color: var(--bad); } .state.wait { color: var(--warn); }

.chart svg { display: block; width: 100%; height: 120px; }
.chart .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; color: var(--muted); font-size: 12px; margin-top: 6px; }
.chart .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.chart .no-data { color: var(--muted); padding: 28px 0; text-align: center; border: 1px dashed var(--line); border-radius: 6px; }
`
