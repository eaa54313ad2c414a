/**
 * The Content-Security-Policy of every UI page: scripts only from this origin (no inline script, no
 * eval), styles only from this origin, fetch and EventSource only to this origin, no framing.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
