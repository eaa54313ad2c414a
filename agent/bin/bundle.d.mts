// Types of bundle.mjs, for the TypeScript that uses it (bench, tests).
export declare const ROOT: string;
export declare const DIST: string;
export declare const AGENT_BUNDLE: string;
export declare const AGENT_MANIFEST: string;
export declare function sha256(path: string): string;
/** Defaults: this tree's ROOT, AGENT_BUNDLE and AGENT_MANIFEST. */
export declare function bundleState(where?: {
  root: string;
  bundle: string;
  manifest: string;
}): { fresh: true; why?: undefined } | { fresh: false; why: string };
