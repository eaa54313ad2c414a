/**
 * `npm start`: the control plane on Node with an embedded libSQL file in ./data, on
 * http://127.0.0.1:8787 unless PORT/HOST say otherwise.
 */
import type { ClientAddressSource } from './auth/client-address';
import { startControlPlane } from './node-server';
import { startLocalAgentIfPossible } from './node-local-agent';
import { publicUrlProblem } from './services/agent-installer';
import { upkeepSettings } from './jobs/upkeep-settings';

const dataDir = process.env.DATA_DIR ?? './data';

function publicUrlFromEnv(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const problem = publicUrlProblem(value);
  if (problem) {
    console.error(`PUBLIC_URL ${problem}`);
    process.exit(2);
  }
  return value.replace(/\/+$/, '');
}

const plane = await startControlPlane({
  port: Number(process.env.PORT ?? 8787),
  host: process.env.HOST ?? '127.0.0.1',
  dbUrl: process.env.LIBSQL_URL,
  dbAuthToken: process.env.LIBSQL_AUTH_TOKEN,
  dataDir,
  seedCatalog: process.env.SEED_CATALOG !== 'false',
  config: {
    secureCookies: process.env.SECURE_COOKIES === 'true',
    // Behind a reverse proxy, name the header it sets (x-real-ip, x-forwarded-for); else the socket peer.
    clientAddressSource: (process.env.CLIENT_ADDRESS_HEADER as ClientAddressSource | undefined) ?? 'socket',
    publicUrl: publicUrlFromEnv(process.env.PUBLIC_URL),
    ...upkeepSettings((name) => process.env[name]),
  },
});

console.log(`HDA control plane listening on ${plane.url}  (database: ${process.env.LIBSQL_URL ?? `${dataDir}/hda.db`})`);
const admin = plane.seededAdmin;
if (admin?.generatedPassword) {
  console.log(
    `\nFirst start: created the admin account\n  email:    ${admin.email}\n  password: ${admin.generatedPassword}\nIt is shown only this once; set ADMIN_PASSWORD to choose it yourself.\n`,
  );
}

const agent = await startLocalAgentIfPossible(plane, { dataDir });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await agent?.stop();
    await plane.close();
    process.exit(0);
  });
}
