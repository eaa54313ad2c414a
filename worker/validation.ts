/** Input shapes shared by several routes. */
export { AgentHostname, AgentText, HostPort } from '../core/protocol/fields';
import { DECEPTIVE } from '../core/protocol/fields';
import { z } from '@hono/zod-openapi';

/** An app slug becomes the install identifier and a DNS label: <slug>.<domain>. */
/** The slug rule, written so it also compiles as an HTML `pattern` (browsers use the `v` flag: `-` escaped). */
export const SLUG_PATTERN = '[a-z0-9]([a-z0-9\\-]*[a-z0-9])?';

export const Slug = z
  .string()
  .min(1)
  .max(40)
  .regex(new RegExp(`^(?:${SLUG_PATTERN})$`), 'must be lowercase letters, digits and inner dashes (a DNS label)');

export const Domain = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i,
    'must be a DNS name with at least one dot, such as home.example.com (apps live at <app>.<domain>)',
  );

export const Id = z.string().uuid('must be an id');

/** user@host, where host may be one label such as `localhost` (the first admin `npm start` creates). */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .regex(
    /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be an email address such as me@example.com',
  )
  .refine((s) => !DECEPTIVE.test(s), 'must not contain control, bidirectional-override or zero-width characters');

/** At sign-in any text is an answer to check, never a format error that tells what accounts look like. */
export const LoginEmail = z.string().trim().toLowerCase().min(1, 'enter your email address').max(254);
export const Password = z.string().min(10, 'must be at least 10 characters').max(200);

export const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((s) => !DECEPTIVE.test(s), 'must not contain control, bidirectional-override or zero-width characters');

/** An app icon: a small PNG, WebP or SVG as a data: URL, shown from this origin (SVG in <img> runs no script). */
export const IconUrl = z
  .string()
  .max(48 * 1024, 'must be at most 48 KB')
  .regex(/^data:image\/(png|webp|svg\+xml)(;base64)?,[A-Za-z0-9+/=%._~!$&'()*,;:@-]+$/, 'must be a PNG, WebP or SVG image as a data: URL');
