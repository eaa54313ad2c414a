/** The Markdown table of a bench run: one row per figure, with its target and whether it is met. */
import type { AgentResult } from '../suites/agent';
import type { BundleResult } from '../suites/bundle';
import type { DispatchResult } from '../suites/dispatch';
import type { InstallResult } from '../suites/install';
import type { HeartbeatResult } from '../suites/heartbeat';
import type { PollResult } from '../suites/poll';
import type { PreviewResult } from '../suites/preview';
import type { ScaleResult } from '../suites/scale';
import type { SnapshotResult } from '../suites/snapshot';
import type { Machine } from './machine';

export interface BenchResults {
  machine: Machine;
  mode: 'full' | 'quick';
  /** What-if PRAGMAs applied to every control plane in this run (empty: as shipped). */
  pragmas: string[];
  /** A/B what-if: PRAGMAs of the second plane poll and scale measured (scaleB). */
  abPragmas: string[];
  scaleB?: ScaleResult;
  durationS: number;
  /** 1-minute load average at the start and end of each suite. */
  loadavg: Record<string, number[]>;
  poll?: PollResult;
  dispatch?: DispatchResult;
  scale?: ScaleResult;
  heartbeat?: HeartbeatResult;
  bundle?: BundleResult;
  agent?: AgentResult;
  install?: InstallResult;
  preview?: PreviewResult;
  snapshot?: SnapshotResult;
  errors: Record<string, string>;
}

type Row = [string, string, string, string];
const fmt = (n: number) => n.toLocaleString('en-US');
const met = (ok: boolean) => (ok ? 'yes' : '**no**');

function pollRows(p: PollResult): Row[] {
  const row = (label: string, f: PollResult['single']): Row => [
    `Idle poll, ${label}`,
    `${fmt(f.rps)} req/s, **${f.ratio}** × ceiling; p50 ${f.p50} ms, p99 ${f.p99} ms (${fmt(f.requests)} requests, ${f.errors} errors, ${f.timeouts} timeouts, ${f.non2xx} non-2xx)`,
    '≥ 0.5 × ceiling, p99 < 20 ms',
    `ratio ${met(f.ratio >= 0.5)}, p99 ${met(f.p99 < 20)}`,
  ];
  const variant: Row[] = p.variant
    ? [
        row(`one HDA token, what-if PRAGMA ${p.variant.pragmas.join(', ')}`, p.variant.single),
        row(`${fmt(p.dataset.hdas)} HDA tokens, what-if PRAGMA ${p.variant.pragmas.join(', ')}`, p.variant.spread),
      ]
    : [];
  return [
    [
      'Idle poll: ceiling (node:http 204)',
      `${fmt(p.bare.rps)} req/s; p50 ${p.bare.p50} ms, p99 ${p.bare.p99} ms (${p.bare.errors} errors, ${p.bare.non2xx} non-2xx)`,
      'baseline',
      '',
    ],
    ['Idle poll: Hono floor (204, no work)', `${fmt(p.hono.rps)} req/s = ${p.hono.ratio} × ceiling; p99 ${p.hono.p99} ms`, 'context', ''],
    row('one HDA token', p.single),
    row(`${fmt(p.dataset.hdas)} HDA tokens`, p.spread),
    ...(p.cold
      ? [
          [
            `Idle poll, ${fmt(p.dataset.hdas)} HDA tokens, no answers from memory (as on Workers or a remote libSQL)`,
            `${fmt(p.cold.rps)} req/s = ${p.cold.ratio} × ceiling; p50 ${p.cold.p50} ms, p99 ${p.cold.p99} ms (${fmt(p.cold.requests)} requests, ${p.cold.errors} errors, ${p.cold.non2xx} non-2xx)`,
            'context',
            '',
          ] as Row,
        ]
      : []),
    ...variant,
    [
      'Control plane RSS under poll load',
      `idle ${p.rssMb.idle} MB; under load median ${p.rssMb.underLoadMedian} MB, peak ${p.rssMb.underLoadPeak} MB`,
      '(reported)',
      '',
    ],
  ];
}

function dispatchRows(d: DispatchResult): Row[] {
  const l = d.longPoll;
  const i = d.interval5s;
  return [
    [
      'Dispatch latency, long-poll (wait=30)',
      `p50 **${l.p50} ms**, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms over ${l.tasks} tasks (POST sent → held: p50 ${l.fromSentP50} ms)`,
      'p50 < 100 ms',
      met(l.p50 < 100),
    ],
    [
      'Dispatch latency, 5 s interval poll',
      `p50 ${fmt(Math.round(i.p50))} ms, max ${fmt(Math.round(i.max))} ms over ${i.tasks} tasks (measured, POST at a random phase; a uniform phase averages 2,500 ms); long-poll is ${fmt(d.speedup)}× faster at p50`,
      'comparison',
      '',
    ],
  ];
}

function scaleRows(s: ScaleResult, h?: HeartbeatResult, label = ''): Row[] {
  const rows: Row[] = [
    [
      `Scale: ${fmt(s.agents)} agents, ${fmt(s.tasks)} tasks${label}`,
      `drained in **${s.drainS} s** (${s.tasksPerS} tasks/s; queuing through the API took ${s.enqueueS} s, the last task finished ${s.tailS} s after the last was queued); ${s.db.byState.succeeded ?? 0} succeeded, ${s.duplicateClaims} double claims, ${s.db.attemptsNotOne} tasks with attempts ≠ 1, ${fmt(s.db.events)}/${fmt(s.tasks * s.eventsPerTask)} events and ${fmt(s.db.results)}/${fmt(s.tasks)} results stored, ${s.agentErrors} agent errors; plane RSS ${s.planeRssParkedMb} MB with ${fmt(s.agents)} long-polls parked, peak ${s.planeRssPeakMb} MB`,
      'all final, none claimed twice, all events stored',
      met(s.ok),
    ],
  ];
  if (h) rows.push(dayRow(h));
  return rows;
}

function dayRow(h: HeartbeatResult): Row {
  return [
    `DB size per HDA after an idle day (${h.hdas} HDAs × ${fmt(h.beats)} beats + polls, simulated clock)`,
    `**${fmt(h.before.bytesPerHda)} B/HDA before, ${fmt(h.after.bytesPerHda)} B/HDA after** (row payload; growth ${h.growthBytesPerHdaPerBeat} B/HDA/beat; file ${fmt(h.before.bytes)} → ${fmt(h.after.bytes)} bytes); ${fmt(h.writesPerHdaPerDay)} writes/HDA/day; ${h.non2xx} non-2xx`,
    'does not grow with heartbeats',
    met(h.after.payloadBytes <= h.before.payloadBytes && h.after.bytes <= h.before.bytes && h.non2xx === 0),
  ];
}

function agentRows(a: AgentResult): Row[] {
  const f = (x: AgentResult['shipped']) =>
    `RSS ${x.rssMbMedian} MB (max ${x.rssMbMax}), CPU ${x.cpuPercent} % of a core${x.seenByPlane ? '' : ' (plane did not see it!)'}`;
  const rows: Row[] = [
    [
      `Agent footprint, idle (${a.windowS} s window, not 5 min)`,
      `as shipped (${a.shippedRuns === 'bundle' ? 'esbuild bundle, plain node' : 'tsx'}): ${f(a.shipped)}` +
        `${a.fallback ? `; tsx fallback RSS ${a.fallback.rssMbMedian} MB (max ${a.fallback.rssMbMax})` : ''}; node floor ${a.nodeFloorRssMb} MB`,
      '< 60 MB, < 0.5 %',
      `RSS ${met(a.shipped.rssMbMax < 60)}, CPU ${met(a.shipped.cpuPercent < 0.5)}`,
    ],
  ];
  if (a.bundled) {
    rows.push([
      'Agent footprint, bundled (esbuild, plain node)',
      f(a.bundled),
      '< 60 MB, < 0.5 %',
      `RSS ${met(a.bundled.rssMbMax < 60)}, CPU ${met(a.bundled.cpuPercent < 0.5)}`,
    ]);
  }
  return rows;
}

function installRow(i?: InstallResult): Row {
  const label = 'Install overhead vs `docker-compose up -d` (stand-in, image present)';
  const target = '≤ 1.2× + Apache reload';
  if (!i) return [label, 'not measured in this run', target, ''];
  if (i.skipped) return [label, `skipped: ${i.skipped.replace(/\|/g, '\\|')}`, target, ''];
  const steps = Object.entries(i.steps)
    .map(([s, ms]) => `${s} ${fmt(ms)}`)
    .join(', ');
  return [
    label,
    `agent ${fmt(i.agentMs)} ms vs compose ${fmt(i.composeMs)} ms: agent / compose **${i.ratio}×**; excluding the Apache reload (${fmt(i.reloadMs)} ms) ${i.ratioExReload}×; ` +
      `excluding the Apache reload and probe (${fmt(i.probeMs)} ms, max ${fmt(Math.max(...i.perRound.map((r) => r.steps.probe ?? 0)))} ms: it waits for the graceful reload to take effect) **${i.ratioExReloadProbe}×** ` +
      `(medians of ${i.rounds} alternating rounds; agent steps, ms: ${steps})`,
    target,
    // The issue's target, literally: within 1.2x of compose once the Apache reload is set aside.
    met(i.ratioExReload <= 1.2),
  ];
}

function previewRows(p: PreviewResult): Row[] {
  const size = `${Math.round(p.bytes / 1024)} KiB`;
  return [
    [
      `Preview of ordinary input, ${size}`,
      `script ${p.ordinaryMs.script} ms, compose ${p.ordinaryMs.compose} ms (medians of ${p.rounds} rounds)`,
      'baseline',
      '',
    ],
    ...p.inputs.map(
      (i): Row => [
        `Preview, ${i.name.replace(/\|/g, '\\|')} (${size})`,
        `${i.ms} ms = **${i.ratio}×** ordinary ${i.kind} (${i.status})`,
        `≤ ${p.goal}×`,
        met(i.ratio <= p.goal),
      ],
    ),
  ];
}

function bundleRows(b: BundleResult): Row[] {
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
  return [
    [
      'Workers bundle (wrangler --dry-run)',
      `**${b.gzipKiB} KiB gzip** (${b.totalKiB} KiB raw), ${ratio(b.gzipKiB, b.baseline.gzipKiB)} of wrangler's defaults (${b.baseline.gzipKiB} KiB gzip), wrangler ${b.wrangler}`,
      '≤ 200 KiB gzip',
      met(b.gzipKiB <= 200),
    ],
    [
      'Workers startup CPU (wrangler check startup, local workerd)',
      `**${b.startupCpuMs.toFixed(1)} ms**, ${ratio(b.startupCpuMs, b.baseline.startupCpuMs)} of wrangler's defaults (${b.baseline.startupCpuMs.toFixed(1)} ms); median of ${b.rounds} alternating rounds`,
      '(reported)',
      '',
    ],
  ];
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const x = (a: number, b: number) => `**${(a / b).toFixed(2)}×**`;

function snapshotRows(s: SnapshotResult): Row[] {
  const size = `${mib(s.bytes)}, ${s.files} files`;
  const rows: Row[] = [
    [`Snapshot (restic) of an app folder (${size})`, `${fmt(s.snapshotMs)} ms = ${x(s.snapshotMs, s.tarMs)} tar -cf (${fmt(s.tarMs)} ms)`, '(reported)', ''],
    [`Snapshot size on disk (${size})`, `${mib(s.repoBytes)} = ${x(s.repoBytes, s.tarBytes)} the tar (${mib(s.tarBytes)})`, '(reported)', ''],
    [`Restore of the whole folder (${size})`, `${fmt(s.restoreMs)} ms = ${x(s.restoreMs, s.untarMs)} tar -xf (${fmt(s.untarMs)} ms)`, '(reported)', ''],
    [
      `Incremental snapshot, ${mib(s.changedBytes)} (1 %) changed`,
      `${fmt(s.incrementalMs)} ms, ${mib(s.incrementalAddedBytes)} added = ${x(s.incrementalMs, s.tarIncrementalMs)} the time and ${x(s.incrementalAddedBytes, s.tarIncrementalBytes)} the size of tar --listed-incremental (${fmt(s.tarIncrementalMs)} ms, ${mib(s.tarIncrementalBytes)})`,
      '(reported)',
      '',
    ],
  ];
  const d = s.downtime;
  if (d && 'skipped' in d) rows.push(['App downtime per snapshot', `skipped: ${d.skipped}`, '(reported)', '']);
  else if (d)
    rows.push([
      'App downtime per snapshot (container stopped, snapshot, started)',
      `first ${fmt(d.firstMs)} ms, incremental ${fmt(d.incrementalMs)} ms; a bare docker stop + start: ${fmt(d.stopStartMs)} ms`,
      '(reported)',
      '',
    ]);
  return rows;
}

export function renderMarkdown(r: BenchResults): string {
  const rows: Row[] = [];
  if (r.poll) rows.push(...pollRows(r.poll));
  if (r.dispatch) rows.push(...dispatchRows(r.dispatch));
  if (r.scale) rows.push(...scaleRows(r.scale, r.heartbeat));
  else if (r.heartbeat) rows.push(dayRow(r.heartbeat));
  if (r.scaleB) rows.push(...scaleRows(r.scaleB, undefined, `, what-if PRAGMA ${r.abPragmas.join(', ')} (run after the one above)`));
  if (r.bundle) rows.push(...bundleRows(r.bundle));
  if (r.agent) rows.push(...agentRows(r.agent));
  else rows.push(['Agent footprint', 'not measured in this run', '< 60 MB, < 0.5 %', '']);
  rows.push(installRow(r.install));
  if (r.preview) rows.push(...previewRows(r.preview));
  if (r.snapshot) rows.push(...snapshotRows(r.snapshot));
  for (const [suite, message] of Object.entries(r.errors)) rows.push([`${suite} (failed)`, message.replace(/\|/g, '\\|').slice(0, 300), '', '**no**']);

  const m = r.machine;
  const p = r.poll;
  const loads = Object.values(r.loadavg).flat();
  const load = loads.length ? `; 1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run` : '';
  const lines = [
    `### Benchmarks (${r.mode} run, ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.durationS)} s)`,
    '',
    ...(r.abPragmas.length
      ? [`**A/B what-if run**: rows marked "what-if" ran a second control plane with PRAGMA ${r.abPragmas.join(', ')} on its connection.`, '']
      : []),
    ...(r.pragmas.length ? [`**What-if run, not the shipped configuration**: PRAGMA ${r.pragmas.join(', ')} on every control plane's connection.`, ''] : []),
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}${load}. Shared and noisy: throughput figures are ratios to a baseline measured in the same run, medians over rounds.`,
    '',
    'Requests/s and latencies are medians of the rounds; "× ceiling" is the median of each round\'s ratio to the node:http ceiling of that round.',
    '',
    '| Benchmark | Measured | Target | Met |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ];
  if (p) {
    lines.push(
      `Idle poll: libSQL file of ${fmt(p.dataset.hdas)} HDAs, ${fmt(p.dataset.tasks)} tasks, ${fmt(p.dataset.taskEvents)} task events (${p.dataset.mb} MB), ` +
        `autocannon at ${p.connections} connections, ${p.rounds} rounds of ${p.seconds} s per server, alternating; servers in child processes; ` +
        `every HDA's last_seen spread over the last minute and every HDA polled once before the rounds (the steady state of agents polling all along), so the ${fmt(p.dataset.hdas)}-token run also carries ` +
        `the last_seen refresh every HDA causes (one write per HDA per minute, about ${fmt(Math.round(p.dataset.hdas / 60))} writes/s). ` +
        `The ${fmt(p.dataset.hdas)}-token run sends one prebuilt request per token, as the ceiling's run sends its one; the run without answers from memory builds each request with the next token.`,
      '',
    );
  }
  return lines.join('\n');
}
