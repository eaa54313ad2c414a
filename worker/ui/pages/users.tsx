/** /admin/users: every account and a form to create one with its role. */
import { Badge, Card, FormError, PageHeader, When } from '../components';
import { Layout } from '../layout';
import type { PageContext } from './context';

interface UserRow {
  id: string;
  email: string;
  role: string;
  created_at: string;
}

const ROLE_HELP: Record<string, string> = {
  owner: 'manages their own HDAs and apps',
  publisher: 'also publishes apps to the catalog',
  admin: 'everything, including users',
};

export async function usersPage(p: PageContext) {
  const { users } = await p.get<{ users: UserRow[] }>('/api/users');
  return (
    <Layout title="Users" user={p.user} nav="users" page="users">
      <PageHeader title="Users" subtitle={`${users.length} account${users.length === 1 ? '' : 's'}`} />
      <div class="columns">
        <div class="col-main">
          <Card>
            <ul class="user-list">
              {users.map((u) => (
                <li>
                  <span class="user-email">{u.email}</span>
                  <Badge state={u.role === 'admin' ? 'failed' : u.role === 'publisher' ? 'queued' : 'stopped'} label={u.role} />
                  <span class="muted small">
                    joined <When iso={u.created_at} now={p.now} />
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        </div>
        <div class="col-side">
          <Card title="Create a user">
            <form method="post" action="/ui/needs-script" data-form="create-user" class="stack">
              <label class="field">
                <span>Email</span>
                <input type="email" name="email" required autocomplete="off" />
              </label>
              <label class="field">
                <span>Password (10 characters or more)</span>
                <input type="password" name="password" required minlength={10} autocomplete="new-password" />
              </label>
              <label class="field">
                <span>Role</span>
                <select name="role">
                  {Object.entries(ROLE_HELP).map(([role, help]) => (
                    <option value={role}>
                      {role}: {help}
                    </option>
                  ))}
                </select>
              </label>
              <FormError />
              <button type="submit" class="btn btn-primary">Create user</button>
            </form>
          </Card>
        </div>
      </div>
    </Layout>
  );
}
