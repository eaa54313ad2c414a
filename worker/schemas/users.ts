/** What the account routes answer: sessions, the signed-in user, accounts, and the audit log. */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';
import { IsoTime } from './common';

export const MeSchema = z.strictObject({ id: z.string(), email: z.string(), role: z.enum(ROLES) }).openapi('Me');

export const SessionSchema = z
  .strictObject({ token: z.string().openapi({ description: 'Send as `Authorization: Bearer <token>`' }), expires_at: IsoTime, user: MeSchema })
  .openapi('Session');

export const UserSchema = z
  .strictObject({ id: z.string(), email: z.string(), role: z.enum(ROLES), disabled: z.boolean(), created_at: IsoTime })
  .openapi('User');

export const CreatedUserSchema = z.strictObject({ id: z.string(), email: z.string(), role: z.enum(ROLES), created_at: IsoTime }).openapi('CreatedUser');
export const UsersSchema = z.strictObject({ users: z.array(UserSchema) }).openapi('Users');
export const UpdatedUserSchema = z.strictObject({ user: UserSchema }).openapi('UpdatedUser');
export const PasswordChangedSchema = z
  .strictObject({ ok: z.literal(true), token: z.string().openapi({ description: 'A new session: every other one of the account has ended' }) })
  .openapi('PasswordChanged');

export const AuditEntrySchema = z
  .strictObject({
    id: z.number().int(),
    at: IsoTime,
    action: z.string(),
    actor: z.strictObject({ kind: z.enum(['user', 'agent', 'system']), id: z.string().nullable(), email: z.string().nullable() }),
    target: z.strictObject({ kind: z.string().nullable(), id: z.string().nullable() }).nullable(),
    address: z.string().nullable(),
    detail: z.unknown(),
  })
  .openapi('AuditEntry');

export const AuditPageSchema = z.strictObject({ entries: z.array(AuditEntrySchema), next_cursor: z.string().nullable() }).openapi('AuditPage');
