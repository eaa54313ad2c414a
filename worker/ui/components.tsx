/** Small building blocks the pages share. Everything printed goes through JSX, which escapes it. */
import type { Child } from 'hono/jsx';
import type { HostFacts } from '../../core/protocol';
import { factRows, formatTime, timeAgo } from './format';
import { toneOf } from './tones';
import type { Finding } from './types';

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const Badge = (props: { state: string | null | undefined; label?: string; tone?: string; attrs?: Record<string, string> }) => (
  <span class={`badge tone-${props.tone ?? toneOf(props.state)}`} data-state={props.state ?? ''} {...(props.attrs ?? {})}>
    {sentence(props.label ?? (props.state ?? 'unknown').replace(/_/g, ' '))}
  </span>
);

export const When = (props: { iso: string | null | undefined; now: number; relative?: boolean }) =>
  props.iso ? (
    <time datetime={props.iso} title={formatTime(props.iso)}>
      {props.relative === false ? formatTime(props.iso) : timeAgo(props.iso, props.now)}
    </time>
  ) : (
    <span class="muted">never</span>
  );

export const PageHeader = (props: { title: Child; subtitle?: Child; back?: { href: string; label: string }; actions?: Child }) => (
  <div class="page-header">
    {props.back && (
      <a class="back" href={props.back.href}>
        ← {props.back.label}
      </a>
    )}
    <div class="page-header-row">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </div>
  </div>
);

export const Empty = (props: { children: Child }) => <div class="empty">{props.children}</div>;

export const FormError = () => <div class="form-error" role="alert" hidden></div>;

export const Facts = (props: { facts: HostFacts | null; compact?: boolean }) => {
  if (!props.facts) return <p class="muted">No host facts yet: they arrive with the agent's first report.</p>;
  const rows = factRows(props.facts);
  return (
    <dl class={props.compact ? 'facts facts-compact' : 'facts'}>
      {(props.compact ? rows.slice(0, 5) : rows).map(([k, v]) => (
        <div class="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
};

const SEVERITY_WORD: Record<string, string> = { error: 'Blocked', review: 'Needs review', warning: 'Warning', info: 'Note' };

export const Findings = (props: { findings: Finding[]; emptyText?: string }) =>
  props.findings.length === 0 ? (
    <p class="muted">{props.emptyText ?? 'No findings: nothing in this app asks for more than the safety policy allows.'}</p>
  ) : (
    <ul class="findings">
      {props.findings.map((f) => (
        <li class={`finding sev-${f.severity}`}>
          <span class="finding-sev">{SEVERITY_WORD[f.severity] ?? f.severity}</span>
          <span class="finding-rule">{f.rule}</span>
          <span class="finding-msg">{f.message}</span>
          {f.line ? (
            <code class="finding-line">
              line {f.line}: {f.text ?? ''}
            </code>
          ) : null}
        </li>
      ))}
    </ul>
  );

export const Card = (props: { title?: Child; children: Child; class?: string; actions?: Child }) => (
  <section class={`card ${props.class ?? ''}`}>
    {(props.title || props.actions) && (
      <div class="card-head">
        {props.title && <h2>{props.title}</h2>}
        {props.actions}
      </div>
    )}
    {props.children}
  </section>
);

/** An HDA's tags as small chips (tags are slugs: lowercase letters, digits and dashes). */
export const Tags = (props: { tags: string[] }) =>
  props.tags.length ? (
    <span class="tags">
      {props.tags.map((t) => (
        <span class="tag-chip">{t}</span>
      ))}
    </span>
  ) : null;

/** An app's icon (a data: image from the catalog), else its initial on a tile. */
export const AppIcon = (props: { name: string; icon: string | null | undefined; size?: 'small' | 'large' }) =>
  props.icon?.startsWith('data:image/') ? (
    <img
      class={`app-icon app-icon-${props.size ?? 'small'}`}
      src={props.icon}
      alt=""
      width={props.size === 'large' ? 56 : 40}
      height={props.size === 'large' ? 56 : 40}
    />
  ) : (
    <span class={`app-icon app-icon-${props.size ?? 'small'} app-icon-letter`} aria-hidden="true">
      {(props.name.trim().charAt(0) || '?').toUpperCase()}
    </span>
  );

/** Category words for people: "home-automation" reads "Home automation". */
export const categoryLabel = (c: string) => sentence(c.replace(/-/g, ' '));

/** The enrollment command the browser fills in (inside #enrollment-result), with its warning and a copy button. */
export const EnrollmentCommandBlock = () => (
  <>
    <p class="small warning" data-fill="warning"></p>
    <div class="command">
      <pre>
        <code data-fill="command"></code>
      </pre>
      <button type="button" class="btn btn-small" data-click="copy" data-copy-from="#enrollment-result [data-fill=command]">
        Copy
      </button>
    </div>
  </>
);
