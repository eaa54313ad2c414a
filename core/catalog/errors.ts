/**
 * Typed errors of the catalog code. Every error carries the `rule` that refused the input so the API
 * and the agent can show which check failed, and `line`/`text` when a source line is known.
 */
export class CatalogError extends Error {
  readonly rule: string;
  readonly line?: number;
  readonly text?: string;
  constructor(rule: string, message: string, where?: { line?: number; text?: string }) {
    super(message);
    this.name = new.target.name;
    this.rule = rule;
    if (where?.line !== undefined) this.line = where.line;
    if (where?.text !== undefined) this.text = where.text;
  }
}

/** A placeholder value (HOST_PORT, APP_IDENTIFIER, ...) that is unsafe or invalid where it would go. */
export class PlaceholderError extends CatalogError {}

/** A compose file that cannot be read or used at all (not YAML, not a mapping, no image, ...). */
export class ComposeError extends CatalogError {}

/** An install script that cannot be understood (unterminated heredoc, a path outside the app folder, ...). */
export class ScriptError extends CatalogError {}

/** A signature that does not verify, names an unknown key, or uses a refused algorithm. */
export class SignatureError extends CatalogError {}
