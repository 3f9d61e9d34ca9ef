import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Me } from './api';
import { areasFor } from './areas';
import { Link, useLocation } from './router';
import { ConnectionStatus } from './live/ConnectionStatus';
import { live } from './live/live';
import { openVotesLabel, useOpenVoteCount } from './votes/openVotes';
import { WebhookAlert } from './webhooks/WebhookAlert';

/**
 * openVotes: open proposals the member has not voted on yet (null: unknown).
 * The Votes link says "1 open vote" / "N open votes" until they have voted on each.
 */
export function Nav({ roles, pathname, openVotes = null }: { roles: readonly string[]; pathname: string; openVotes?: number | null }) {
  const items = [...areasFor(roles).map((a) => ({ path: a.path, label: a.label })), { path: '/account', label: 'Account' }];
  return (
    <nav className="side-nav" aria-label="Areas">
      <ul>
        {items.map((it) => {
          const current = pathname === it.path || pathname.startsWith(it.path + '/');
          return (
            <li key={it.path}>
              <Link to={it.path} aria-current={current ? 'page' : undefined} className={current ? 'current' : undefined}>
                {it.label}
                {it.path === '/votes' && openVotes !== null && openVotes > 0 && (
                  <span className="nav-badge" data-testid="open-votes">
                    <span className="visually-hidden">: </span>
                    {openVotesLabel(openVotes)}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** Pages of tables and charts use the whole width; reading pages keep a measure. */
export function isDataPage(pathname: string): boolean {
  return (
    pathname === '/quality' ||
    pathname.startsWith('/quality/') ||
    pathname.startsWith('/datasets') ||
    pathname === '/equity/statement' ||
    pathname === '/equity/register' ||
    pathname === '/work/mine'
  );
}

export function Shell({ me, onLogout, children }: { me: Me; onLogout: () => Promise<void>; children: ReactNode }) {
  const { pathname } = useLocation();
  const first = useRef(true);
  const [leaving, setLeaving] = useState(false);
  const openVotes = useOpenVoteCount(me.id);

  // The live connection belongs to the logged-in member: close it on logout.
  useEffect(() => () => live().shutdown(), []);

  // After client-side navigation, move focus to the new page's heading so
  // screen-reader and keyboard users start at the top of the new content.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>('main h1');
    h1?.focus();
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="copyhold home">
          copyhold
        </Link>
        <div className="topbar-right">
          <ConnectionStatus />
          <span className="who">
            <span className="visually-hidden">Logged in as </span>
            <span data-testid="display-name">{me.display_name}</span>
          </span>
          <button
            type="button"
            className="btn btn-small"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              try {
                await onLogout();
              } finally {
                setLeaving(false);
              }
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <div className="body">
        <Nav roles={me.roles} pathname={pathname} openVotes={openVotes} />
        <main id="main" className={isDataPage(pathname) ? 'content content-wide' : 'content'} tabIndex={-1}>
          {me.roles.includes('coordinator') && <WebhookAlert memberId={me.id} />}
          {children}
        </main>
      </div>
    </div>
  );
}
