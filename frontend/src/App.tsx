import { lazy, Suspense, useEffect } from 'react';
import type { Me } from './api';
import { areaForPath, canUse, homeFor } from './areas';
import { useSession } from './auth';
import { matchPath, navigate, safeNext, useLocation } from './router';
import { Shell } from './Shell';
import { AccountPage } from './pages/Account';
import { AdminPage } from './pages/Admin';
import { InvitePage } from './pages/Invite';
import { LoginPage } from './pages/Login';
import { NotFoundPage, RoleNeededPage } from './pages/Placeholders';

// Labelling pages are loaded on demand: the labeller's editors and the
// coordinator's project pages stay out of the first download.
const WorkHomePage = lazy(() => import('./labeling/WorkHome'));
const WorkbenchPage = lazy(() => import('./labeling/Workbench'));
const MyWorkPage = lazy(() => import('./labeling/MyWork'));
const WebhooksPage = lazy(() => import('./webhooks/Webhooks').then((m) => ({ default: m.WebhooksPage })));
const ModelsPage = lazy(() => import('./models/Models').then((m) => ({ default: m.ModelsPage })));
const ProjectsPage = lazy(() => import('./labeling/admin/Projects').then((m) => ({ default: m.ProjectsPage })));
const ProjectEditPage = lazy(() => import('./labeling/admin/Projects').then((m) => ({ default: m.ProjectEditPage })));
const ProjectDetailPage = lazy(() => import('./labeling/admin/Projects').then((m) => ({ default: m.ProjectDetailPage })));
// Review and quality pages: their own chunks, never in the labeller's path.
const ReviewHomePage = lazy(() => import('./review/ReviewerHome').then((m) => ({ default: m.ReviewerHomePage })));
const ReviewScreen = lazy(() => import('./review/ReviewPage').then((m) => ({ default: m.ReviewScreen })));
const QualityHomePage = lazy(() => import('./quality/QualityPage').then((m) => ({ default: m.QualityHomePage })));
const ProjectQualityPage = lazy(() => import('./quality/QualityPage').then((m) => ({ default: m.ProjectQualityPage })));
const MyQualityPage = lazy(() => import('./quality/MyQuality'));
// Equity pages: one chunk, loaded when a member opens the Equity area.
const EquityHomePage = lazy(() => import('./equity').then((m) => ({ default: m.EquityHomePage })));
const StatementPage = lazy(() => import('./equity').then((m) => ({ default: m.StatementPage })));
const TransferPage = lazy(() => import('./equity').then((m) => ({ default: m.TransferPage })));
const RegisterPage = lazy(() => import('./equity').then((m) => ({ default: m.RegisterPage })));
const GovernPage = lazy(() => import('./equity').then((m) => ({ default: m.GovernPage })));
// Votes: proposals, ballots, the constitution (own chunk).
const VotesHomePage = lazy(() => import('./votes').then((m) => ({ default: m.VotesHomePage })));
const ProposalPage = lazy(() => import('./votes').then((m) => ({ default: m.ProposalPage })));
const NewProposalPage = lazy(() => import('./votes').then((m) => ({ default: m.NewProposalPage })));
const ConstitutionPage = lazy(() => import('./votes').then((m) => ({ default: m.ConstitutionPage })));
// Datasets out: snapshots, exports, releases, leaderboard, my data (own chunk).
const DatasetsPage = lazy(() => import('./datasets/DatasetsPage'));
const LeaderboardPage = lazy(() => import('./datasets/Leaderboard'));
const MyReleasesPage = lazy(() => import('./datasets/MyReleases'));

const TITLES: Record<string, string> = {
  '/login': 'Log in',
  '/work': 'Work',
  '/review': 'Review',
  '/equity': 'Equity',
  '/equity/statement': 'Statement',
  '/equity/transfer': 'Transfer units',
  '/equity/register': 'Court roll',
  '/equity/govern': 'Equity governance',
  '/votes': 'Votes',
  '/votes/new': 'Propose a change',
  '/votes/constitution': 'Constitution',
  '/datasets': 'Datasets',
  '/datasets/leaderboard': 'Leaderboard',
  '/datasets/mine': 'My releases and data',
  '/admin': 'Co-op admin',
  '/admin/projects': 'Models & projects',
  '/admin/webhooks': 'Webhooks',
  '/admin/models': 'Model endpoints',
  '/admin/projects/new': 'New project',
  '/work/mine': 'My work',
  '/work/quality': 'My quality',
  '/quality': 'Quality',
  '/account': 'Account',
};

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function App() {
  const session = useSession();
  const { pathname, search } = useLocation();

  useEffect(() => {
    const t =
      TITLES[pathname] ??
      (pathname.startsWith('/invite/') ? 'Join' : pathname.startsWith('/work/p/') ? 'Labelling' : pathname.startsWith('/review/p/') ? 'Review' : pathname.startsWith('/quality/') ? 'Quality' : pathname.startsWith('/admin/projects/') ? 'Project' : pathname.startsWith('/votes/') ? 'Proposal' : null);
    document.title = t ? `${t} · copyhold` : 'copyhold';
  }, [pathname]);

  const enter = (me: Me, next?: string | null) => {
    session.setMe(me);
    navigate(next ?? homeFor(me.roles), { replace: true });
  };

  const invite = matchPath('/invite/:token', pathname);
  if (invite) return <InvitePage token={invite.token} onJoined={(me) => enter(me)} />;

  if (session.status === 'loading') {
    return (
      <div className="auth-layout">
        <main id="main" className="auth-card" aria-busy="true">
          <p className="brand brand-large">copyhold</p>
          <p className="muted">Loading…</p>
        </main>
      </div>
    );
  }

  if (session.status === 'error') {
    return (
      <div className="auth-layout">
        <main id="main" className="auth-card">
          <p className="brand brand-large">copyhold</p>
          <h1>Cannot reach copyhold</h1>
          <div className="alert alert-error" role="alert">
            {session.error?.message}
          </div>
          <button type="button" className="btn btn-primary" onClick={session.retry}>
            Try again
          </button>
        </main>
      </div>
    );
  }

  if (session.status === 'anonymous' || !session.me) {
    if (pathname === '/login') {
      const next = safeNext(new URLSearchParams(search).get('next'));
      return <LoginPage onLoggedIn={(me) => enter(me, next)} />;
    }
    const next = pathname !== '/' ? `?next=${encodeURIComponent(pathname + search)}` : '';
    return <Redirect to={`/login${next}`} />;
  }

  const me = session.me;
  if (pathname === '/' || pathname === '/login') {
    const next = pathname === '/login' ? safeNext(new URLSearchParams(search).get('next')) : null;
    return <Redirect to={next ?? homeFor(me.roles)} />;
  }

  let page;
  let params: Record<string, string> | null;
  const area = areaForPath(pathname);
  if (area && !canUse(area, me.roles)) {
    page = <RoleNeededPage role={area.role!} area={area.label} />;
  } else if (pathname === '/work') page = <WorkHomePage />;
  else if (pathname === '/work/mine') page = <MyWorkPage />;
  else if ((params = matchPath('/work/p/:id', pathname)) && /^\d+$/.test(params.id)) page = <WorkbenchPage key={params.id} projectId={Number(params.id)} />;
  else if (pathname === '/admin/projects') page = <ProjectsPage />;
  else if (pathname === '/admin/webhooks') page = <WebhooksPage />;
  else if (pathname === '/admin/models') page = <ModelsPage />;
  else if (pathname === '/admin/projects/new') page = <ProjectEditPage />;
  else if ((params = matchPath('/admin/projects/:id', pathname)) && /^\d+$/.test(params.id)) page = <ProjectDetailPage key={params.id} projectId={Number(params.id)} />;
  else if ((params = matchPath('/admin/projects/:id/edit', pathname)) && /^\d+$/.test(params.id)) page = <ProjectEditPage key={params.id} projectId={Number(params.id)} />;
  else if (pathname === '/work/quality') page = <MyQualityPage />;
  else if (pathname === '/review') page = <ReviewHomePage />;
  else if ((params = matchPath('/review/p/:id', pathname)) && /^\d+$/.test(params.id)) page = <ReviewScreen key={params.id} projectId={Number(params.id)} />;
  else if (pathname === '/quality') page = <QualityHomePage />;
  else if ((params = matchPath('/quality/:id', pathname)) && /^\d+$/.test(params.id)) page = <ProjectQualityPage key={params.id} projectId={Number(params.id)} />;
  else if (pathname === '/equity') page = <EquityHomePage />;
  else if (pathname === '/equity/statement') page = <StatementPage />;
  else if (pathname === '/equity/transfer') page = <TransferPage />;
  else if (pathname === '/equity/register') page = <RegisterPage />;
  else if (pathname === '/equity/govern') page = <GovernPage />;
  else if (pathname === '/votes') page = <VotesHomePage />;
  else if (pathname === '/votes/new') page = <NewProposalPage />;
  else if (pathname === '/votes/constitution') page = <ConstitutionPage />;
  else if ((params = matchPath('/votes/:id', pathname)) && /^\d+$/.test(params.id)) page = <ProposalPage key={params.id} id={Number(params.id)} />;
  else if (pathname === '/datasets') page = <DatasetsPage />;
  else if (pathname === '/datasets/leaderboard') page = <LeaderboardPage />;
  else if (pathname === '/datasets/mine') page = <MyReleasesPage />;
  else if (pathname === '/admin') page = <AdminPage />;
  else if (pathname === '/account') page = <AccountPage />;
  else page = <NotFoundPage />;

  return (
    <Shell me={me} onLogout={async () => {
      await session.logout();
      navigate('/login', { replace: true });
    }}>
      <Suspense fallback={<p className="muted">Loading…</p>}>{page}</Suspense>
    </Shell>
  );
}
