/**
 * `npm run -s keys`: prints a new catalog signing key (ES256) as the private JWK that
 * CATALOG_SIGNING_KEY holds, e.g. `npm run -s keys | npx wrangler secret put CATALOG_SIGNING_KEY`.
 */
import { newSigningKeyJson } from './dev-vars';

process.stdout.write(`${await newSigningKeyJson()}\n`);
