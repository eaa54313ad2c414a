/**
 * The owner's settings for how an HDA serves its apps on the home network: where the apps' names are
 * published, whether plain HTTP redirects to HTTPS, and where certificates come from (the HDA's own CA,
 * or an ACME CA for a public domain). Kept on the control plane, handed to the agent by a
 * `lan-settings` task; the agent keeps the last applied ones, and they override its own flags.
 */
import { z } from 'zod';
import { NAMES_MODES, TLS_MODES } from './lan-modes';
import { ACME_DIRECTORY_RULE, ACME_EMAIL, ACME_EMAIL_NEEDED, isAcmeDirectory } from './lan-settings-rules';

export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

const AcmeDirectory = z.string().max(500).refine(isAcmeDirectory, ACME_DIRECTORY_RULE);

export const LanSettingsSchema = z
  .strictObject({
    names: z.enum(NAMES_MODES),
    https_redirect: z.boolean(),
    certificates: z.enum(TLS_MODES),
    /** The ACME account's contact; needed when certificates is acme. */
    acme_email: z.string().max(254).regex(ACME_EMAIL, 'must be an email address').optional(),
    /** The ACME directory URL; Let's Encrypt when absent. */
    acme_directory: AcmeDirectory.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.certificates === 'acme' && !s.acme_email) ctx.addIssue({ code: 'custom', path: ['acme_email'], message: ACME_EMAIL_NEEDED });
  })
  .meta({ id: 'LanSettings' });
export type LanSettings = z.infer<typeof LanSettingsSchema>;
