/**
 * Per-app CPU and memory history. The agent averages each app over 5-minute windows; here each
 * sample is stored once (idempotent on its window), its hour is recomputed from the 5-minute rows,
 * and rows past their retention are dropped, so the table stays bounded per app.
 */
import type { z } from '@hono/zod-openapi';
import type { MetricsSchema } from '../schemas/installs';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { METRICS_WINDOW_S, type AppMetricSample } from '../../core/protocol';
import { appMetrics } from '../../db/schema';
import type { Deps } from '../context';

const HOUR = 3600_000;
export const RETENTION_MS = { '5m': 48 * HOUR, '1h': 30 * 24 * HOUR } as const;

/** How far ahead of the control plane's clock an agent's window may end (clocks drift a little). */
const FUTURE_SLACK_MS = 2 * METRICS_WINDOW_S * 1000;

/**
 * Samples worth storing: of the HDA's own installs, inside the 5-minute retention and not in the
 * future, so an agent can neither fill the table with made-up apps nor with rows retention never drops.
 */
export function acceptedSamples(samples: AppMetricSample[], ownIdentifiers: ReadonlySet<string>, now: number): AppMetricSample[] {
  return samples.filter((m) => {
    const at = Date.parse(m.at);
    return ownIdentifiers.has(m.identifier) && Number.isFinite(at) && at >= now - RETENTION_MS['5m'] && at <= now + FUTURE_SLACK_MS;
  });
}

/** Statements that store the samples (already through acceptedSamples), roll their hours up and prune. */
export function metricStatements(deps: Deps, hdaId: string, samples: AppMetricSample[]): BatchItem<'sqlite'>[] {
  const out: BatchItem<'sqlite'>[] = [];
  const hours = new Map<string, { identifier: string; hour: number }>();
  for (const m of samples) {
    const at = Date.parse(m.at);
    const bucketStart = at - (at % (METRICS_WINDOW_S * 1000));
    out.push(
      deps.db
        .insert(appMetrics)
        .values({
          hdaId,
          identifier: m.identifier,
          resolution: '5m',
          bucketStart,
          cpuAvg: m.cpu_avg,
          cpuMax: m.cpu_max,
          memAvg: m.memory_avg,
          memMax: m.memory_max,
          samples: m.samples,
        })
        .onConflictDoNothing(),
    );
    const hour = bucketStart - (bucketStart % HOUR);
    hours.set(`${m.identifier}@${hour}`, { identifier: m.identifier, hour });
  }
  for (const { identifier, hour } of hours.values()) {
    // Recomputed from the 5-minute rows, so a re-sent sample cannot count twice.
    out.push(
      deps.db.run(sql`
        INSERT INTO app_metrics (hda_id, identifier, resolution, bucket_start, cpu_avg, cpu_max, mem_avg, mem_max, samples)
        SELECT hda_id, identifier, '1h', ${hour}, sum(cpu_avg * samples) / sum(samples), max(cpu_max), sum(mem_avg * samples) / sum(samples), max(mem_max), sum(samples)
        FROM app_metrics
        WHERE hda_id = ${hdaId} AND identifier = ${identifier} AND resolution = '5m' AND bucket_start >= ${hour} AND bucket_start < ${hour + HOUR}
        GROUP BY hda_id, identifier
        ON CONFLICT (hda_id, identifier, resolution, bucket_start) DO UPDATE SET
          cpu_avg = excluded.cpu_avg, cpu_max = excluded.cpu_max, mem_avg = excluded.mem_avg, mem_max = excluded.mem_max, samples = excluded.samples`),
    );
  }
  if (samples.length > 0) {
    const now = deps.now();
    out.push(
      deps.db.run(sql`DELETE FROM app_metrics WHERE hda_id = ${hdaId} AND (
        (resolution = '5m' AND bucket_start < ${now - RETENTION_MS['5m']}) OR (resolution = '1h' AND bucket_start < ${now - RETENTION_MS['1h']}))`),
    );
  }
  return out;
}

/** The history of one app: 5-minute points for the last `hours` (<= 48), else hourly ones. */
export async function appHistory(deps: Deps, hdaId: string, identifier: string, hours: number): Promise<z.output<typeof MetricsSchema>> {
  const resolution = hours <= 48 ? '5m' : '1h';
  const rows = await deps.db
    .select()
    .from(appMetrics)
    .where(
      and(
        eq(appMetrics.hdaId, hdaId),
        eq(appMetrics.identifier, identifier),
        eq(appMetrics.resolution, resolution),
        gte(appMetrics.bucketStart, deps.now() - hours * HOUR),
      ),
    )
    .orderBy(asc(appMetrics.bucketStart));
  return {
    resolution,
    points: rows.map((r) => ({
      at: new Date(r.bucketStart).toISOString(),
      cpu_avg: r.cpuAvg,
      cpu_max: r.cpuMax,
      memory_avg: r.memAvg,
      memory_max: r.memMax,
      samples: r.samples,
    })),
  };
}
