/** /account: who you are, and changing your own password (the current one first). */
import { Card, FormError, PageHeader } from '../components';
import { Layout } from '../layout';
import type { PageContext } from './context';

export function accountPage(p: PageContext) {
  return (
    <Layout title="Your account" user={p.user} nav="account" page="account">
      <PageHeader title="Your account" subtitle={`${p.user.email} · ${p.user.role}`} />
      <Card title="Change your password">
        <form method="post" action="/ui/needs-script" data-form="change-password" class="stack narrow">
          <label class="field">
            <span>Current password</span>
            <input type="password" name="current_password" required autocomplete="current-password" />
          </label>
          <label class="field">
            <span>New password (10 characters or more)</span>
            <input type="password" name="new_password" required minlength={10} autocomplete="new-password" />
          </label>
          <FormError />
          <p class="result result-good small" data-fill="done" role="status"></p>
          <button type="submit" class="btn btn-primary">
            Change password
          </button>
        </form>
      </Card>
    </Layout>
  );
}
