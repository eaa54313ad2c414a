/**
 * Certificates renewed before they expire without waiting for a task: every few hours each app's
 * certificate is checked (certs.ensure renews it inside the renewal window), and when one changed
 * Apache is config-tested and reloaded gracefully. A failure is kept per app for the heartbeat.
 */
import { vhostStem } from '../apache/vhost';
import type { ApacheControl } from '../apache/apache';
import { tailLines } from '../exec';
import type { InstallRegistry } from '../installs';
import type { Logger } from '../log';
import { appNameList } from '../names/app-names';
import type { NamesProvider } from '../names/provider';
import type { TlsParts } from './index';

export interface RenewalOptions {
  tls: TlsParts;
  installs: InstallRegistry;
  apache: ApacheControl;
  log: Logger;
  namespace?: string;
  /** The names provider: its names (mDNS `<app>.local`) stay in a renewed certificate. */
  names?: Pick<NamesProvider, 'extraNames'> | null;
  intervalMs?: number;
}

export class CertRenewal {
  /** identifier -> why its last issue or renewal failed (shared with the vhost step through TlsParts). */
  readonly failures: Map<string, string>;
  private timer: NodeJS.Timeout | null = null;
  private tls: TlsParts;
  private names: RenewalOptions['names'];

  constructor(private readonly o: RenewalOptions) {
    this.failures = o.tls.failures ?? new Map();
    this.tls = o.tls;
    this.names = o.names;
  }

  /** The certificate source or the names mode changed (the owner's LAN settings): renew from the new parts, same failures. */
  use(tls: TlsParts, names: RenewalOptions['names']): void {
    tls.failures = this.failures;
    this.tls = tls;
    this.names = names;
  }

  /** Renews what is due; reloads Apache once when anything changed. */
  async runOnce(): Promise<{ renewed: string[]; failed: string[] }> {
    const renewed: string[] = [];
    for (const r of this.o.installs.list()) {
      const stem = vhostStem(r.identifier, this.o.namespace ?? '');
      if (!this.tls.certs.read(stem) && !this.failures.has(r.identifier)) continue; // never had one: the next task issues it
      try {
        const c = await this.tls.certs.ensure(stem, appNameList(r.identifier, r.domain, r.hostname ?? undefined, this.names));
        if (c.action !== 'current') renewed.push(r.identifier);
        if (c.left_out) this.failures.set(r.identifier, `certificate without ${c.left_out.names.join(', ')}: ${c.left_out.reason}`);
        else this.failures.delete(r.identifier);
      } catch (e) {
        this.failures.set(r.identifier, `renewal failed: ${(e as Error).message}`);
      }
    }
    if (renewed.length) await this.reload(renewed);
    if (renewed.length || this.failures.size) this.o.log.info('certificate renewal', { renewed, failed: [...this.failures.keys()] });
    return { renewed, failed: [...this.failures.keys()] };
  }

  private async reload(renewed: string[]): Promise<void> {
    const test = await this.o.apache.configtest().catch((e: Error) => ({ ok: false, output: e.message }));
    const why = test.ok ? null : `renewed, but Apache's config test fails so it was not reloaded: ${tailLines(test.output, 2)}`;
    if (!why) {
      try {
        await this.o.apache.reload();
        return;
      } catch (e) {
        for (const id of renewed) this.failures.set(id, `renewed, but Apache did not reload: ${(e as Error).message}`);
        return;
      }
    }
    for (const id of renewed) this.failures.set(id, why);
  }

  start(): void {
    const every = this.o.intervalMs ?? 6 * 3_600_000;
    const tick = () => {
      this.timer = setTimeout(() => void this.runOnce().finally(tick), every);
      this.timer.unref();
    };
    void this.runOnce().finally(tick);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
