import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { SessionProvider } from '../auth';
import { LiveClient } from '../live/client';
import { setLiveClientForTests } from '../live/live';
import { Nav } from '../Shell';
import type { Me } from '../api';
import { ProposalCard } from './ProposalCard';
import { VoteBox } from './VoteBox';
import { NewProposalPage, ProposalPage, VotesHomePage } from './VotesPage';
import { ConstitutionView } from './Constitution';
import { ChangedBy } from './Provenance';
import { noteMyVote, useOpenVoteCount } from './openVotes';
import { ballotKey, loadBallot, receiptHash, saveBallot } from './receipts';
import { CONSTITUTION, PREVIEW, proposal } from './fixtures';
import type { Proposal } from './api';

const ME: Me = { id: 3, login: 'labeller', display_name: 'Lena Labeller', roles: ['labeller'], active: true, admission: 'member', created_at: '' };

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

type Handler = (body: unknown, url: string) => Response | Promise<Response>;

/** A fetch mock routing "METHOD /path" (query string ignored unless given) to handlers; records calls. */
function mockFetch(routes: Record<string, Handler | unknown>) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fn = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url, body });
    const path = url.split('?')[0];
    const r = routes[`${method} ${url}`] ?? routes[`${method} ${path}`];
    if (r === undefined) return json(404, { code: 'not_found', message: `no route ${method} ${url}` });
    if (r instanceof Response) return r.clone();
    return typeof r === 'function' ? (r as Handler)(body, url) : json(200, r);
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

// A live client on a fake socket, so pages subscribe without a network.
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor() {
    FakeSocket.last = this;
  }
  send(s: string) {
    this.sent.push(JSON.parse(s));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
    for (const f of this.sent.filter((x) => x.op === 'subscribe')) this.frame({ op: 'subscribed', channel: f.channel, head: 0, replayed: 0 });
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent);
  }
}
let seq = 0;
function emit(type: string, payload: Record<string, unknown>) {
  act(() => FakeSocket.last!.frame({ op: 'event', channel: 'coop', seq: ++seq, type, at: '2026-01-02T00:00:00Z', payload }));
}

beforeEach(() => {
  localStorage.clear();
  setLiveClientForTests(new LiveClient({ url: () => 'ws://test/ws', socket: () => new FakeSocket() as unknown as WebSocket, storage: null, pingEveryMs: 1e9 }));
});
afterEach(() => {
  setLiveClientForTests(null);
  vi.unstubAllGlobals();
});

function withSession(ui: React.ReactNode) {
  return render(<SessionProvider initial={ME}>{ui}</SessionProvider>);
}

describe('keyboard voting', () => {
  function card(p: Proposal, onVoted = vi.fn()) {
    const utils = withSession(<ProposalCard p={p} memberId={ME.id} secret level={3} onVoted={onVoted} withPreview={false} />);
    return { ...utils, onVoted, article: screen.getByTestId(`proposal-${p.id}`) };
  }

  it('y / n / a inside the proposal vote; the receipt is kept and sent back only to change the vote', async () => {
    const calls = mockFetch({
      'POST /api/proposals/7/votes': (b: unknown) => json(200, { receipt: 'rcpt-1', choice: (b as { choice: string }).choice, changed: false }),
    });
    const onVoted = vi.fn();
    const { article, rerender } = card(proposal(), onVoted);
    const yes = within(article).getByRole('button', { name: 'Yes' });
    expect(yes.getAttribute('aria-keyshortcuts')).toBe('y');
    expect(within(article).getAllByRole('button').map((b) => b.textContent)).toEqual(['YesY', 'NoN', 'AbstainA']);
    yes.focus();
    fireEvent.keyDown(yes, { key: 'y' });
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/proposals/7/votes', body: { choice: 'yes' } });
    await screen.findByText('Vote recorded: Yes.');
    expect(loadBallot(ME.id, 7)).toMatchObject({ receipt: 'rcpt-1', choice: 'yes' });
    expect(onVoted).toHaveBeenCalledWith(7, { receipt: 'rcpt-1', choice: 'yes', changed: false }, false);

    // The server now says the member voted (secret: no choice); the browser knows it.
    rerender(
      <SessionProvider initial={ME}>
        <ProposalCard p={proposal({ voted: 1, my_vote: { voted: true, choice: null } })} memberId={ME.id} secret level={3} onVoted={onVoted} withPreview={false} />
      </SessionProvider>,
    );
    expect(screen.getByTestId('my-vote-7').textContent).toMatch(/You voted Yes.*Your receipt \(kept in this browser only\): rcpt-1/);
    expect(within(article).getByRole('button', { name: 'Yes' }).getAttribute('aria-pressed')).toBe('true');
    // Change to abstain with the key: the receipt goes back.
    fireEvent.keyDown(within(article).getByRole('button', { name: 'No' }), { key: 'a' });
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1].body).toEqual({ choice: 'abstain', receipt: 'rcpt-1' });
    // Nothing else ever carried the receipt.
    expect(calls.filter((c) => JSON.stringify(c.body ?? '').includes('rcpt-1')).map((c) => c.url)).toEqual(['/api/proposals/7/votes']);
  });

  it('ignores the keys while typing, with modifiers, and outside the proposal', async () => {
    const calls = mockFetch({});
    const { article } = card(proposal());
    const input = document.createElement('input');
    article.appendChild(input);
    fireEvent.keyDown(input, { key: 'y' });
    fireEvent.keyDown(article, { key: 'y', ctrlKey: true });
    fireEvent.keyDown(document.body, { key: 'y' });
    fireEvent.keyDown(article, { key: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
  });

  it('on the proposal’s own page the keys work anywhere; buttons are real buttons reachable with Tab', async () => {
    const calls = mockFetch({ 'POST /api/proposals/7/votes': json(200, { receipt: 'r9', choice: 'no', changed: false }) });
    withSession(<VoteBox proposal={proposal()} memberId={ME.id} secret onVoted={vi.fn()} keys="page" />);
    for (const b of screen.getAllByRole('button')) {
      expect(b.tagName).toBe('BUTTON');
      expect(b.hasAttribute('disabled')).toBe(false);
      expect(b.tabIndex).toBe(0);
    }
    fireEvent.keyDown(window, { key: 'N' });
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0].body).toEqual({ choice: 'no' });
  });

  it('says why a vote is refused and closes the buttons after the close', async () => {
    mockFetch({ 'POST /api/proposals/7/votes': json(409, { code: 'proposal_closed', message: 'proposal 7 is closed' }) });
    const onClosed = vi.fn();
    withSession(<VoteBox proposal={proposal()} memberId={ME.id} secret onVoted={vi.fn()} onClosed={onClosed} />);
    fireEvent.click(screen.getByRole('button', { name: 'Abstain' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Voting has closed on this proposal.');
    expect(onClosed).toHaveBeenCalledWith(7);
  });

  it('a secret vote cast from another browser cannot be changed here; an amendment voids the stored ballot', () => {
    mockFetch({});
    const { unmount } = withSession(<VoteBox proposal={proposal({ my_vote: { voted: true, choice: null } })} memberId={ME.id} secret onVoted={vi.fn()} />);
    expect(screen.getByTestId('my-vote-7').textContent).toMatch(/another browser or device/);
    expect(screen.getByRole('button', { name: 'Yes' }).hasAttribute('disabled')).toBe(true);
    unmount();
    saveBallot(ME.id, 7, { receipt: 'old', choice: 'no', at: '' });
    withSession(<VoteBox proposal={proposal()} memberId={ME.id} secret onVoted={vi.fn()} />);
    expect(screen.getByTestId('my-vote-7').textContent).toMatch(/amended after you voted No.*vote again/);
  });
});

describe('open-vote counter in the navigation', () => {
  it('shows "1 open vote" / "N open votes" until the member has voted', () => {
    const { rerender } = render(<Nav roles={['labeller']} pathname="/work" openVotes={1} />);
    const link = screen.getByRole('link', { name: /Votes/ });
    expect(link.textContent).toBe('Votes: 1 open vote');
    rerender(<Nav roles={['labeller']} pathname="/work" openVotes={2} />);
    expect(screen.getByTestId('open-votes').textContent).toBe(': 2 open votes');
    rerender(<Nav roles={['labeller']} pathname="/work" openVotes={0} />);
    expect(screen.queryByTestId('open-votes')).toBeNull();
    expect(screen.getByRole('link', { name: 'Votes' })).toBeTruthy();
  });

  it('counts live: opened, voted here, closed', async () => {
    const p8 = proposal({ id: 8 });
    mockFetch({
      'GET /api/proposals': { items: [proposal({ id: 7 }), proposal({ id: 6, my_vote: { voted: true, choice: null } })], next_cursor: null },
      'GET /api/proposals/8': p8,
    });
    function Counter() {
      const n = useOpenVoteCount(ME.id);
      return <p data-testid="n">{n === null ? 'unknown' : n}</p>;
    }
    render(<Counter />);
    await waitFor(() => expect(screen.getByTestId('n').textContent).toBe('1'));
    act(() => FakeSocket.last!.open());
    emit('proposal.opened', { id: 8, title: 'More', kind: 'motion', closes_at: p8.closes_at });
    await waitFor(() => expect(screen.getByTestId('n').textContent).toBe('2'), { timeout: 2000 });
    act(() => noteMyVote(7));
    expect(screen.getByTestId('n').textContent).toBe('1');
    emit('proposal.closed', { id: 8, status: 'failed', tally: null });
    expect(screen.getByTestId('n').textContent).toBe('0');
  });
});

describe('Votes pages with a mocked server', () => {
  it('lists open proposals first with chart, rule, deadline and turnout, updated live; closed ones with tallies', async () => {
    const closed = proposal({
      id: 5,
      title: 'Cap holdings',
      status: 'failed',
      tally: { yes: 1, no: 0, abstain: 0, eligible: 5, quorum_met: false, passed: false, reason: 'quorum' },
      closed_at: '2026-01-05T00:00:00Z',
    });
    const calls = mockFetch({
      'GET /api/constitution': CONSTITUTION,
      'GET /api/proposals?status=open': { items: [proposal({ voted: 1 })], next_cursor: null },
      'GET /api/proposals?status=closed&limit=10': { items: [closed], next_cursor: 'c2' },
      'GET /api/proposals?status=closed&cursor=c2&limit=10': { items: [proposal({ id: 4, title: 'Older one', status: 'withdrawn' })], next_cursor: null },
      'GET /api/proposals/7/preview': PREVIEW,
      'GET /api/projects': { items: [], next_cursor: null },
      'GET /api/models': { items: [], next_cursor: null },
    });
    withSession(<VotesHomePage />);
    const card = await screen.findByTestId('proposal-7');
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(headings).toEqual(['Open proposals', 'Closed proposals']);
    expect(within(card).getByRole('heading', { level: 3, name: 'Charge 1% on transfers' })).toBeTruthy();
    const rule = within(card).getByTestId('rule-7');
    expect(within(rule).getByRole('row', { name: /Transfer fee/ }).textContent).toContain('0%');
    expect(within(rule).getByRole('row', { name: /Transfer fee/ }).textContent).toContain('1%');
    expect(within(card).getByTestId('turnout-7').textContent).toBe('1 of 5 eligible members have voted · quorum 2: 1 more needed');
    expect(within(card).getByText(/Voting closes/)).toBeTruthy();
    // the chart: both windows, 30 days first, "you" marked
    const charts = await within(card).findAllByRole('img');
    expect(charts.map((c) => c.querySelector('title')?.textContent)).toEqual([
      'Members’ earnings over the last 30 days, current rule against proposed rule',
      'Members’ earnings over the last 90 days, current rule against proposed rule',
    ]);
    expect(charts[0].querySelector('desc')?.textContent).toContain('you 2.000000 now, 1.980000 proposed');
    expect(within(card).getByTestId('preview-30').textContent).toContain('Reserve: 0.000000 now → 0.020000 proposed (+0.020000)');

    // closed: tally and a link to the ballots
    const c5 = screen.getByTestId('proposal-5');
    expect(within(c5).getByTestId('outcome-5').textContent).toContain('Failed: quorum not reached — 1 yes / 0 no / 0 abstain');
    expect(within(c5).getByRole('link', { name: 'Published ballots and recount' }).getAttribute('href')).toBe('/votes/5');

    // live: a vote elsewhere updates the turnout without reloading
    act(() => FakeSocket.last!.open());
    emit('proposal.voted', { id: 7, voted: 2, eligible: 5 });
    expect(within(card).getByTestId('turnout-7').textContent).toBe('2 of 5 eligible members have voted · quorum 2: reached');
    emit('proposal.closing_soon', { id: 7, closes_at: '2099-01-08T00:00:00Z' });
    expect(within(card).getByText('Closes soon')).toBeTruthy();

    // cursor paging of closed proposals
    fireEvent.click(screen.getByRole('button', { name: 'Show older proposals' }));
    await screen.findByText('Older one');
    expect(screen.queryByRole('button', { name: 'Show older proposals' })).toBeNull();
    expect(calls.filter((c) => c.url.includes('cursor=c2'))).toHaveLength(1);
  });

  it('renders untrusted titles, reasons and motions inert', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    mockFetch({
      'GET /api/constitution': CONSTITUTION,
      'GET /api/proposals?status=open': {
        items: [proposal({ title: evil, reason: `**Bold** ${evil} [x](javascript:alert(1))`, kind: 'motion', change: { kind: 'motion', text: `<script>alert(1)</script> ${evil}` }, current: null })],
        next_cursor: null,
      },
      'GET /api/proposals?status=closed&limit=10': { items: [], next_cursor: null },
      'GET /api/proposals/7/preview': { kind: 'motion', applies: false, windows: null },
    });
    const { container } = withSession(<VotesHomePage />);
    const card = await screen.findByTestId('proposal-7');
    expect(within(card).getAllByText(evil, { exact: false }).length).toBeGreaterThan(0);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('a[href^="javascript"]')).toBeNull();
    expect(within(card).getByText('Bold').tagName).toBe('STRONG');
    await within(card).findByText(/changes no money or units/);
  });

  it('a closed proposal shows its ballots with my receipt highlighted, and the recount matches', async () => {
    const tally = { yes: 2, no: 0, abstain: 1, eligible: 5, quorum_met: true, passed: true, reason: '' };
    const p = proposal({ status: 'passed', tally, voted: 3, my_vote: { voted: true, choice: null }, closed_at: '2026-01-08T00:00:01Z', executed: { id: 1, what: 'governance', version: 4, at: '2026-01-08T00:00:01Z' } });
    saveBallot(ME.id, 7, { receipt: 'mine-b', choice: 'yes', at: '' });
    mockFetch({
      'GET /api/constitution': CONSTITUTION,
      'GET /api/constitution/history': { items: [CONSTITUTION], next_cursor: null },
      'GET /api/proposals/7': p,
      'GET /api/proposals/7/preview': PREVIEW,
      'GET /api/proposals/7/ballots': {
        ballots: [
          { receipt: 'a-1', choice: 'yes' },
          { receipt: receiptHash('mine-b'), choice: 'yes' }, // published as the SHA-256 of the receipt
          { receipt: 'c-3', choice: 'abstain' },
        ],
        tally,
      },
    });
    withSession(<ProposalPage id={7} />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Charge 1% on transfers' })).toBeTruthy();
    expect(screen.getByTestId('executed-7').textContent).toContain('new register rules version 4');
    const table = await screen.findByTestId('ballots');
    const own = within(table).getByText('your ballot').closest('tr')!;
    expect(own.className).toBe('eq-me');
    expect(own.textContent).toContain(receiptHash('mine-b'));
    expect(screen.getByTestId('my-receipt-check').textContent).toBe('Your receipt mine-b is in the published ballots, counted as Yes. ✓');
    fireEvent.click(screen.getByRole('button', { name: 'Recount from the published ballots' }));
    expect(screen.getByTestId('recount').textContent).toBe('Recount: 2 yes / 0 no / 1 abstain from 3 ballots — matches the recorded tally (passed). ✓');
  });

  it('the proposal form validates per kind and puts the server’s error next to the field', async () => {
    window.history.replaceState(null, '', '/votes/new?kind=governance');
    const calls = mockFetch({
      'GET /api/constitution': CONSTITUTION,
      'GET /api/projects': { items: [], next_cursor: null },
      'GET /api/models': { items: [], next_cursor: null },
      'GET /api/equity/governance': { id: 0, version: 0, transfer_fee_bp: 0, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve', reason: '', actor_id: 0, created_at: '0001-01-01T00:00:00Z' },
      'POST /api/proposals': json(400, { code: 'invalid_change', message: 'holding_cap_bp must be between 1 and 10000' }),
    });
    withSession(<NewProposalPage />);
    const fee = await screen.findByLabelText('Transfer fee (basis points)');
    await waitFor(() => expect(calls.some((c) => c.url === '/api/equity/governance')).toBe(true));
    fireEvent.change(fee, { target: { value: '-5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Propose' }));
    expect(await screen.findByText('The transfer fee must not be negative.')).toBeTruthy();
    expect(fee.getAttribute('aria-invalid')).toBe('true');
    expect(fee.getAttribute('aria-describedby')).toContain('-error');
    expect(screen.getByText('Give the proposal a title.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Title'));
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.change(fee, { target: { value: '100' } });
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Charge 1% on transfers' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'Fund the reserve.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Propose' }));
    const cap = screen.getByLabelText('Holding cap (basis points)');
    await waitFor(() => expect(cap.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Holding_cap_bp must be between 1 and 10000')).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({
      title: 'Charge 1% on transfers',
      reason: 'Fund the reserve.',
      change: { kind: 'governance', transfer_fee_bp: 100, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    });
    expect(typeof (post.body as { idempotency_key: string }).idempotency_key).toBe('string');
    expect(post.body).not.toHaveProperty('period_hours');
  });

  it('the proposer amends (PUT, no idempotency key; votes restart) or withdraws before the first vote', async () => {
    const calls = mockFetch({
      'GET /api/constitution': CONSTITUTION,
      'GET /api/projects': { items: [], next_cursor: null },
      'GET /api/models': { items: [], next_cursor: null },
      'GET /api/proposals/7': proposal(),
      'GET /api/proposals/7/preview': PREVIEW,
      'GET /api/equity/governance': { id: 0, version: 0, transfer_fee_bp: 0, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve', reason: '', actor_id: 0, created_at: '0001-01-01T00:00:00Z' },
      'PUT /api/proposals/7': (b: unknown) => json(200, proposal({ ...(b as object), opened_at: '2026-01-03T00:00:00Z' } as Partial<Proposal>)),
      'POST /api/proposals/7/withdraw': proposal({ status: 'withdrawn' }),
    });
    withSession(<ProposalPage id={7} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Amend…' }));
    const fee = screen.getByLabelText('Transfer fee (basis points)') as HTMLInputElement;
    expect(fee.value).toBe('100');
    expect(screen.getByText(/Amending discards every vote/)).toBeTruthy();
    fireEvent.change(fee, { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Amend and restart the vote' }));
    await screen.findByText(/every vote was discarded and the voting period restarted/);
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.body).toEqual({
      title: 'Charge 1% on transfers',
      reason: 'Fund the reserve from transfers.',
      change: { kind: 'governance', transfer_fee_bp: 50, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Withdraw…' }));
    fireEvent.click(within(screen.getByRole('group', { name: 'Confirm withdrawing' })).getByRole('button', { name: 'Withdraw' }));
    await screen.findByText('The proposal was withdrawn.');
    expect(screen.getByText('Withdrawn by the proposer before anyone voted.')).toBeTruthy();
  });

  it('switches the typed editor with the kind', async () => {
    mockFetch({ 'GET /api/constitution': CONSTITUTION, 'GET /api/projects': { items: [{ id: 3, name: 'Sentiment' }], next_cursor: null }, 'GET /api/models': { items: [], next_cursor: null } });
    withSession(<NewProposalPage />);
    const kind = await screen.findByLabelText('What the proposal changes');
    fireEvent.change(kind, { target: { value: 'entry_rule' } });
    expect(screen.getByLabelText('Admission of new members')).toBeTruthy();
    expect(screen.getByLabelText('Entry fee (units, fixed)')).toBeTruthy();
    fireEvent.change(kind, { target: { value: 'rate_card' } });
    await screen.findByRole('option', { name: 'Sentiment' });
    fireEvent.change(kind, { target: { value: 'motion' } });
    expect(screen.getByLabelText('Motion').tagName).toBe('TEXTAREA');
  });

  it('shows the constitution and the proposals that made its versions', async () => {
    mockFetch({
      'GET /api/constitution': { ...CONSTITUTION, version: 2, quorum_bp: 3000, proposal_id: 11 },
      'GET /api/constitution/history': {
        next_cursor: null,
        items: [CONSTITUTION, { ...CONSTITUTION, version: 2, quorum_bp: 3000, proposal_id: 11, tally: { yes: 4, no: 1, abstain: 0, eligible: 6, quorum_met: true, passed: true, reason: '' } }],
      },
    });
    withSession(<ConstitutionView />);
    expect((await screen.findByTestId('constitution')).textContent).toContain('30% of eligible members');
    const hist = await screen.findByTestId('constitution-history');
    const items = within(hist).getAllByRole('listitem');
    expect(items[0].textContent).toContain('Version 2');
    expect(items[0].textContent).toContain('proposal #11 (4 yes / 1 no / 0 abstain)');
    expect(items[1].textContent).toContain('shipped defaults');
  });

  it('a rule changed by a vote names its proposal, tally and date', async () => {
    mockFetch({ 'GET /api/proposals/7': proposal({ status: 'passed', tally: { yes: 3, no: 1, abstain: 1, eligible: 5, quorum_met: true, passed: true, reason: '' } }) });
    withSession(<ChangedBy proposalId={7} at="2026-01-08T12:00:00Z" />);
    const el = screen.getByTestId('changed-by-7');
    await waitFor(() => expect(el.textContent).toContain('(3 yes / 1 no / 1 abstain)'));
    expect(el.textContent).toMatch(/^Changed by proposal #7 “Charge 1% on transfers” \(3 yes \/ 1 no \/ 1 abstain\), .*2026/);
    expect(within(el).getByRole('link', { name: 'proposal #7' }).getAttribute('href')).toBe('/votes/7');
  });
});

describe('ballot key shape', () => {
  it('is per member and proposal', () => {
    expect(ballotKey(1, 2)).not.toBe(ballotKey(2, 1));
  });
});
