/** The committed browser bundle is the one the TypeScript sources build to (else `npm run build:ui`). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { bundleClient } from '../../../scripts/build-ui.mjs';

describe('browser bundle', () => {
  it('worker/ui/assets/app-js.generated.ts matches a fresh build of worker/ui/client', async () => {
    const fresh: string = await bundleClient();
    expect(readFileSync('worker/ui/assets/app-js.generated.ts', 'utf8') === fresh, 'stale: run npm run build:ui').toBe(true);
  });
});
