/** /admin/users: every account, each editable (role, disabled, a new password, delete), and a form to create one. */
import { Badge, Card, FormError, PageHeader, When } from '../components';
import { Layout } from '../layout';
import { must } from '../api';
import type { PageContext } from './context';
import type { UserView } from '../types';

type UserRow = UserView;

const ROLE_HELP: Record<string, string> = {
  owner: 'manages their own HDAs and apps',
  publisher: 'also publishes apps to the catalog',
  admin: 'everything, including users',
};

const RoleSelect = (props: { value?: string; disabled?: boolean }) => (
  <select name="role" disabled={props.disabled}>
    {Object.entries(ROLE_HELP).map(([role, help]) => (
      <option value={role} selected={role === props.value}>
        {role}: {help}
      </option>
    ))}
  </select>
);

/** One account: what it is, and (folded away) what an admin can change. Your own cannot lock you out. */
const UserItem = (props: { u: UserRow; self: boolean; now: number }) => {
  const { u, self } = props;
  return (
    <li class="user-item" data-user-id={u.id}>
      <div class="user-line">
        <span class="user-email">{u.email}</span>
        <Badge state={u.role === 'admin' ? 'failed' : u.role === 'publisher' ? 'queued' : 'stopped'} label={u.role} />
        {u.disabled && <Badge state="revoked" label="disabled" attrs={{ 'data-disabled': '1' }} />}
        {self && <span class="tag">you</span>}
        <span class="muted small">
          joined <When iso={u.created_at} now={props.now} />
        </span>
      </div>
      <details class="user-edit">
        <summary>Edit</summary>
        <form method="post" action="/ui/needs-script" data-form="edit-user" data-user={u.id} class="stack">
          <label class="field">
            <span>Role</span>
            <RoleSelect value={u.role} disabled={self} />
          </label>
          <label class="check">
            <input type="checkbox" name="disabled" checked={u.disabled} disabled={self} /> Disabled: cannot sign in, and their sessions end now
          </label>
          {self && <p class="muted small">Your own role and access are changed by another admin, so you cannot lock yourself out.</p>}
          <FormError />
          <button type="submit" class="btn btn-small" disabled={self}>
            Save
          </button>
        </form>
        <form method="post" action="/ui/needs-script" data-form="reset-password" data-user={u.id} class="inline-form">
          <label class="field">
            <span>New password (10 characters or more)</span>
            <input type="password" name="password" required minlength={10} autocomplete="new-password" />
          </label>
          <button type="submit" class="btn btn-small">
            Set password
          </button>
          <p class="muted small" data-fill="done"></p>
          <FormError />
        </form>
        {!self && (
          <button type="button" class="btn btn-small btn-danger" data-click="delete-user" data-user={u.id} data-email={u.email}>
            Delete account…
          </button>
        )}
      </details>
    </li>
  );
};

const DeleteUserDialog = () => (
  <dialog id="delete-user-dialog" class="dialog" aria-labelledby="delete-user-title">
    <form method="dialog" class="stack">
      <h2 id="delete-user-title">
        Delete <span data-fill="email"></span>?
      </h2>
      <p>
        The account is removed and cannot sign in again. An account that still owns HDAs, published apps or fleet deployments cannot be deleted: disable it
        instead.
      </p>
      <div class="actions actions-end">
        <button type="submit" value="cancel" class="btn">
          Cancel
        </button>
        <button type="submit" value="confirm" class="btn btn-danger" data-confirm="delete-user">
          Delete
        </button>
      </div>
    </form>
  </dialog>
);

export async function usersPage(p: PageContext) {
  const { users } = await must(p.api.GET('/api/users'));
  return (
    <Layout title="Users" user={p.user} nav="users" page="users">
      <PageHeader title="Users" subtitle={`${users.length} account${users.length === 1 ? '' : 's'}`} />
      <div class="columns">
        <div class="col-main">
          <Card>
            <FormError />
            <ul class="user-list">
              {users.map((u) => (
                <UserItem u={u} self={u.id === p.user.id} now={p.now} />
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
                <RoleSelect />
              </label>
              <FormError />
              <button type="submit" class="btn btn-primary">
                Create user
              </button>
            </form>
          </Card>
        </div>
      </div>
      <DeleteUserDialog />
    </Layout>
  );
}
