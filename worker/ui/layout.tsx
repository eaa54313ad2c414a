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

/** The main navigation: what each role may open, in order. */
const NAV: Array<{ key: Exclude<NavKey, null>; href: string; label: string; for?: (user: PageUser) => boolean }> = [
  { key: 'dashboard', href: '/', label: 'Servers' },
  { key: 'installs', href: '/installs', label: 'Apps' },
  { key: 'fleet', href: '/fleet', label: 'Fleet' },
  { key: 'catalog', href: '/catalog', label: 'Catalog' },
  { key: 'publish', href: '/publish', label: 'Publish', for: (u) => u.role === 'publisher' || u.role === 'admin' },
  { key: 'users', href: '/admin/users', label: 'Users', for: (u) => u.role === 'admin' },
  { key: 'audit', href: '/admin/audit', label: 'Audit', for: (u) => u.role === 'admin' },
];

const MainNav = ({ user, nav }: { user: PageUser; nav?: NavKey }) => (
  <nav class="nav" aria-label="Main">
    {NAV.filter((item) => !item.for || item.for(user)).map((item) => (
      <NavLink href={item.href} current={nav === item.key}>
        {item.label}
      </NavLink>
    ))}
  </nav>
);

const SessionMenu = ({ user, nav }: { user: PageUser; nav?: NavKey }) => (
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
);

export const Layout = (props: LayoutProps) => {
  const { user, nav } = props;
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
            {user && <MainNav user={user} nav={nav} />}
            {user && <SessionMenu user={user} nav={nav} />}
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
