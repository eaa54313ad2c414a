/** The agent's version, reported in host facts: the package version, built into the bundle. */
import pkg from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = pkg.version;
