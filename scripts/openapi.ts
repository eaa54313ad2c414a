/**
 * `npm run openapi:dump [file]`: writes the OpenAPI document the app serves at /api/openapi.json,
 * built from the routes without a server or a database (no request reaches the app).
 */
import { writeFileSync } from 'node:fs';
import { apiDocument, createApp } from '../worker/app';

const app = createApp(() => {
  throw new Error('the document is built without dependencies');
});
const text = `${JSON.stringify(apiDocument(app), null, 2)}\n`;
const out = process.argv[2];
if (out) writeFileSync(out, text);
else process.stdout.write(text);
