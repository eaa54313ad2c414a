/** The UI's API types are the ones the OpenAPI document generates (else `npm run openapi -- --types`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, TYPES_FILE } from '../../../scripts/openapi-types';
import { apiDocument, createApp } from '../../../worker/app';

describe('API types of the UI', () => {
  it(`${TYPES_FILE} matches the types generated from the document the routes build`, async () => {
    const doc = apiDocument(
      createApp(() => {
        throw new Error('no request is made');
      }),
    );
    const fresh = await apiTypes(doc);
    expect(readFileSync(TYPES_FILE, 'utf8') === fresh, 'stale: run npm run openapi -- --types').toBe(true);
  });
});
