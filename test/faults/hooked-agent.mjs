#!/usr/bin/env node
// `hda-agent` with the fault suite's hooks (agent-hooks.ts): the same CLI as agent/bin/hda-agent.mjs,
// loaded through tsx, with FAULT_HOLD deciding where it stops so a test can kill it there.
import { register } from 'tsx/esm/api';

register();
await import('./agent-hooks.ts');
const { main } = await import('../../agent/cli.ts');
process.exitCode = await main(process.argv.slice(2));
