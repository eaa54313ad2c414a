/**
 * Per-app CPU and memory history. The agent averages each app over 5-minute windows; here each
 * sample is stored once (idempotent on its window) and added into its hourly row as it arrives; upkeep
 * (worker/jobs/prune.ts) drops rows past their retention, so the table stays bounded per app.
 */
import type { z } from '@hono/zod-openapi';
import type { MetricsSchema } from '../schemas/installs';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { METRICS_WINDOW_S, type AppMetricSample } from '../../core/protocol';
import { appMetrics } from '../../db/schema';
import type { Deps } from '../context';

const HOUR = 3600_000;
/** 5-minute rows are kept (and accepted) this long; hourly rows as long as config.metricsRetentionDays says. */
export const FIVE_MINUTE_RETENTION_MS = 48 * HOUR;

/** How far ahead of the control plane's clock an agent's window may end (clocks drift a little). */
const FUTURE_SLACK_MS = 2 * METRICS_WINDOW_S * 1000;

/**
 * Samples worth storing: of the HDA's own installs, inside the 5-minute retention and not in the
 * future, so an agent can neither fill the table with made-up apps nor with rows retention never drops.
 */
export function acceptedSamples(samples: AppMetricSample[], ownIdentifiers: ReadonlySet<string>, now: number): AppMetricSample[] {
  return samples.filter((m) => {
    const at = Date.parse(m.at);
    return ownIdentifiers.has(m.identifier) && Number.isFinite(at) && at >= now - FIVE_MINUTE_RETENTION_MS && at <= now + FUTURE_SLACK_MS;
  });
}

/** Statements that store the samples (already through acceptedSamples) and add each into its hour; upkeep prunes. */
export function metricStatements(deps: Deps, hdaId: string, samples: AppMetricSample[]): BatchItem<'sqlite'>[] {
  const out: BatchItem<'sqlite'>[] = [];
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
    out.push(addToHour(deps, hdaId, m, bucketStart - (bucketStart % HOUR)));
  }
  return out;
}

/**
 * Adds one sample into its hourly row (sample-weighted averages, maxima): a constant amount of work
 * per sample. `changes() = 1` runs it only when the 5-minute insert just before it stored a new row,
 * so a re-sent sample never counts twice.
 */
function addToHour(deps: Deps, hdaId: string, m: AppMetricSample, hour: number) {
  const t = appMetrics;
  const weighted = (avg: typeof t.cpuAvg | typeof t.memAvg, name: string) =>
    sql`(${avg} * ${t.samples} + ${sql.raw(`excluded.${name}`)} * excluded.samples) / (${t.samples} + excluded.samples)`;
  // A query builder, not db.run(): drizzle's D1 batch cannot carry a raw statement with parameters.
  return deps.db
    .insert(t)
    .select(
      sql`SELECT ${hdaId}, ${m.identifier}, '1h', ${hour}, ${m.cpu_avg}, ${m.cpu_max}, ${m.memory_avg}, ${m.memory_max}, ${m.samples} WHERE changes() = 1`,
    )
    .onConflictDoUpdate({
      target: [t.hdaId, t.identifier, t.resolution, t.bucketStart],
      set: {
        cpuAvg: weighted(t.cpuAvg, 'cpu_avg'),
        cpuMax: sql`max(${t.cpuMax}, excluded.cpu_max)`,
        memAvg: weighted(t.memAvg, 'mem_avg'),
        memMax: sql`max(${t.memMax}, excluded.mem_max)`,
        samples: sql`${t.samples} + excluded.samples`,
      },
    });
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
