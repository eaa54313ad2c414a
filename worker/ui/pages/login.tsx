/** Sign-in: the form posts JSON to /api/auth/login through the client script, then goes to `next`. */
import { FormError } from '../components';
import { Layout } from '../layout';

export const LoginPage = (props: { next: string }) => (
  <Layout title="Sign in" user={null} page="login">
    <div class="auth-wrap">
      <section class="card auth-card">
        <h1>Sign in</h1>
        <p class="subtitle">Manage the apps on your home servers from anywhere.</p>
        <form method="post" action="/ui/needs-script" data-form="login" data-next={props.next} class="stack">
          <label class="field">
            <span>Email</span>
            <input type="email" name="email" autocomplete="username" required autofocus />
          </label>
          <label class="field">
            <span>Password</span>
            <input type="password" name="password" autocomplete="current-password" required />
          </label>
          <FormError />
          <button type="submit" class="btn btn-primary btn-block">
            Sign in
          </button>
        </form>
      </section>
    </div>
  </Layout>
);
