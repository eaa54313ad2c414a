/** The stylesheet served at /ui/app.css: system font, clear hierarchy, status colors; phone first. */
export const APP_CSS = `
:root {
  --bg: #f5f6f8; --surface: #fff; --text: #1b1f24; --muted: #5d6673; --line: #e2e5ea;
  --accent: #2457d6; --accent-ink: #fff; --accent-soft: #e8eefc;
  --good: #1a7f37; --good-soft: #dcf3e3; --busy: #1f5fbf; --busy-soft: #e1ebfb;
  --bad: #c4291c; --bad-soft: #fde4e1; --warn: #9a6100; --warn-soft: #fff1d6; --idle: #57606a; --idle-soft: #eceef1;
  --radius: 10px; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0; display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
h2 { font-size: 1.08rem; margin: 0; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 1.1rem 0 .4rem; }
code, pre, .mono { font-family: var(--mono); font-size: .85rem; }
.muted { color: var(--muted); }
.small { font-size: .875rem; }
.tiny { font-size: .75rem; }
[hidden] { display: none !important; }

.topbar { background: #15191f; color: #fff; }
.topbar-inner { max-width: 1120px; margin: 0 auto; padding: .6rem 1rem; display: flex; align-items: center; gap: .75rem 1.25rem; flex-wrap: wrap; }
.brand { color: #fff; font-weight: 700; letter-spacing: .01em; white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand-mark { color: #7aa2ff; }
.nav { display: flex; gap: .25rem; flex-wrap: wrap; order: 3; width: 100%; }
.nav-link { color: #c9d1d9; padding: .35rem .65rem; border-radius: 6px; }
.nav-link:hover { background: #262c36; color: #fff; text-decoration: none; }
.nav-link.current { background: #2d3542; color: #fff; }
.session { margin-left: auto; display: flex; align-items: center; gap: .6rem; min-width: 0; }
.session-email { color: #9aa4b2; font-size: .85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 40vw; }
.session .btn-quiet { color: #c9d1d9; border-color: #3a4350; background: transparent; }
@media (min-width: 720px) { .nav { order: 0; width: auto; } }
@media (max-width: 560px) { .session-email { display: none; } .topbar-inner { padding: .5rem .75rem; } .nav-link { padding: .3rem .55rem; } }

.main { max-width: 1120px; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
.page-header { margin-bottom: 1.25rem; }
.page-header-row { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; flex-wrap: wrap; }
.subtitle { color: var(--muted); margin: .3rem 0 0; }
.back { display: inline-block; font-size: .875rem; margin-bottom: .4rem; }

.card { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow); padding: 1rem 1.1rem; margin-bottom: 1rem; min-width: 0; }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: .75rem; margin-bottom: .6rem; flex-wrap: wrap; }
.link-card { display: block; color: inherit; transition: border-color .15s, box-shadow .15s; }
.link-card:hover { text-decoration: none; border-color: #b8c4d9; box-shadow: 0 2px 8px rgba(16,24,40,.1); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 1rem; margin-bottom: 1rem; }
.grid > .card { margin-bottom: 0; }
.columns { display: grid; gap: 0 1rem; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 900px) { .columns { grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); } }
@media (max-width: 899px) { .col-side.phone-first { order: -1; } }
.empty { background: var(--surface); border: 1px dashed #c8ced6; border-radius: var(--radius); padding: 1.25rem; color: var(--muted); margin-bottom: 1rem; }

.badge { display: inline-flex; align-items: center; gap: .3rem; font-size: .75rem; font-weight: 600; padding: .12rem .55rem; border-radius: 999px; white-space: nowrap; vertical-align: middle; }
.badge::before { content: ""; width: .45rem; height: .45rem; border-radius: 50%; background: currentColor; }
.tone-good { color: var(--good); background: var(--good-soft); }
.tone-busy { color: var(--busy); background: var(--busy-soft); }
.tone-bad { color: var(--bad); background: var(--bad-soft); }
.tone-warn { color: var(--warn); background: var(--warn-soft); }
.tone-idle { color: var(--idle); background: var(--idle-soft); }
.tag { font-size: .7rem; background: var(--accent-soft); color: var(--accent); border-radius: 4px; padding: 0 .35rem; margin-left: .4rem; }

.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: .6rem 1rem; margin: .5rem 0 0; }
.fact dt { font-size: .72rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.fact dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.facts-wide { grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); margin-bottom: 1rem; }
.facts-compact { grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); font-size: .875rem; border-top: 1px solid var(--line); padding-top: .6rem; }
.hda-domain { margin: 0; font-weight: 500; }
.hda-card p { margin: .2rem 0; }

.btn { display: inline-flex; align-items: center; justify-content: center; gap: .4rem; font: inherit; font-weight: 600; font-size: .9rem; padding: .5rem .9rem; border-radius: 8px; border: 1px solid #cfd5dd; background: #fff; color: var(--text); cursor: pointer; min-height: 2.4rem; text-decoration: none; }
.btn:hover { background: #f3f5f8; text-decoration: none; }
.btn:disabled { opacity: .55; cursor: progress; }
.btn-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.btn-primary:hover { background: #1c47b3; }
.btn-danger { color: var(--bad); border-color: #f0b7b1; }
.btn-danger:hover { background: var(--bad-soft); }
.btn-small { font-size: .82rem; padding: .3rem .65rem; min-height: 2rem; }
.btn-block { width: 100%; }
.actions { display: flex; gap: .45rem; flex-wrap: wrap; align-items: center; }
.actions-end { justify-content: flex-end; }
.page-actions { display: flex; gap: .5rem; }

.field { display: flex; flex-direction: column; gap: .3rem; font-size: .875rem; font-weight: 600; min-width: 0; }
.field > span { color: #3b434e; }
input, select, textarea { font: inherit; font-weight: 400; font-size: 1rem; padding: .5rem .65rem; border: 1px solid #c8ced6; border-radius: 8px; background: #fff; color: var(--text); width: 100%; min-height: 2.4rem; }
input[readonly] { background: #f3f5f8; }
input:focus, select:focus, textarea:focus { outline: 2px solid #9db7f5; outline-offset: 0; border-color: var(--accent); }
textarea.mono { font-family: var(--mono); font-size: .85rem; }
.check { display: flex; gap: .5rem; align-items: flex-start; font-size: .9rem; font-weight: 400; }
.check input { width: auto; min-height: 0; margin-top: .25rem; }
.stack { display: flex; flex-direction: column; gap: .8rem; }
.inline-form { display: flex; flex-wrap: wrap; gap: .7rem; align-items: flex-end; }
.inline-form .field { flex: 1 1 200px; }
.inline-form .btn { flex: 0 0 auto; }
.inline-form .form-error { flex-basis: 100%; }
@media (max-width: 560px) { .inline-form .btn { flex: 1 1 100%; } }
.field-grid { display: grid; grid-template-columns: 1fr; gap: .8rem; margin-bottom: .8rem; }
@media (min-width: 720px) { .field-grid { grid-template-columns: 1fr 1fr; } }
.publish-form .field { margin-bottom: .8rem; }
fieldset { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; margin: 0 0 .8rem; display: flex; flex-direction: column; gap: .4rem; }
legend { font-size: .85rem; font-weight: 600; padding: 0 .3rem; }
.form-error { color: var(--bad); background: var(--bad-soft); border-radius: 8px; padding: .6rem .8rem; font-size: .9rem; }
.form-error ul { margin: .4rem 0 0; padding-left: 1.1rem; }
.flash { margin-bottom: 1rem; padding: .7rem .9rem; border-radius: 8px; background: var(--bad-soft); color: var(--bad); }
.note { background: var(--busy-soft); color: var(--busy); border-radius: 8px; padding: .5rem .75rem; }

.search { display: flex; gap: .5rem; margin-bottom: 1rem; }
.search input { flex: 1; }
.clamp { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; margin: .25rem 0 0; }
.app-card h2 { margin-bottom: .1rem; }
.app-card p { margin: 0; }
.description { white-space: pre-line; margin: 0 0 .5rem; }

.install-list, .app-picker, .user-list { list-style: none; margin: 0; padding: 0; }
.install-row { display: grid; gap: .4rem; padding: .8rem 0; border-top: 1px solid var(--line); }
.install-row:first-child { border-top: 0; padding-top: .2rem; }
.install-main { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
.install-name { font-weight: 600; font-size: 1.02rem; }
.app-link { overflow-wrap: anywhere; }
.runtime { display: flex; gap: .4rem .8rem; flex-wrap: wrap; align-items: center; }
.metric { color: var(--muted); font-variant-numeric: tabular-nums; }
.app-picker li { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .6rem 0; border-top: 1px solid var(--line); }
.app-picker li:first-child { border-top: 0; }
.app-picker li > div { min-width: 0; }
.app-picker-name { font-weight: 600; }
.user-list li { display: flex; gap: .4rem .8rem; align-items: center; flex-wrap: wrap; padding: .55rem 0; border-top: 1px solid var(--line); }
.user-list li:first-child { border-top: 0; }
.user-email { font-weight: 600; overflow-wrap: anywhere; }

.enrollment { margin-top: 1rem; padding: .9rem; background: #f0f5ff; border: 1px solid #cbd9f7; border-radius: 8px; }
.enrollment h3 { margin-top: 0; color: var(--accent); }
.command { display: flex; gap: .5rem; align-items: flex-start; margin: .5rem 0; }
.command pre { flex: 1; margin: 0; background: #15191f; color: #e6edf3; padding: .65rem .8rem; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }

.card > .btn:last-child, .card > a.btn:last-child { margin-top: .8rem; }
.link-row { display: flex; gap: .6rem; flex-wrap: wrap; }
pre.code { background: #f6f8fa; border: 1px solid var(--line); border-radius: 8px; padding: .75rem; overflow-x: auto; max-height: 420px; margin: 0; white-space: pre; }
details.version { border-top: 1px solid var(--line); padding: .6rem 0; }
details.version:first-of-type { border-top: 0; }
details.version summary { cursor: pointer; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.findings { list-style: none; padding: 0; margin: 0; display: grid; gap: .4rem; }
.finding { display: grid; grid-template-columns: auto 1fr; gap: .1rem .6rem; padding: .5rem .7rem; border-radius: 8px; background: var(--idle-soft); font-size: .875rem; }
.finding-sev { font-weight: 700; grid-row: span 2; }
.finding-rule { font-family: var(--mono); font-size: .78rem; color: var(--muted); }
.finding-msg { grid-column: 2; }
.finding-line { grid-column: 2; font-size: .78rem; overflow-wrap: anywhere; }
.sev-error { background: var(--bad-soft); } .sev-error .finding-sev { color: var(--bad); }
.sev-review { background: var(--warn-soft); } .sev-review .finding-sev { color: var(--warn); }
.sev-warning { background: var(--warn-soft); } .sev-warning .finding-sev { color: var(--warn); }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .875rem; }
th { text-align: left; font-size: .72rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
td { padding: .55rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
tr.current td { background: #f7f9ff; }
.history td { white-space: nowrap; }
.history td.wrap { white-space: normal; }
.detail { max-width: 26rem; overflow-wrap: anywhere; white-space: normal; }
@media (max-width: 640px) {
  table.history thead { display: none; }
  table.history tr { display: grid; grid-template-columns: 1fr 1fr; gap: .3rem .8rem; padding: .7rem .2rem; border-bottom: 1px solid var(--line); }
  table.history tr.current { background: #f7f9ff; }
  table.history td { border: 0; padding: 0; background: transparent !important; white-space: normal; }
  table.history td[data-label]::before { content: attr(data-label); display: block; font-size: .68rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  table.history td:last-child { grid-column: 1 / -1; }
  table.history td:last-child:empty { display: none; }
}

.task { border-left: 4px solid var(--busy); }
.task.task-succeeded { border-left-color: var(--good); }
.task.task-failed { border-left-color: var(--bad); }
.task.task-cancelled { border-left-color: #aab2bd; }
.task-details > summary { cursor: pointer; font-size: .875rem; color: var(--accent); margin-top: .3rem; }
.task-details[open] > summary { margin-bottom: .2rem; }
.steps { list-style: none; margin: .6rem 0 0; padding: 0; display: grid; gap: .5rem; }
.step { border: 1px solid var(--line); border-radius: 8px; padding: .55rem .75rem; }
.step-head { display: flex; align-items: center; gap: .2rem .5rem; font-weight: 600; flex-wrap: wrap; }
.step-title { flex: 0 1 auto; }
.step-msg { flex: 1 1 12rem; min-width: 0; overflow-wrap: anywhere; }
.step-icon { width: 1.3rem; height: 1.3rem; border-radius: 50%; display: inline-flex; align-items: center; justify-content: center; font-size: .75rem; flex: none; background: var(--busy-soft); color: var(--busy); }
.step.done .step-icon { background: var(--good-soft); color: var(--good); }
.step.failed { border-color: #f0b7b1; background: #fff8f7; }
.step.failed .step-icon { background: var(--bad-soft); color: var(--bad); }
.step.open .step-icon { animation: pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .45; } }
.step-events { list-style: none; margin: .3rem 0 0 1.8rem; padding: 0; font-size: .85rem; color: #3b434e; }
.step-events li { padding: .1rem 0; overflow-wrap: anywhere; }
.ev-Warning { color: var(--warn); }
.ev-Error { color: var(--bad); font-weight: 600; }
.pull { margin: .35rem 0 .2rem 1.8rem; font-size: .82rem; }
.pull-head { display: flex; justify-content: space-between; gap: .5rem; flex-wrap: wrap; }
.pull-name { font-family: var(--mono); overflow-wrap: anywhere; }
.pull-bytes { color: var(--muted); font-variant-numeric: tabular-nums; }
progress { width: 100%; height: .55rem; appearance: none; -webkit-appearance: none; border: 0; border-radius: 999px; background: var(--idle-soft); overflow: hidden; }
progress::-webkit-progress-bar { background: var(--idle-soft); border-radius: 999px; }
progress::-webkit-progress-value { background: var(--accent); border-radius: 999px; }
progress::-moz-progress-bar { background: var(--accent); border-radius: 999px; }
.task-result { margin-top: .8rem; }
.task-inline { margin-top: 1rem; border-top: 1px solid var(--line); padding-top: .8rem; }
.task-inline h3 { margin: 0; }
pre.log { margin: .4rem 0 0; max-height: 360px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; background: #15191f; color: #e6edf3; border: 0; font-size: .78rem; }
.result { margin: 0; padding: .65rem .8rem; border-radius: 8px; background: var(--idle-soft); font-weight: 600; }
.result-good { background: var(--good-soft); color: var(--good); }
.result-bad { background: var(--bad-soft); color: var(--bad); }

.dialog { border: 0; border-radius: 12px; padding: 1.25rem; max-width: min(440px, calc(100vw - 2rem)); box-shadow: 0 10px 40px rgba(0,0,0,.25); }
.dialog::backdrop { background: rgba(15,20,30,.45); }
.dialog h2 { font-size: 1.2rem; }
.dialog p { margin: 0; }
.dialog .btn-danger[data-confirm] { background: var(--bad); border-color: var(--bad); color: #fff; }
.dialog .btn-danger[data-confirm]:hover { background: #a62217; }

.auth-wrap { display: flex; justify-content: center; padding-top: 8vh; }
.auth-card { width: 100%; max-width: 380px; padding: 1.5rem; }
.auth-card h1 { margin-bottom: .2rem; }
.auth-card .subtitle { margin-bottom: 1.2rem; }
.error-page { text-align: center; padding: 2.5rem 1rem; }
.error-page h1 { justify-content: center; margin-bottom: .5rem; color: var(--text); }
.error-code { font-size: 3rem; font-weight: 800; margin: 0; color: #c8ced6; }

.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.tags { display: inline-flex; gap: .3rem; flex-wrap: wrap; vertical-align: middle; margin-left: .25rem; }
.tag-chip { font-size: .72rem; font-weight: 600; color: #4b5563; background: #eef0f3; border: 1px solid #dde1e6; border-radius: 4px; padding: 0 .4rem; line-height: 1.5; }
.tag-chip::before { content: "#"; color: #9aa4b2; margin-right: .05rem; }

.field-pair { display: grid; grid-template-columns: 1fr 1fr; gap: .7rem; }
.stack > p { margin: 0; }

.charts { display: grid; gap: 1rem 1.5rem; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 640px) { .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
.chart { margin: 0; min-width: 0; }
.chart-caption { display: flex; align-items: baseline; gap: .2rem .6rem; flex-wrap: wrap; margin-bottom: .35rem; }
.chart-title { font-size: .72rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.chart-now { font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.chart-summary { flex-basis: 100%; }
.chart-body { position: relative; border-radius: 6px; background: #fafbfc; }
.chart-svg { display: block; width: 100%; height: 84px; overflow: visible; }
.chart-ymax { position: absolute; top: 2px; left: 4px; font-size: .68rem; color: var(--muted); font-variant-numeric: tabular-nums; pointer-events: none; }
.chart-grid { stroke: #e6e9ee; stroke-width: 1; stroke-dasharray: 3 3; }
.chart-base { stroke: #cfd5dd; stroke-width: 1; }
.chart-line { stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
.chart-cpu .chart-line { stroke: var(--accent); }
.chart-cpu .chart-area { fill: rgba(36,87,214,.14); }
.chart-memory .chart-line { stroke: #0f7d71; }
.chart-memory .chart-area { fill: rgba(15,125,113,.14); }
.chart-empty { height: 84px; display: flex; align-items: center; justify-content: center; text-align: center; padding: 0 1rem; border: 1px dashed var(--line); }
.chart-axis { display: flex; justify-content: space-between; margin-top: .2rem; }

.log-block { margin-top: .6rem; }
.log-head { display: flex; gap: .5rem; align-items: center; font-size: .78rem; margin-bottom: .2rem; }
.log-container { font-family: var(--mono); font-weight: 600; }
.log-stream { font-size: .7rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; border-radius: 4px; padding: 0 .4rem; background: var(--idle-soft); color: var(--idle); }
.log-stream-stderr { background: var(--bad-soft); color: var(--bad); }
pre.log-stderr { background: #2a1614; color: #ffd9d4; border-left: 4px solid #e5534b; }
pre.log-stdout { border-left: 4px solid #3a4350; }
.follow-left { margin: .4rem 0 0; font-variant-numeric: tabular-nums; }
.history-task { font-weight: 600; }
.who { overflow-wrap: anywhere; }

.manage-item { display: flex; flex-direction: column; align-items: flex-start; gap: .45rem; padding: .75rem 0; border-top: 1px solid var(--line); }
.manage-item.manage-first { border-top: 0; padding-top: 0; }
.manage-item p { margin: .15rem 0 0; }
.manage .form-error { margin-top: .6rem; }
#prune-view .task-inline { margin: 0 0 .6rem; }

.hda-picks { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: 8px; }
.hda-pick { padding: .55rem .75rem; border-top: 1px solid var(--line); transition: background .15s, opacity .15s; }
.hda-pick:first-child { border-top: 0; }
.hda-pick.in-tag { background: var(--accent-soft); }
.hda-pick.dim { opacity: .55; }
.pick-head { align-items: center; flex-wrap: wrap; }
.pick-head input { margin-top: 0; }
.pick-name { font-weight: 600; }
.pick-env { margin: .3rem 0 0 1.6rem; }
.pick-env summary { cursor: pointer; font-size: .82rem; color: var(--accent); }
.pick-env textarea { margin-top: .35rem; font-size: .85rem; }
.check-inline { align-items: center; flex-wrap: wrap; }
.check-inline input[type=radio] { margin-top: 0; }
.check-inline select { width: auto; min-width: 8rem; flex: 0 1 auto; }
.check-box { align-self: end; padding-bottom: .5rem; }

.batch-list { list-style: none; margin: 0; padding: 0; }
.batch-list li { padding: .55rem 0; border-top: 1px solid var(--line); }
.batch-list li:first-child { border-top: 0; padding-top: 0; }
.batch-list-head { display: flex; gap: .5rem; align-items: center; justify-content: space-between; font-weight: 600; }
.batch-progress progress { margin: .2rem 0 .6rem; }
.batch-progress p { margin: 0 0 .3rem; }
.batch-items { list-style: none; margin: .6rem 0 0; padding: 0; display: grid; gap: .5rem; }
@media (min-width: 720px) { .batch-items { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); } }
.batch-item { border: 1px solid var(--line); border-left: 4px solid #c8ced6; border-radius: 8px; padding: .6rem .75rem; display: grid; gap: .3rem; min-width: 0; }
.batch-item[data-item-state=queued] { border-left-color: var(--busy); }
.batch-item[data-item-state=succeeded] { border-left-color: var(--good); }
.batch-item[data-item-state=failed] { border-left-color: var(--bad); }
.batch-item[data-item-state=rolled_back], .batch-item[data-item-state=cancelled] { border-left-color: var(--warn); }
.bi-head { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.bi-name { font-weight: 600; }
.bi-block { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; min-height: 1.4rem; }
.bi-block:empty { display: none; }
.bi-step { font-weight: 600; }
.bi-msg { overflow-wrap: anywhere; }
.bi-detail:empty { display: none; }
.bi-links { display: flex; gap: .8rem; flex-wrap: wrap; }
.bi-links:empty { display: none; }
.lh { font-size: .7rem; font-weight: 700; letter-spacing: .03em; border-radius: 4px; padding: .05rem .45rem; background: var(--busy-soft); color: var(--busy); }
.lh-OK, .lh-Complete { background: var(--good-soft); color: var(--good); }
.lh-Finalized { background: var(--good); color: #fff; }
.lh-Warning { background: var(--warn-soft); color: var(--warn); }
.lh-Error { background: var(--bad); color: #fff; }
`;
