/**
 * Shared by the lifecycle tests (issue 6): stand-in images with bytes of their own (so an image
 * removal frees something and two versions are really different images), compose files for them,
 * the events of a task, and a client that keeps requesting an app through Apache and counts failures.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type Docker from 'dockerode';
import type { LogChunk, TaskEventInput } from '../../core/protocol';
import type { Testbed } from './testbed';

/**
 * Builds `ref` FROM the stand-in with `kb` random kilobytes and a page saying "Stand-in for <app>",
 * pushes it to the testbed registry and removes it from the host, so the agent pulls it like any
 * image from a registry. `ref` must name the testbed registry. Returns the image id.
 */
export function buildVariant(tb: Testbed, ref: string, app: string, kb = 256): string {
  const docker = (...args: string[]) => spawnSync('docker', ['-H', `unix://${tb.dockerSocket}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  // The ref in the RUN line keeps the build cache from sharing one random layer between variants.
  const dockerfile = `FROM ${tb.standinImage}\nRUN head -c ${kb * 1024} /dev/urandom > /variant.bin && echo ${ref} > /variant.txt\nENV STANDIN_APP=${app}\n`;
  const built = spawnSync('docker', ['-H', `unix://${tb.dockerSocket}`, 'build', '-q', '-t', ref, '-'], {
    input: dockerfile,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (built.status !== 0) throw new Error(`docker build ${ref} failed: ${built.stderr}`);
  const pushed = docker('push', '-q', ref);
  if (pushed.status !== 0) throw new Error(`docker push ${ref} failed: ${pushed.stderr}`);
  docker('rmi', ref);
  return built.stdout.trim();
}

export async function removeImagesByName(docker: Docker, names: string[]): Promise<void> {
  for (const n of names)
    await docker
      .getImage(n)
      .remove({ force: true })
      .catch(() => undefined);
}

export async function imageExists(docker: Docker, idOrRef: string): Promise<boolean> {
  return docker
    .getImage(idOrRef)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/** A web app from a stand-in image: prints a line to stdout and one to stderr, then serves its page. */
export function appCompose(image: string, o: { containerName?: boolean; zeroDowntime?: boolean; ticks?: boolean; extra?: string } = {}): string {
  // With ticks, a background loop prints "tick <n>" every second (for following the logs).
  const ticks = o.ticks ? '(n=0; while :; do n=$$((n+1)); echo tick $$n; sleep 1; done) & ' : '';
  return `services:
  web:
    image: ${image}
${o.containerName ? '    container_name: APP_IDENTIFIER\n' : ''}    init: true
    stop_signal: SIGKILL
    entrypoint: ["/bin/sh", "-c", "echo to-stderr-marker >&2; echo to-stdout-marker; ${ticks}exec /bin/sh /standin.sh"]
${o.zeroDowntime ? '    labels:\n      org.amahi.hda.zero-downtime: "true"\n' : ''}    ports:
      - "HOST_PORT:80"
    volumes:
      - ./data:/data
${o.extra ?? ''}`;
}

/** A Docker health check that always fails: the new version never becomes healthy. */
export const FAILING_HEALTHCHECK = `    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      timeout: 2s
      retries: 1
`;

export function startingSteps(events: TaskEventInput[]): string[] {
  return events.filter((e) => e.status === 'Starting').map((e) => e.step!);
}

export function logChunks(events: TaskEventInput[]): LogChunk[] {
  return events.filter((e) => e.data && Array.isArray((e.data as { lines?: unknown }).lines)).map((e) => e.data as unknown as LogChunk);
}

/** One GET through Apache on a fresh connection (no keep-alive), as a polling browser tab would. */
export function getOnce(tb: Testbed, host: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: tb.apachePort, path: '/', headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ status: 0, body: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

export interface LoopReport {
  requests: number;
  failures: Array<{ at: number; status: number; body: string }>;
  /** Which pages answered, in the order they were first seen (e.g. old version, then new). */
  pages: string[];
}

/**
 * Requests the app through Apache back to back until `until` settles (plus `after` more), counting
 * every answer that is not a 200. Bounded by `maxRequests` so it can never run away.
 */
export async function requestLoop(
  tb: Testbed,
  host: string,
  until: Promise<unknown>,
  o: { after?: number; maxRequests?: number; page?: (body: string) => string } = {},
): Promise<LoopReport> {
  let settled = false;
  void until.finally(() => (settled = true)).catch(() => undefined);
  const report: LoopReport = { requests: 0, failures: [], pages: [] };
  const page = o.page ?? ((b: string) => /Stand-in for ([^<]+)</.exec(b)?.[1] ?? b.slice(0, 40));
  let after = o.after ?? 20;
  const max = o.maxRequests ?? 50_000;
  while (report.requests < max && (!settled || after-- > 0)) {
    const r = await getOnce(tb, host);
    report.requests++;
    if (r.status !== 200) report.failures.push({ at: report.requests, status: r.status, body: r.body.slice(0, 200) });
    else {
      const p = page(r.body);
      if (!report.pages.includes(p)) report.pages.push(p);
    }
  }
  return report;
}
