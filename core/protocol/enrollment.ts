/** Enrollment (`POST /agent/v1/enroll`) and the host facts an agent reports with it and with heartbeats. */
import { z } from 'zod';
import { AgentHostname } from './fields';

const FactText = z.string().max(500);
/** Facts a newer agent reports that this control plane does not know yet: kept as plain values. */
const OtherFact = z.union([FactText, z.number(), z.boolean(), z.null()]).optional();

export const HostFactsSchema = z
  .object({
    hostname: FactText.optional(),
    os: FactText.optional(),
    arch: FactText.optional(),
    cpu_model: FactText.optional(),
    cpus: z.number().optional(),
    memory_bytes: z.number().optional(),
    disk_free_bytes: z.number().optional(),
    docker_version: FactText.nullable().optional(),
    docker_api_version: FactText.nullable().optional(),
    compose_version: FactText.nullable().optional(),
    /** Which compose the agent drives: the v2 plugin (`docker compose`) or v1 (`docker-compose`). */
    compose_flavor: z.enum(['v2', 'v1']).nullable().optional(),
    apache_version: FactText.nullable().optional(),
    agent_version: FactText.optional(),
  })
  .catchall(OtherFact)
  .meta({ id: 'HostFacts' });
export type HostFacts = z.infer<typeof HostFactsSchema>;

export const EnrollRequestSchema = z
  .object({ code: z.string().min(1).max(64), hostname: AgentHostname, facts: HostFactsSchema.optional() })
  .meta({ id: 'EnrollRequest' });
export type EnrollRequest = z.input<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z
  .object({
    hda_id: z.string(),
    token: z.string(),
    domain: z.string(),
    name: z.string(),
    /** The catalog publishers' public keys (JWKS) the agent pins for verifying app versions. */
    keys: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  })
  .meta({ id: 'EnrollResponse' });
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;
