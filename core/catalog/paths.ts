/**
 * POSIX path helpers without node:path (core/ also runs on Workers), and the one rule every path from
 * the catalog must follow: relative, inside the app folder, no `..`, nothing bash would expand.
 */

/** Normalizes an absolute or relative POSIX path: collapses `.`, `..` and duplicate slashes. */
export function normalizePosix(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/** True when `child` (absolute, normalized) is `root` or below it. */
export function isWithin(child: string, root: string): boolean {
  const r = normalizePosix(root);
  const c = normalizePosix(child);
  return c === r || c.startsWith(r === '/' ? '/' : `${r}/`);
}

const SAFE_SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9._+@,-]*$/;

/**
 * The app-relative form of a path a script names (`html/include/config.inc.php`, `./x`,
 * `WEBAPP_PATH/x`), or an error message when it is absolute, escapes the folder or needs expansion.
 */
export function appRelativePath(p: string): { path: string } | { error: string } {
  let s = p;
  if (s === 'WEBAPP_PATH') return { path: '.' };
  if (s.startsWith('WEBAPP_PATH/')) s = s.slice('WEBAPP_PATH/'.length);
  while (s.startsWith('./')) s = s.slice(2);
  if (s === '' || s === '.') return { path: '.' };
  if (s.startsWith('/')) return { error: `"${p}" is an absolute path; files must stay inside the app folder` };
  if (s.endsWith('/')) s = s.replace(/\/+$/, '');
  const segs = s.split('/');
  if (segs.some((x) => x === '..')) return { error: `"${p}" uses ".." to leave the app folder` };
  for (const seg of segs) {
    if (seg === '' || seg === '.') return { error: `"${p}" has an empty or "." segment` };
    if (!SAFE_SEGMENT.test(seg)) return { error: `"${p}" has characters that are not allowed in an app file path` };
  }
  return { path: segs.join('/') };
}
