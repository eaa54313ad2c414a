#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's ESM loader, so the agent runs from the source tree as is.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
