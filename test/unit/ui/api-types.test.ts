/** The generated API types (the UI's, the publisher script's) are the ones the OpenAPI document generates (else `npm run openapi -- --types`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, TYPES_FILES } from '../../../scripts/openapi-types';
import { apiDocument, createApp } from '../../../worker/app';

describe('API types of the UI', () => {
  it.each(TYPES_FILES)('%s matches the types generated from the document the routes build', async (file) => {
    const doc = apiDocument(
      createApp(() => {
        throw new Error('no request is made');
      }),
    );
    const fresh = await apiTypes(doc);
    expect(readFileSync(file, 'utf8') === fresh, 'stale: run npm run openapi -- --types').toBe(true);
  });
});
