/**
 * Names and HTTPS as the HDA's agent last reported them: what to point the router at, the HDA's
 * certificate authority to download and trust (with short steps per system), and each app's name
 * and certificate health. Every value is text from the heartbeat, escaped by JSX.
 */
import type { LanAppHealth } from '../../core/protocol';
import { Card, When } from './components';
import { LanSettingsForm } from './lan-settings-form';
import type { HdaView, LanSettingsView, LanView } from './types';

const TRUST_STEPS: Array<[string, string]> = [
  ['Windows', 'open the file, choose "Install Certificate", "Local Machine", and place it in "Trusted Root Certification Authorities".'],
  ['macOS', 'open the file in Keychain Access (System keychain), open the certificate and set "When using this certificate" to "Always Trust".'],
  ['iPhone / iPad', 'open the file, install the profile in Settings, then turn it on under General > About > Certificate Trust Settings.'],
  ['Android', 'Settings > Security > Encryption & credentials > Install a certificate > CA certificate, and pick the file.'],
  ['Linux', 'copy it to /usr/local/share/ca-certificates/ (ending in .crt) and run update-ca-certificates as root.'],
  ['Firefox', 'Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import (it keeps its own list).'],
];

const Problem = (props: { text?: string }) => (props.text ? <p class="small warning">{props.text}</p> : null);

const NamesPart = (props: { hda: HdaView; lan: NonNullable<LanView> }) => (
  <div data-lan-names>
    {props.lan.names.mode === 'off' ? (
      <p class="small muted">App names are not published by this HDA (names are off).</p>
    ) : props.lan.names.mode === 'mdns' ? (
      <p class="small">
        App names:{' '}
        <strong>
          mDNS (<code>{'<app>.local'}</code>)
        </strong>
        , published by this HDA's avahi-daemon at <strong data-lan-router>{props.lan.names.address}</strong>; devices on the same network find them without any
        DNS setup.
      </p>
    ) : (
      <p class="small">
        App names (<code>app.{props.hda.domain}</code>) are served by this HDA's {props.lan.names.mode}. Set your router's DNS server (DHCP option) to{' '}
        <strong data-lan-router>{props.lan.names.address}</strong> so every device finds them.
      </p>
    )}
    <Problem text={props.lan.names.problem} />
  </div>
);

type LanHttps = NonNullable<NonNullable<LanView>['https']>;

const CaPart = (props: { https: LanHttps; now: number }) => (
  <>
    <p class="small">
      Apps answer over HTTPS (port {props.https.port}) with certificates from this HDA's own certificate authority
      {props.https.ca_valid_to ? (
        <>
          {' '}
          (valid until <When iso={props.https.ca_valid_to} now={props.now} />)
        </>
      ) : null}
      .
    </p>
    {props.https.ca_download && (
      <p>
        <a class="btn btn-small" href={props.https.ca_download} download>
          Download the CA certificate
        </a>{' '}
        <span class="muted tiny">SHA-256 {props.https.ca_fingerprint}</span>
      </p>
    )}
    {props.https.ca_download && !props.https.ca_permitted && (
      <p class="small note" data-lan-unconstrained>
        This CA was made before CAs were limited to the HDA's domain: its key could sign for any name. It is kept so your devices keep trusting it.
      </p>
    )}
    <details class="small">
      <summary>Trust it on your devices</summary>
      <ul>
        {TRUST_STEPS.map(([system, how]) => (
          <li>
            <strong>{system}</strong>: {how}
          </li>
        ))}
      </ul>
    </details>
  </>
);

const HttpsPart = (props: { https: LanHttps; now: number }) => (
  <div data-lan-https>
    {props.https.certificates === 'acme' ? (
      <p class="small" data-lan-acme>
        Apps answer over HTTPS (port {props.https.port}) with certificates from a public ACME certificate authority, renewed before they expire. Devices trust
        them without any setup.
      </p>
    ) : (
      <CaPart https={props.https} now={props.now} />
    )}
    <p class="small" data-lan-redirect>
      {props.https.redirect ? 'Plain HTTP redirects to HTTPS.' : 'Apps answer over plain HTTP too.'}
    </p>
    <Problem text={props.https.problem} />
  </div>
);

/** Each app's name, certificate expiry and problems. */
const AppsLan = (props: { apps: LanAppHealth[]; now: number }) =>
  props.apps.length === 0 ? null : (
    <ul class="small" data-lan-apps>
      {props.apps.map((a) => (
        <li data-lan-app={a.identifier}>
          <strong>{a.name}</strong>
          {a.cert_not_after ? (
            <>
              : certificate valid until <When iso={a.cert_not_after} now={props.now} />
            </>
          ) : null}
          {a.name_problem || a.cert_problem ? <span class="warning"> {[a.name_problem, a.cert_problem].filter(Boolean).join('; ')}</span> : null}
        </li>
      ))}
    </ul>
  );

export const NamesAndHttps = (props: { hda: HdaView; lan: LanView | null; settings: LanSettingsView | null; now: number }) => {
  const { lan, hda } = props;
  return (
    <Card title="Names and HTTPS">
      {lan ? (
        <>
          <NamesPart hda={hda} lan={lan} />
          {lan.https ? <HttpsPart https={lan.https} now={props.now} /> : <p class="small muted">HTTPS is off on this HDA: apps answer over HTTP only.</p>}
          <AppsLan apps={lan.apps} now={props.now} />
        </>
      ) : (
        <p class="muted small">The agent has not reported its names and certificates yet.</p>
      )}
      {props.settings && <LanSettingsForm hdaId={hda.id} view={props.settings} />}
    </Card>
  );
};

/** One app's name and certificate, for the install page's facts. */
export const AppLan = (props: { lan: LanAppHealth | null | undefined; now: number }) => {
  const a = props.lan;
  if (!a) return null;
  return (
    <div class="fact" data-app-lan>
      <dt>Name and certificate</dt>
      <dd>
        {a.resolves === undefined ? '' : a.resolves ? `${a.name} resolves on the LAN. ` : ''}
        {a.cert_not_after ? (
          <>
            Certificate valid until <When iso={a.cert_not_after} now={props.now} />.
          </>
        ) : null}
        <Problem text={a.name_problem} />
        <Problem text={a.cert_problem} />
      </dd>
    </div>
  );
};
