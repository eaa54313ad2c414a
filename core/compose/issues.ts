/** zod issues on a compose file as findings: the rule, the service, the key path, the line and its text. */
import type { z } from 'zod';
import type { ComposeDoc } from '../catalog/compose';
import type { Finding } from '../catalog/types';

type Issue = z.core.$ZodIssue;
type Path = Array<string | number>;

/** `services.web.build.network` as the reader sees it. */
export function describePath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function serviceOf(path: Path): string | undefined {
  return path[0] === 'services' && typeof path[1] === 'string' ? path[1] : undefined;
}

export function locate(doc: ComposeDoc, path: Path): { line?: number; text?: string } {
  const line = doc.lineOf(path);
  return line ? { line, text: doc.lineText(line) } : {};
}

/** A union's issues come from every branch: keep the branch of the value's own type (e.g. the mapping form). */
function flatten(issue: Issue, base: Path): Array<{ issue: Issue; path: Path }> {
  const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] as Path;
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !issue.errors.length) return [{ issue, path }];
  const matching = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (matching.length !== 1) return [{ issue, path }];
  return matching[0].flatMap((i) => flatten(i, path));
}

function expected(issue: Issue): string {
  if (issue.code === 'invalid_union') return 'this value has none of the forms the Compose Specification allows here';
  return issue.message;
}

export function issuesToFindings(issues: readonly Issue[], doc: ComposeDoc): Finding[] {
  const out: Finding[] = [];
  for (const { issue, path } of issues.flatMap((i) => flatten(i, []))) {
    const service = serviceOf(path);
    const prefix = service ? `service "${service}": ` : '';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...path, key];
        out.push({
          severity: 'error',
          rule: 'unknown-key',
          message: `${prefix}unknown key "${key}" at ${describePath(at)} (not in the Compose Specification; refused rather than ignored)`,
          ...(service ? { service } : {}),
          ...locate(doc, at),
        });
      }
      continue;
    }
    out.push({
      severity: 'error',
      rule: 'compose-schema',
      message: `${prefix}${describePath(path) || 'the file'}: ${expected(issue)}`,
      ...(service ? { service } : {}),
      ...locate(doc, path),
    });
  }
  return out;
}
