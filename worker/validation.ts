/** Input shapes shared by several routes. */
import { z } from '@hono/zod-openapi';

/** An app slug becomes the install identifier and a DNS label: <slug>.<domain>. */
export const Slug = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and inner dashes (a DNS label)');

export const Domain = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'must be a valid DNS name such as home.example.com',
  );

export const Id = z.string().uuid('must be an id');

export const Email = z.string().trim().toLowerCase().max(254).email();
export const Password = z.string().min(10, 'must be at least 10 characters').max(200);

export const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
