/**
 * The OpenAPI document the app serves at /api/openapi.json, built from the routes without a server
 * or a database, and what is derived from it:
 *   npm run openapi                 prints the document
 *   npm run openapi -- --types      rewrites the generated API types (scripts/openapi-types.ts)
 *   npm run openapi -- --check      exits 1 when they are older than the routes
 *   npm run lint:openapi            Redocly's recommended rules over the document
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiTypes, TYPES_FILES } from './openapi-types';
import { apiDocument, createApp } from '../worker/app';

const app = createApp(() => {
  throw new Error('the document is built without dependencies');
});
const doc = apiDocument(app);
const args = process.argv.slice(2);

if (args.includes('--types') || args.includes('--check')) {
  const text = await apiTypes(doc);
  for (const file of TYPES_FILES) {
    if (args.includes('--types')) writeFileSync(file, text);
    else if (readFileSync(file, 'utf8') !== text) {
      console.error(`${file} is stale: run npm run openapi -- --types and commit it`);
      process.exit(1);
    }
  }
} else if (args.includes('--lint')) {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const run = spawnSync('redocly', ['lint', '--extends', 'recommended', '--max-problems', '1000', file], { stdio: 'inherit', env });
  process.exit(run.status ?? 1);
} else {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}
