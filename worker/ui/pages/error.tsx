/** Refusals as pages: 404 (missing, or not yours — indistinguishable on purpose), 403 and the rest. */
import { Layout } from '../layout';
import type { PageUser } from '../types';

const TEXT: Record<number, [string, string]> = {
  403: ['Not allowed', 'Your account does not have the role this page needs.'],
  404: ['Not found', 'There is nothing here, or it belongs to someone else.'],
};

export const ErrorPage = (props: { status: number; user: PageUser | null; message?: string }) => {
  const [title, text] = TEXT[props.status] ?? ['Something went wrong', props.message ?? 'The server could not show this page. Try again in a moment.'];
  return (
    <Layout title={title} user={props.user} page="error">
      <div class="empty error-page">
        <p class="error-code">{props.status}</p>
        <h1>{title}</h1>
        <p>{text}</p>
        <a class="btn" href="/">
          Back to your HDAs
        </a>
      </div>
    </Layout>
  );
};
