/** Styles for failures in words, app icons and categories, account management and long names. */
export const EXTRA_CSS = `
/* A button names an HDA sometimes ("Install on <name>"): it wraps rather than widen the page. */
.btn { max-width: 100%; white-space: normal; overflow-wrap: anywhere; }
h1, h2, h3, .install-name, .bi-name, .session-email { overflow-wrap: anywhere; min-width: 0; }
.card-head > h2 { flex: 1 1 8rem; }
.failure { display: grid; gap: .3rem; min-width: 0; }
.failure-summary { margin: 0; overflow-wrap: anywhere; }
.failure-raw > summary { cursor: pointer; font-size: .8rem; color: var(--accent); }
pre.wrap-code { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 260px; font-size: .78rem; margin-top: .3rem; }
.result.failure { display: grid; }
.release-notes { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
.release-notes pre.notes { font-family: inherit; font-size: .85rem; margin: .2rem 0 0; }
.waiting { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
.waiting > .form-error { flex-basis: 100%; }
.notice { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
.notice.warning { background: var(--warn-soft); border-color: var(--warn); }
.notice > p { margin: 0 0 .4rem; }
.warning:empty { display: none; }
.app-icon { width: 40px; height: 40px; border-radius: 9px; flex: none; object-fit: contain; }
.app-icon-large { width: 56px; height: 56px; border-radius: 12px; }
.app-icon-letter { display: inline-flex; align-items: center; justify-content: center; background: var(--idle-soft); color: var(--muted); font-weight: 700; font-size: 1.1rem; }
.app-card-head { display: flex; gap: .7rem; align-items: center; min-width: 0; }
.app-card-head > div { min-width: 0; }
.title-with-icon { display: inline-flex; gap: .7rem; align-items: center; }
.category-chip { margin-left: .4rem; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; margin: 0 0 1rem; }
.chip { font-size: .8rem; padding: .2rem .65rem; border-radius: 999px; border: 1px solid var(--line); background: var(--surface); text-decoration: none; color: inherit; }
.chip.current { background: var(--accent); border-color: var(--accent); color: #fff; }
.consequences { margin: 0; padding-left: 1.1rem; display: grid; gap: .35rem; }
.user-list li.user-item { display: block; }
.user-item { border-top: 1px solid var(--line); padding: .6rem 0; list-style: none; }
.user-item:first-child { border-top: 0; }
.user-line { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.user-edit > summary { cursor: pointer; font-size: .85rem; color: var(--accent); margin-top: .3rem; }
.user-edit[open] { display: grid; gap: .7rem; }
.stack.narrow { max-width: 26rem; }
[data-fill=done]:empty { display: none; }
.all-installs .install-main { flex-wrap: wrap; }
`;
