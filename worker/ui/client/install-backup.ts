/** The install page's off-HDA backup form: follow the HDA's plan, an own schedule, or left out. */
import type { InstallBackupBody } from '../types';
import { call, client, navigate, userError } from './api';
import { forms } from './events';

const PERIODS = ['daily', 'weekly', 'monthly', 'yearly'] as const;

/** "7/4/6/0" -> { daily: 7, weekly: 4, monthly: 6, yearly: 0 } */
function parseRetention(text: string): NonNullable<InstallBackupBody['retention']> {
  const parts = text.split('/').map((s) => Number(s.trim()));
  if (parts.length !== PERIODS.length || parts.some((n) => !Number.isInteger(n) || n < 0))
    throw userError('keep: four whole numbers, daily/weekly/monthly/yearly, e.g. 7/4/6/0');
  return Object.fromEntries(PERIODS.map((k, i) => [k, parts[i]]));
}

forms['install-backup'] = async (form, v) => {
  const mode = String(v.mode ?? 'plan') as InstallBackupBody['mode'];
  const body: InstallBackupBody =
    mode === 'own' ? { mode, every_hours: Number(v.every_hours), retention: parseRetention(String(v.retention ?? '')) } : { mode };
  await call(client.PUT('/api/installs/{id}/backup', { params: { path: { id: form.getAttribute('data-install') ?? '' } }, body }));
  navigate(location.pathname);
};
