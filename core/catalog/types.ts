/** Shared shapes of the catalog pipeline (publish side and host side). */

export type Severity = 'error' | 'review' | 'warning' | 'info';

/**
 * One thing the pipeline noticed about an app version. `rule` is a stable id (policy rules are part of
 * the API: owner exceptions name them). `line`/`text` quote the source: the install script's line when
 * the version came from a script, otherwise the compose file's line.
 */
export interface Finding {
  severity: Severity;
  rule: string;
  message: string;
  service?: string;
  line?: number;
  text?: string;
  allowed_by_exception?: boolean;
}

export type VersionStatus = 'ready' | 'needs_review' | 'rejected';
