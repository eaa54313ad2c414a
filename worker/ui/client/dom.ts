/** DOM helpers of the browser code: lookups, an element builder that only ever sets text, badges. */
import { toneOf } from '../tones';

/** Where a lookup starts (the page or an element); narrower than ParentNode, which the Workers types redefine. */
export type Scope = Pick<ParentNode, 'querySelector' | 'querySelectorAll'>;

export function $<T = HTMLElement>(sel: string, root: Scope = document): T | null {
  return root.querySelector(sel) as T | null;
}

export function $all<T = HTMLElement>(sel: string, root: Scope = document): T[] {
  return Array.from(root.querySelectorAll(sel)) as T[];
}

/** The element `sel` must find: a missing one is a page bug, named. */
export function must<T = HTMLElement>(sel: string, root: Scope = document): T {
  const el = $<T>(sel, root);
  if (!el) throw new Error(`page element ${sel} is missing`);
  return el;
}

export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Kid = Node | string | null | undefined | false;

/** Builds an element; text always goes in as text, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, children: Kid[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = String(v);
    else if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c == null || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function setBadge(el: Element | null, state: string, label?: string | null, tone?: string): void {
  if (!el) return;
  el.className = `badge tone-${tone ?? toneOf(state)}`;
  el.setAttribute('data-state', state);
  el.textContent = sentence(label || String(state).replace(/_/g, ' '));
}

export function fill(root: Scope, key: string, text: string): void {
  for (const el of $all(`[data-fill="${key}"]`, root)) el.textContent = text;
}

export function fillHref(root: Scope, key: string, href: string): void {
  for (const el of $all(`[data-fill-href="${key}"]`, root)) el.setAttribute('href', href);
}

export function selectText(el: Element | null): void {
  if (!el) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

/** A failure's words first and the tool output one click away, as the server pages draw it. */
export function failureBlock(summary: string, raw: string, lead = ''): HTMLElement {
  return h('div', { class: 'failure' }, [
    h('p', { class: 'failure-summary', text: lead + summary }),
    raw ? h('details', { class: 'failure-raw' }, [h('summary', { text: 'Show the output' }), h('pre', { class: 'code wrap-code', text: raw })]) : null,
  ]);
}
