/**
 * The allow-list policy over the Compose model, run at publish (placeholders in place) and on the host
 * (rendered, with the real app folder and the ports other installs hold). Every key is looked up in
 * the rule tables; a refusal names its rule, service, line and text. An owner exception names a rule
 * and turns its refusal into an info finding.
 */
import type { Finding, Severity } from '../catalog/types';
import { locate, serviceOf } from './issues';
import type { ComposeModel } from './model';
import { makeContext, serviceScope, type Path, type PolicyContext, type PolicyOptions } from './rules/context';
import { RULES, type RuleId } from './rules/ids';
import { SERVICE_RULES } from './rules/service';
import { applyTable, type KeyTable } from './rules/table';
import { NETWORK_RULES, SECRET_RULES, TOP_RULES, VOLUME_RULES, type EntryScope } from './rules/top';

export type { PolicyOptions } from './rules/context';

const MAX_PER_RULE = 20;

export function checkModel(model: ComposeModel, opts: PolicyOptions): Finding[] {
  const findings: Finding[] = [];
  const counts = new Map<string, number>();
  const exceptions = new Set(opts.exceptions ?? []);
  const raise = (rule: RuleId, message: string, path: Path, severity: Severity = RULES[rule].severity) => {
    const n = (counts.get(rule) ?? 0) + 1;
    counts.set(rule, n);
    if (n > MAX_PER_RULE) return;
    const service = serviceOf(path);
    const f: Finding = { severity, rule, message, ...(service ? { service } : {}), ...locate(model.doc, path) };
    if (severity !== 'info' && RULES[rule].waiver === 'owner' && exceptions.has(rule)) {
      Object.assign(f, { severity: 'info', allowed_by_exception: true, message: `${message} (allowed by the owner's "${rule}" exception)` });
    }
    findings.push(f);
  };
  const ctx = makeContext(model.spec, opts, raise);
  applyTable(model.spec, TOP_RULES, ctx, (rule, msg, key) => raise(rule, msg, [key]));
  for (const [name, svc] of Object.entries(model.spec.services)) {
    const scope = serviceScope(ctx, name, svc);
    applyTable(svc, SERVICE_RULES, scope, (rule, msg, key) => scope.raise(rule, msg, key));
  }
  checkEntries(ctx, 'networks', NETWORK_RULES);
  checkEntries(ctx, 'volumes', VOLUME_RULES);
  checkEntries(ctx, 'secrets', SECRET_RULES);
  checkEntries(ctx, 'configs', SECRET_RULES);
  if (!ctx.appPortSeen && (opts.phase === 'publish' || opts.hostPort !== undefined)) {
    raise('no-host-port', 'no port mapping uses HOST_PORT, so Apache has no web UI to proxy to', ['services', Object.keys(model.spec.services)[0], 'ports']);
  }
  checkInterpolation(model.spec, raise);
  return findings;
}

function checkEntries<T extends object>(ctx: PolicyContext, kind: EntryScope['kind'], table: KeyTable<T, EntryScope>): void {
  const singular = kind.slice(0, -1);
  for (const [name, def] of Object.entries(ctx.spec[kind] ?? {})) {
    if (!def) continue;
    const scope: EntryScope = { ctx, kind, name, raise: (rule, msg, ...path) => ctx.raise(rule, `${singular} "${name}": ${msg}`, [kind, name, ...path]) };
    applyTable(def as T, table, scope, (rule, msg, key) => scope.raise(rule, msg, key));
  }
}

/** Compose expands `$VAR`/`${VAR}` from the environment of whoever runs it: on the host, the agent's. */
function checkInterpolation(spec: unknown, raise: PolicyContext['raise']): void {
  const stack: Array<[unknown, Path]> = [[spec, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!v.replace(/\$\$/g, '').includes('$')) continue;
      const service = serviceOf(path);
      raise(
        'variable-interpolation',
        `${service ? `service "${service}": ` : ''}"${v.slice(0, 60)}" uses $-interpolation, which would read the agent's environment; write $$ for a literal $`,
        path,
      );
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stack.push([x, [...path, i]]);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push([x, [...path, k]]);
  }
}
