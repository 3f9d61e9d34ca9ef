// The Votes area: open proposals first (each with its preview, the rule it
// changes, the deadline, the turnout and the vote), then closed ones with
// their tallies; a proposal's own page with its published ballots and a
// recount; the proposal form; the constitution. Kept live from the coop
// channel without reloading.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { labelApi } from '../labeling/api';
import { useChannel, type LiveEvent } from '../live/live';
import { PageHeading } from '../pages/PageHeading';
import { Link, navigate, useLocation } from '../router';
import { ErrorAlert, Notice } from '../ui';
import { CHANGE_KINDS, votesApi, type ChangeKind, type Constitution, type ConstitutionVersion, type Proposal, type VoteResult } from './api';
import { PublishedBallots } from './Ballots';
import { ConstitutionView } from './Constitution';
import type { Names } from './format';
import { applyProposalEvent, placeProposal, type Lists } from './live';
import { ProposalCard } from './ProposalCard';
import { prefillFrom, ProposalForm } from './ProposalForm';
import type { CountRules } from './tally';

export type VotesTab = 'votes' | 'new' | 'constitution';

export function VotesTabs({ current }: { current: VotesTab | null }) {
  const tabs: { id: VotesTab; to: string; label: string }[] = [
    { id: 'votes', to: '/votes', label: 'Proposals' },
    { id: 'new', to: '/votes/new', label: 'Propose a change' },
    { id: 'constitution', to: '/votes/constitution', label: 'Constitution' },
  ];
  return (
    <nav className="tabs" aria-label="Votes sections">
      {tabs.map((t) => (
        <Link key={t.id} to={t.to} aria-current={current === t.id ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function useConstitution(): { constitution: Constitution | null; error: ApiError | null } {
  const [constitution, setC] = useState<Constitution | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    votesApi.constitution().then(
      (c) => live && setC(c),
      (e) => live && setError(e as ApiError),
    );
    return () => {
      live = false;
    };
  }, []);
  return { constitution, error };
}

/** Project and model names for the rule tables (ids otherwise). */
export function useNames(): Names {
  const [projects, setProjects] = useState<Record<number, string>>({});
  const [models, setModels] = useState<Record<number, string>>({});
  useEffect(() => {
    let live = true;
    labelApi.projects().then(
      (ps) => live && setProjects(Object.fromEntries(ps.map((p) => [p.id, p.name]))),
      () => {},
    );
    labelApi.models().then(
      (ms) => live && setModels(Object.fromEntries(ms.map((m) => [m.id, m.name]))),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  return { project: (id) => projects[id], model: (id) => models[id] };
}

/** A proposal's ballot is secret unless the proposal (or, failing that, the constitution) says open. */
export function isSecret(p: Proposal, c: Constitution | null): boolean {
  if (p.ballot) return p.ballot !== 'open';
  if (p.my_vote?.choice) return false;
  return c?.ballot !== 'open';
}

/**
 * What the member's own vote does to the proposal on screen at once. The
 * turnout is not guessed (the coop event may already have counted this
 * vote): the page re-reads the proposal, and proposal.voted keeps it live.
 */
export function afterMyVote(p: Proposal, r: VoteResult, secret: boolean): Proposal {
  return { ...p, my_vote: { ...p.my_vote, voted: true, choice: secret ? null : r.choice } };
}

const CLOSED_PAGE = 10;

export function VotesHomePage() {
  const { me } = useSession();
  const { constitution } = useConstitution();
  const names = useNames();
  const [lists, setLists] = useState<Lists | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [soon, setSoon] = useState<Set<number>>(new Set());
  const [error, setError] = useState<ApiError | null>(null);
  const [more, setMore] = useState(false);
  const [say, setSay] = useState('');
  const alive = useRef(true);
  const listsRef = useRef<Lists | null>(null);
  listsRef.current = lists;

  const load = useCallback(() => {
    Promise.all([votesApi.allProposals({ status: 'open' }), votesApi.proposals({ status: 'closed', limit: CLOSED_PAGE })]).then(
      ([open, closed]) => {
        if (!alive.current) return;
        setLists({ open, closed: closed.items });
        setCursor(closed.next_cursor);
        setError(null);
      },
      (e) => alive.current && setError(e as ApiError),
    );
  }, []);

  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
    };
  }, [load]);

  const refetch = useCallback((id: number) => {
    votesApi.proposal(id).then(
      (p) => alive.current && setLists((l) => (l ? placeProposal(l, p) : l)),
      () => {},
    );
  }, []);

  const onEvent = (e: LiveEvent) => {
    if (!e.type.startsWith('proposal.') || !listsRef.current) return;
    const r = applyProposalEvent(listsRef.current, e);
    setLists({ open: r.open, closed: r.closed });
    if (r.soon !== null) setSoon((s) => new Set(s).add(r.soon!));
    if (r.say) setSay(r.say);
    if (r.fetch !== null) refetch(r.fetch);
  };
  useChannel('coop', onEvent, { onReset: load });

  async function older() {
    if (!cursor) return;
    setMore(true);
    try {
      const page = await votesApi.proposals({ status: 'closed', cursor, limit: CLOSED_PAGE });
      setLists((l) => (l ? { ...l, closed: [...l.closed, ...page.items.filter((p) => !l.closed.some((x) => x.id === p.id))] } : l));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setMore(false);
    }
  }

  const voted = (id: number, r: VoteResult) => {
    setLists((l) => (l ? { ...l, open: l.open.map((p) => (p.id === id ? afterMyVote(p, r, isSecret(p, constitution)) : p)) } : l));
    refetch(id);
  };
  const changed = (p: Proposal) => setLists((l) => (l ? placeProposal(l, p) : l));

  if (!me) return null;
  return (
    <>
      <PageHeading title="Votes" lead="One member, one vote: what members earn and pay changes only when the members vote for it." />
      <VotesTabs current="votes" />
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="votes-live">
        {say}
      </p>
      <ErrorAlert error={error} />
      {!lists && !error && <p className="muted">Loading proposals…</p>}
      {lists && (
        <>
          <section aria-labelledby="vt-open-h" className="vt-section">
            <h2 id="vt-open-h">Open proposals</h2>
            {lists.open.length === 0 ? (
              <div className="empty-state">
                <p>No proposal is open for voting.</p>
                <p>
                  <Link to="/votes/new">Propose a change</Link>
                </p>
              </div>
            ) : (
              lists.open.map((p) => (
                <ProposalCard
                  key={`${p.id}-${p.opened_at ?? ''}`}
                  p={p}
                  memberId={me.id}
                  secret={isSecret(p, constitution)}
                  level={3}
                  names={names}
                  cosponsorsNeeded={constitution?.cosponsors}
                  onVoted={voted}
                  onClosed={refetch}
                  onChanged={changed}
                  soon={soon.has(p.id)}
                />
              ))
            )}
          </section>
          <section aria-labelledby="vt-closed-h" className="vt-section">
            <h2 id="vt-closed-h">Closed proposals</h2>
            {lists.closed.length === 0 ? (
              <p className="muted">No proposal has closed yet.</p>
            ) : (
              lists.closed.map((p) => (
                <ProposalCard
                  key={p.id}
                  p={p}
                  memberId={me.id}
                  secret={isSecret(p, constitution)}
                  level={3}
                  names={names}
                  onVoted={voted}
                  withPreview={false}
                />
              ))
            )}
            {cursor && (
              <button type="button" className="btn" disabled={more} onClick={() => void older()}>
                Show older proposals
              </button>
            )}
          </section>
        </>
      )}
    </>
  );
}

/** The constitution version in force when a proposal opened (its counting rules). */
export function rulesAt(history: readonly ConstitutionVersion[], openedAt: string | null, fallback: Constitution | null): CountRules | null {
  const t = openedAt ? Date.parse(openedAt) : NaN;
  const before = Number.isNaN(t) ? [] : history.filter((v) => v.created_at !== null && Date.parse(v.created_at) <= t).sort((a, b) => b.version - a.version);
  return before[0] ?? fallback;
}

export function ProposalPage({ id }: { id: number }) {
  const { me } = useSession();
  const { constitution } = useConstitution();
  const names = useNames();
  const [p, setP] = useState<Proposal | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [history, setHistory] = useState<ConstitutionVersion[] | null>(null);
  const [amending, setAmending] = useState(false);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [soon, setSoon] = useState(false);
  const [say, setSay] = useState('');
  const alive = useRef(true);
  const pRef = useRef<Proposal | null>(null);
  pRef.current = p;

  const load = useCallback(() => {
    votesApi.proposal(id).then(
      (x) => {
        if (!alive.current) return;
        setP(x);
        setError(null);
      },
      (e) => alive.current && setError(e as ApiError),
    );
  }, [id]);
  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
    };
  }, [load]);

  const closed = !!p && p.status !== 'open' && p.status !== 'seeking_sponsors';
  useEffect(() => {
    if (!closed || history) return;
    votesApi.constitutionHistory().then(
      (h) => alive.current && setHistory(h),
      () => alive.current && setHistory([]),
    );
  }, [closed, history]);

  useChannel(
    'coop',
    (e) => {
      if (!e.type.startsWith('proposal.') || e.payload.id !== id || !pRef.current) return;
      const r = applyProposalEvent({ open: [pRef.current], closed: [] }, e);
      const next = r.open[0] ?? r.closed[0];
      if (next) setP(next);
      if (r.soon !== null) setSoon(true);
      if (r.say) setSay(r.say);
      if (r.fetch !== null) load();
    },
    { onReset: load },
  );

  async function withdraw() {
    if (!p) return;
    setActionError(null);
    try {
      setP(await votesApi.withdraw(p.id));
      setNotice('The proposal was withdrawn.');
    } catch (e) {
      setActionError(e as ApiError);
    } finally {
      setConfirmWithdraw(false);
    }
  }

  if (!me) return null;
  if (error) {
    return (
      <>
        <PageHeading title={error.status === 404 ? 'No such proposal' : 'Proposal'} />
        <VotesTabs current={null} />
        <ErrorAlert error={error} />
      </>
    );
  }
  if (!p) return <p className="muted">Loading the proposal…</p>;
  const secret = isSecret(p, constitution);
  const mine = p.proposer?.id === me.id;
  const open = p.status === 'open' || p.status === 'seeking_sponsors';
  return (
    <>
      <PageHeading title={p.title} />
      <VotesTabs current={null} />
      <p className="visually-hidden" role="status" aria-live="polite">
        {say}
      </p>
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={actionError} />
      {amending ? (
        <section className="card" aria-labelledby="amend-h">
          <h2 id="amend-h">Amend the proposal</h2>
          <ProposalForm
            constitution={constitution}
            amend={p}
            onCancel={() => setAmending(false)}
            onDone={(x) => {
              setP(x);
              setAmending(false);
              setNotice('The proposal was amended: every vote was discarded and the voting period restarted.');
            }}
          />
        </section>
      ) : (
        <ProposalCard
          key={`${p.id}-${p.opened_at ?? ''}`}
          p={p}
          memberId={me.id}
          secret={secret}
          level={0}
          names={names}
          cosponsorsNeeded={constitution?.cosponsors}
          pageKeys={p.status === 'open'}
          withPreview={open}
          soon={soon}
          onVoted={(_, r) => {
            setP((x) => (x ? afterMyVote(x, r, secret) : x));
            load();
          }}
          onClosed={load}
          onChanged={setP}
        />
      )}
      {mine && open && !amending && (
        <section className="card" aria-labelledby="yours-h">
          <h2 id="yours-h">Your proposal</h2>
          <div className="task-actions">
            {p.status === 'open' && (
              <button type="button" className="btn" onClick={() => setAmending(true)}>
                Amend…
              </button>
            )}
            {p.voted === 0 && !confirmWithdraw && (
              <button type="button" className="btn btn-danger-outline" onClick={() => setConfirmWithdraw(true)}>
                Withdraw…
              </button>
            )}
          </div>
          {p.voted > 0 && <p className="small muted">A proposal can be withdrawn only before the first vote.</p>}
          {confirmWithdraw && (
            <div className="alert alert-warn" role="group" aria-label="Confirm withdrawing">
              <p>Withdraw “{p.title}”? It stays on the register as withdrawn.</p>
              <div className="task-actions">
                <button type="button" className="btn btn-danger" onClick={() => void withdraw()}>
                  Withdraw
                </button>
                <button type="button" className="btn" onClick={() => setConfirmWithdraw(false)}>
                  Keep it
                </button>
              </div>
            </div>
          )}
        </section>
      )}
      {closed && p.status !== 'withdrawn' && <PublishedBallots proposal={p} memberId={me.id} rules={history ? rulesAt(history, p.opened_at, constitution) : constitution} />}
      <p className="small">
        <Link to="/votes">All proposals</Link>
      </p>
    </>
  );
}

export function NewProposalPage() {
  const { search } = useLocation();
  const { constitution } = useConstitution();
  const q = new URLSearchParams(search);
  const k = q.get('kind');
  const kind = (CHANGE_KINDS as readonly string[]).includes(k ?? '') ? (k as ChangeKind) : 'governance';
  const [prefill] = useState(() => prefillFrom(kind, q));
  return (
    <>
      <PageHeading title="Propose a change" lead="Any member may propose. The change executes only if the members vote for it." />
      <VotesTabs current="new" />
      <section className="card">
        <ProposalForm key={kind} constitution={constitution} initialKind={kind} prefill={prefill} onDone={(p) => navigate(`/votes/${p.id}`)} />
      </section>
    </>
  );
}

export function ConstitutionPage() {
  return (
    <>
      <PageHeading title="Constitution" lead="How the co-op decides: who votes, the quorum, the majorities and the voting period. It changes only by special resolution." />
      <VotesTabs current="constitution" />
      <ConstitutionView />
    </>
  );
}
