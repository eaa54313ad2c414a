/** Field schemas several protocol messages share. */
import { z } from 'zod';
import { OWNER_PORT_RANGE } from './limits';

/** Characters that make text display as something else: controls, bidi overrides, zero-width marks. */
export const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** Text an agent reports (messages, details): kept, but a NUL, which SQLite would cut at, is replaced. */
export const AgentText = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => s.replace(/\u0000/g, '\ufffd'));

/** The hostname an agent enrolls with: printable, one line. */
export const AgentHostname = z
  .string()
  .min(1)
  .max(253)
  .refine((s) => !DECEPTIVE.test(s), 'must be one line of printable characters');

/** A host port an owner may give an install: above the system services' ports. */
export const HostPort = z
  .number()
  .int('must be a whole number')
  .min(OWNER_PORT_RANGE.from, `must be from ${OWNER_PORT_RANGE.from} to ${OWNER_PORT_RANGE.to} (ports below ${OWNER_PORT_RANGE.from} are for system services)`)
  .max(OWNER_PORT_RANGE.to, `must be from ${OWNER_PORT_RANGE.from} to ${OWNER_PORT_RANGE.to}`);

/** Any TCP port number. */
export const Port = z.number().int().min(1).max(65535);

/** An install's identifier on the HDA (the app slug, or slug-N). */
export const InstallIdentifier = z.string().max(64);

/** The step an agent names in an event or a result. Old and newer agents may name others: kept as text. */
export const StepField = z.string().max(40);
