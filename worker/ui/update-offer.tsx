/** The install page's "update available" block: the newer versions' release notes, and the owner's hold and skip. */
import { FormError } from './components';
import { formatTime } from './format';
import type { InstallView, UpdateOfferView } from './types';

const ctl = (install: InstallView, label: string, attrs: Record<string, string>, cls = 'btn btn-small') => (
  <button type="button" class={cls} data-click="update-control" data-install={install.id} {...attrs}>
    {label}
  </button>
);

/** Each newer version's notes, as plain text (the page escapes them; white space is kept). */
const Notes = (props: { offer: UpdateOfferView }) => (
  <ul class="release-notes" data-release-notes="1">
    {props.offer.newer.map((v) => (
      <li>
        <strong>{v.version}</strong> <span class="muted tiny">{formatTime(v.published_at)}</span>
        {v.version === props.offer.skipped_version && <span class="tag">skipped</span>}
        {v.release_notes ? <pre class="wrap-code notes">{v.release_notes}</pre> : <p class="muted small">No release notes.</p>}
      </li>
    ))}
  </ul>
);

export const UpdateOffer = (props: { install: InstallView; offer: UpdateOfferView | null; busy: boolean }) => {
  const { install, offer, busy } = props;
  if (!offer) return null;
  const current = install.version ?? '?';
  if (offer.held)
    return (
      <div class="stack" data-update-offer="held">
        <p class="small">
          <strong>Held at version {current}.</strong> No update is offered or applied, by you or by a fleet deployment, until you release it.
        </p>
        {offer.newer.length > 0 && <Notes offer={offer} />}
        <div class="actions">{ctl(install, 'Release the hold', { 'data-hold': 'false' })}</div>
        <FormError />
      </div>
    );
  const next = offer.available;
  return (
    <div class="stack" data-update-offer={next ? 'available' : 'current'}>
      {next ? (
        <>
          <p class="small">
            <strong>Update available: version {next.version}</strong> (you run {current}).
          </p>
          <p class="muted small" data-snapshot-promise="1">
            Your app's data is snapshotted before the update starts. If the new version fails its health check, the app and its data go back to how they were
            before the update.
          </p>
        </>
      ) : (
        <p class="muted small">Version {current} is the newest offered.</p>
      )}
      {offer.newer.length > 0 && <Notes offer={offer} />}
      <div class="actions">
        {next && !busy && (
          <button type="button" class="btn btn-small btn-primary" data-click="update-to" data-install={install.id} data-version={next.version}>
            Update to {next.version}
          </button>
        )}
        {next && ctl(install, `Skip ${next.version}`, { 'data-skip': next.version })}
        {offer.skipped_version && ctl(install, `Offer ${offer.skipped_version} again`, { 'data-skip': '' })}
        {ctl(install, `Hold at ${current}`, { 'data-hold': 'true' })}
      </div>
      <FormError />
    </div>
  );
};
