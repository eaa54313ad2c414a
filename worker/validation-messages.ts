/**
 * Validation refusals as sentences about the field ("Name is required", "Domain must be a DNS name
 * such as home.example.com"), made in one place from zod's issues for every route.
 */
import type { z } from '@hono/zod-openapi';

/** What a field is called in a sentence; a field not named here is called by its path. */
const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  domain: 'Domain',
  email: 'Email',
  password: 'Password',
  current_password: 'Current password',
  new_password: 'New password',
  role: 'Role',
  slug: 'Slug',
  tags: 'Tags',
  version: 'Version',
  kind: 'Kind',
  app: 'App',
  description: 'Description',
  homepage: 'Homepage',
  category: 'Category',
  icon_url: 'Icon',
  action: 'Action',
  compose: 'Compose file',
  install_script: 'Install script',
  concurrency: 'Concurrency',
  hdas: 'HDAs',
  tag: 'Tag',
  cpus: 'CPUs',
  memory_mb: 'Memory',
};

type Issue = z.core.$ZodIssue;

function fieldName(path: PropertyKey[]): string {
  if (path.length === 0) return 'The request';
  const named = [...path].reverse().find((p) => typeof p === 'string') as string | undefined;
  const label = named ? (FIELD_NAMES[named] ?? named) : 'A value';
  const index = path.find((p) => typeof p === 'number');
  return typeof index === 'number' && named && path[path.length - 1] === index ? `${label} (item ${index + 1})` : label;
}

const unit = (origin: unknown, n: number) =>
  origin === 'string' ? ` character${n === 1 ? '' : 's'}` : origin === 'array' || origin === 'set' ? ` item${n === 1 ? '' : 's'}` : '';

function predicate(issue: Issue): string {
  switch (issue.code) {
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string' && n === 1) return 'is required';
      return `must be at least ${n}${unit(issue.origin, n)}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      return `must be at most ${n}${unit(issue.origin, n)}`;
    }
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `has fields this request does not take: ${issue.keys.join(', ')}`;
    default:
      // Our own messages are written as predicates ("must be ..."); zod's defaults are not.
      return /^(must|is|has|cannot) /.test(issue.message) ? issue.message : `is not valid (${issue.message})`;
  }
}

export function issueSentence(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return `The request ${predicate(issue)}.`;
  return `${fieldName(issue.path)} ${predicate(issue)}.`;
}

/** Every issue as one sentence each, first one first. */
export const issuesMessage = (issues: Issue[]) => issues.map(issueSentence).join(' ');
