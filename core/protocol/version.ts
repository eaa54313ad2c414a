/** The signed content of one app version: what an agent installs. */
import { z } from 'zod';

/** A step of a legacy install script that is not the compose file itself. */
export const ScriptStepSchema = z.object({
  /** e.g. write-file, download, chmod, compose-up, mysql-import, unsupported. */
  kind: z.string(),
  /** 1-based line number in the original script, and the line's text, so findings quote it exactly. */
  line: z.number().int(),
  text: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
});
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

/** The immutable, signed content of one app version: what an agent installs. */
export const AppVersionContentSchema = z
  .object({
    app: z.string(),
    version: z.string(),
    kind: z.string(),
    /** Normalized Compose Specification YAML, placeholders (HOST_PORT, ...) still in place. */
    compose: z.string(),
    /** Other files the install script writes beside the compose file (e.g. a Dockerfile), by relative path. */
    files: z.record(z.string(), z.string()),
    /** Supported non-compose steps taken out of the install script, run by the agent in order. */
    steps: z.array(ScriptStepSchema),
    /** Steps of the uninstall script, when the catalog gives one. */
    uninstall_steps: z.array(ScriptStepSchema).optional(),
    /** Per-install secrets the compose and files use (NAME for APP_SECRET_NAME); generated on the HDA, never sent back. */
    secrets: z.array(z.string()).optional(),
  })
  .meta({ id: 'AppVersionContent' });
export type AppVersionContent = z.infer<typeof AppVersionContentSchema>;

/** A JWS (compact serialization) over the canonical JSON of an AppVersionContent. */
export type VersionSignature = string;

/** Values the agent substitutes into the compose (as values, never as text pasted into YAML). */
export interface InstallVars {
  HOST_PORT: number;
  APP_IDENTIFIER: string;
  APP_HOSTNAME: string;
  HDA_DOMAIN: string;
  /** The app folder; the agent fills it from its apps root (default /var/hda/web-apps/<identifier>). */
  WEBAPP_PATH?: string;
}
