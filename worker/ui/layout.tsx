/** The page frame: head with the stylesheet and the one client script, top navigation, main column. */
import type { Child } from 'hono/jsx';
import { APP_CSS_URL, APP_JS_URL } from './assets';
import type { PageUser } from './types';

export type NavKey = 'dashboard' | 'installs' | 'fleet' | 'catalog' | 'publish' | 'users' | 'audit' | 'account' | null;

interface LayoutProps {
  title: string;
  user: PageUser | null;
  nav?: NavKey;
  /** Tells the client script which page behaviours to switch on. */
  page?: string;
  children?: Child;
}

const NavLink = (props: { href: string; current: boolean; children: Child }) => (
  <a href={props.href} class={props.current ? 'nav-link current' : 'nav-link'} aria-current={props.current ? 'page' : undefined}>
    {props.children}
  </a>
);

export const Layout = (props: LayoutProps) => {
  const { user, nav } = props;
  const canPublish = user && (user.role === 'publisher' || user.role === 'admin');
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · HDA Control`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={APP_CSS_URL} />
        <script src={APP_JS_URL} defer></script>
      </head>
      <body data-page={props.page ?? ''}>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                ◆
              </span>{' '}
              HDA Control
            </a>
            {user && (
              <nav class="nav" aria-label="Main">
                <NavLink href="/" current={nav === 'dashboard'}>
                  Servers
                </NavLink>
                <NavLink href="/installs" current={nav === 'installs'}>
                  Apps
                </NavLink>
                <NavLink href="/fleet" current={nav === 'fleet'}>
                  Fleet
                </NavLink>
                <NavLink href="/catalog" current={nav === 'catalog'}>
                  Catalog
                </NavLink>
                {canPublish && (
                  <NavLink href="/publish" current={nav === 'publish'}>
                    Publish
                  </NavLink>
                )}
                {user.role === 'admin' && (
                  <NavLink href="/admin/users" current={nav === 'users'}>
                    Users
                  </NavLink>
                )}
                {user.role === 'admin' && (
                  <NavLink href="/admin/audit" current={nav === 'audit'}>
                    Audit
                  </NavLink>
                )}
              </nav>
            )}
            {user && (
              <div class="session">
                <a
                  class="session-email"
                  href="/account"
                  title={`Signed in as ${user.email} (${user.role}): your account`}
                  aria-current={nav === 'account' ? 'page' : undefined}
                >
                  {user.email}
                </a>
                <button type="button" class="btn btn-quiet btn-small" data-click="logout">
                  Log out
                </button>
              </div>
            )}
          </div>
        </header>
        <main class="main">
          <div id="flash" class="flash" role="alert" hidden></div>
          {props.children}
        </main>
      </body>
    </html>
  );
};
