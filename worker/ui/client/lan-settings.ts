/** The HDA page's LAN settings form: sends the owner's choice; the page then shows it pending. */
import type { LanSettingsBody } from '../types';
import { call, client, navigate } from './api';
import { forms } from './events';

forms['lan-settings'] = async (form, v) => {
  const certificates = v.certificates === 'acme' ? 'acme' : 'ca';
  const email = String(v.acme_email ?? '').trim();
  const directory = String(v.acme_directory ?? '').trim();
  // The ACME fields go only with ACME: the CA needs neither.
  const body: LanSettingsBody = {
    names: String(v.names) as LanSettingsBody['names'],
    https_redirect: v.https_redirect === true,
    certificates,
    ...(certificates === 'acme' && email ? { acme_email: email } : {}),
    ...(certificates === 'acme' && directory ? { acme_directory: directory } : {}),
  };
  await call(client.PUT('/api/hdas/{id}/lan-settings', { params: { path: { id: form.getAttribute('data-hda') ?? '' } }, body }));
  navigate(location.pathname);
};
