/**
 * CPU and memory of one install over up to the last 24 hours, drawn on the server as inline SVG (no
 * chart library, no script): one 5-minute slot per x unit, a line and a soft area under it, broken
 * where the HDA sent nothing. The x axis spans from the first sample (at least an hour) so a new app
 * is a line, not a dot at the edge; the y axis fits the values. Styling comes from the stylesheet.
 */
import { formatBytes } from './format';
import type { MetricsView } from './types';

const SLOT_MS = 5 * 60_000;
const HOUR_MS = 3600_000;
const MAX_HOURS = 24;
const H = 60;

/** Whole hours from the oldest sample to now, between 1 and 24. */
export function spanHours(firstAt: number | null, now: number): number {
  if (firstAt == null || !Number.isFinite(firstAt)) return MAX_HOURS;
  return Math.min(MAX_HOURS, Math.max(1, Math.ceil((now - firstAt) / HOUR_MS)));
}

const ago = (hours: number) => (hours >= 2 ? `${+hours.toFixed(1)} h ago` : `${Math.round(hours * 60)} min ago`);

/** The smallest 1, 2, 2.5 or 5 × 10^n at or above v: a round top for the y axis. */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v - 1e-9) return m * exp;
  return 10 * exp;
}

interface Point {
  x: number;
  v: number;
}

/** SVG path data for the line and the area under it, one subpath per run of adjacent slots. */
export function chartPaths(points: Point[], top: number): { line: string; area: string } {
  const runs: Point[][] = [];
  for (const p of points) {
    const run = runs[runs.length - 1];
    if (run && p.x - run[run.length - 1].x <= 2.01) run.push(p);
    else runs.push([p]);
  }
  const y = (v: number) => +(H - (Math.min(v, top) / top) * H).toFixed(2);
  const fx = (x: number) => +x.toFixed(2);
  let line = '';
  let area = '';
  for (const run of runs) {
    // A lone point is drawn across its own slot so it can be seen.
    const pts = run.length === 1 ? [run[0], { x: run[0].x + 1, v: run[0].v }] : run;
    line += `M${pts.map((p) => `${fx(p.x)},${y(p.v)}`).join('L')}`;
    area += `M${fx(pts[0].x)},${H}L${pts.map((p) => `${fx(p.x)},${y(p.v)}`).join('L')}L${fx(pts[pts.length - 1].x)},${H}Z`;
  }
  return { line, area };
}

interface ChartProps {
  kind: 'cpu' | 'memory';
  title: string;
  now: string;
  summary: string;
  points: Point[];
  top: number;
  topLabel: string;
  label: string;
  hours: number;
}

const Chart = (props: ChartProps) => {
  const { line, area } = chartPaths(props.points, props.top);
  const W = (props.hours * HOUR_MS) / SLOT_MS;
  return (
    <figure class={`chart chart-${props.kind}`} data-chart={props.kind} data-points={String(props.points.length)}>
      <figcaption class="chart-caption">
        <span class="chart-title">{props.title}</span>
        <span class="chart-now" data-chart-now="1" title="now">
          {props.now}
        </span>
        <span class="chart-summary muted small">{props.summary}</span>
      </figcaption>
      {props.points.length === 0 ? (
        <div class="chart-body chart-empty muted small">No samples in the last 24 hours yet: the HDA sends one every 5 minutes.</div>
      ) : (
        <div class="chart-body">
          <span class="chart-ymax">{props.topLabel}</span>
          <svg class="chart-svg" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={props.label}>
            <line class="chart-grid" x1="0" y1={String(H / 2)} x2={String(W)} y2={String(H / 2)} vector-effect="non-scaling-stroke" />
            <line class="chart-grid" x1="0" y1="0.5" x2={String(W)} y2="0.5" vector-effect="non-scaling-stroke" />
            {area && <path class="chart-area" d={area} />}
            {line && <path class="chart-line" d={line} fill="none" vector-effect="non-scaling-stroke" />}
            <line class="chart-base" x1="0" y1={String(H)} x2={String(W)} y2={String(H)} vector-effect="non-scaling-stroke" />
          </svg>
        </div>
      )}
      <div class="chart-axis muted tiny" aria-hidden="true">
        <span>{ago(props.hours)}</span>
        <span>{ago(props.hours / 2)}</span>
        <span>now</span>
      </div>
    </figure>
  );
};

const pct = (v: number) => `${v >= 10 ? Math.round(v) : +v.toFixed(1)}%`;

/** The "Usage" card body: current CPU and memory, and a chart of each for the last 24 hours. */
export const UsageCharts = (props: {
  metrics: MetricsView | null;
  current: { cpu_percent?: number | null; memory_bytes?: number | null } | null;
  now: number;
}) => {
  const all = (props.metrics?.points ?? []).filter((p) => Number.isFinite(Date.parse(p.at)) && Date.parse(p.at) >= props.now - MAX_HOURS * HOUR_MS);
  const hours = spanHours(all.length ? Math.min(...all.map((p) => Date.parse(p.at))) : null, props.now);
  const start = props.now - hours * HOUR_MS;
  const W = (hours * HOUR_MS) / SLOT_MS;
  const pts = all.map((p) => ({ ...p, x: (Date.parse(p.at) - start) / SLOT_MS })).filter((p) => p.x >= 0 && p.x <= W);
  const last = pts[pts.length - 1];
  const cpuNow = props.current?.cpu_percent ?? last?.cpu_avg ?? null;
  const memNow = props.current?.memory_bytes ?? last?.memory_avg ?? null;
  if (pts.length === 0 && cpuNow == null && memNow == null) {
    return <p class="muted">No usage figures yet: the HDA reports CPU and memory while the app runs, every 5 minutes.</p>;
  }
  const avg = (f: (p: (typeof pts)[number]) => number) => (pts.length ? pts.reduce((s, p) => s + f(p), 0) / pts.length : 0);
  const cpuPeak = Math.max(0, ...pts.map((p) => p.cpu_max));
  const memPeak = Math.max(0, ...pts.map((p) => p.memory_max));
  const cpuTop = niceCeil(Math.max(cpuPeak, ...pts.map((p) => p.cpu_avg), 1));
  const MB = 1024 * 1024;
  const memTop = niceCeil(Math.max(memPeak, ...pts.map((p) => p.memory_avg), MB) / MB) * MB;
  const span = `${hours} h`;
  const cpuStats = pts.length ? `average ${pct(avg((p) => p.cpu_avg))} · peak ${pct(cpuPeak)}` : null;
  const memStats = pts.length ? `average ${formatBytes(avg((p) => p.memory_avg))} · peak ${formatBytes(memPeak)}` : null;
  return (
    <div class="charts">
      <Chart
        kind="cpu"
        title="CPU"
        now={cpuNow == null ? '—' : pct(cpuNow)}
        summary={cpuStats ? `${span} ${cpuStats}` : 'no history yet'}
        points={pts.map((p) => ({ x: p.x, v: p.cpu_avg }))}
        top={cpuTop}
        topLabel={pct(cpuTop)}
        label={`CPU over the last ${span} (100% is one core): ${cpuStats ?? 'no samples'}`}
        hours={hours}
      />
      <Chart
        kind="memory"
        title="Memory"
        now={memNow == null ? '—' : formatBytes(memNow)}
        summary={memStats ? `${span} ${memStats}` : 'no history yet'}
        points={pts.map((p) => ({ x: p.x, v: p.memory_avg }))}
        top={memTop}
        topLabel={formatBytes(memTop)}
        label={`Memory over the last ${span}: ${memStats ?? 'no samples'}`}
        hours={hours}
      />
    </div>
  );
};
