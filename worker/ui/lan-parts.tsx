/**
 * Names and HTTPS as the HDA's agent last reported them: what to point the router at, the HDA's
 * certificate authority to download and trust (with short steps per system), and each app's name
 * and certificate health. Every value is text from the heartbeat, escaped by JSX.
 */
import type { LanAppHealth } from '../../core/protocol';
import { Card, When } from './components';
import type { HdaView, LanView } from './types';

const TRUST_STEPS: Array<[string, string]> = [
  ['Windows', 'open the file, choose "Install Certificate", "Local Machine", and place it in "Trusted Root Certification Authorities".'],
  ['macOS', 'open the file in Keychain Access (System keychain), open the certificate and set "When using this certificate" to "Always Trust".'],
  ['iPhone / iPad', 'open the file, install the profile in Settings, then turn it on under General > About > Certificate Trust Settings.'],
  ['Android', 'Settings > Security > Encryption & credentials > Install a certificate > CA certificate, and pick the file.'],
  ['Linux', 'copy it to /usr/local/share/ca-certificates/ (ending in .crt) and run update-ca-certificates as root.'],
  ['Firefox', 'Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import (it keeps its own list).'],
];

const Problem = (props: { text?: string }) => (props.text ? <p class="small warning">{props.text}</p> : null);

export const NamesAndHttps = (props: { hda: HdaView; lan: LanView | null; now: number }) => {
  const { lan, hda } = props;
  if (!lan) return <Card title="Names and HTTPS">{<p class="muted small">The agent has not reported its names and certificates yet.</p>}</Card>;
  return (
    <Card title="Names and HTTPS">
      <div data-lan-names>
        {lan.names.mode === 'dnsmasq' ? (
          <p class="small">
            App names (<code>app.{hda.domain}</code>) are served by this HDA's dnsmasq. Set your router's DNS server (DHCP option) to{' '}
            <strong>{lan.names.address}</strong> so every device finds them.
          </p>
        ) : lan.names.mode === 'mdns' ? (
          <p class="small">
            App names:{' '}
            <strong>
              mDNS (<code>{'<app>.local'}</code>)
            </strong>
            , published by this HDA's avahi-daemon at {lan.names.address}; devices on the same network find them without any DNS setup.
          </p>
        ) : (
          <p class="small muted">App names are not published by this HDA (names are off).</p>
        )}
        <Problem text={lan.names.problem} />
      </div>
      {lan.https ? (
        <div data-lan-https>
          {lan.https.certificates === 'acme' ? (
            <p class="small" data-lan-acme>
              Apps answer over HTTPS (port {lan.https.port}) with certificates from a public ACME certificate authority (Let's Encrypt), renewed before they
              expire; each app's expiry is shown with the app. Devices trust them without any setup.
            </p>
          ) : (
            <>
              <p class="small">
                Apps answer over HTTPS (port {lan.https.port}) with certificates from this HDA's own certificate authority
                {lan.https.ca_valid_to ? (
                  <>
                    {' '}
                    (valid until <When iso={lan.https.ca_valid_to} now={props.now} />)
                  </>
                ) : null}
                .
              </p>
              {lan.https.ca_download && (
                <p>
                  <a class="btn btn-small" href={lan.https.ca_download} download>
                    Download the CA certificate
                  </a>{' '}
                  <span class="muted tiny">SHA-256 {lan.https.ca_fingerprint}</span>
                </p>
              )}
            </>
          )}
          <Problem text={lan.https.problem} />
          {lan.https.certificates !== 'acme' && (
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
          )}
        </div>
      ) : (
        <p class="small muted">HTTPS is off on this HDA: apps answer over HTTP only.</p>
      )}
      {lan.apps.some((a) => a.name_problem || a.cert_problem) && (
        <ul class="small" data-lan-problems>
          {lan.apps
            .filter((a) => a.name_problem || a.cert_problem)
            .map((a) => (
              <li>
                <strong>{a.name}</strong>: {[a.name_problem, a.cert_problem].filter(Boolean).join('; ')}
              </li>
            ))}
        </ul>
      )}
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
