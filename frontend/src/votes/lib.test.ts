import { describe, expect, it } from 'vitest';
import { countBallots, quorumNeeded, recount, tally, type Counts, type CountRules } from './tally';
import { draftFrom, emptyDraft, fieldForError, parseDifficultyMap, validateChange, validateProposalText } from './validate';
import { ballotKey, forgetBallot, loadBallot, markNotEligible, notEligible, saveBallot } from './receipts';
import { openVotesLabel, unvotedCount } from './openVotes';
import { applyProposalEvent, placeProposal } from './live';
import { delta, previewShape, PREVIEW_BOX, reserveBars } from './chart';
import { formatValue, ruleRows, untilText, KIND_FIELDS } from './format';
import { CHANGE_KINDS, proposalsPath, type Proposal } from './api';
import { proposal } from './fixtures';

const RULES: CountRules = { quorum_bp: 2500, ordinary_majority_bp: 5000, special_majority_bp: 6667 };
const c = (yes: number, no: number, abstain: number): Counts => ({ yes, no, abstain });

describe('tally', () => {
  it('needs the quorum, abstentions included, and counts it exactly at the edge', () => {
    expect(quorumNeeded(12, 2500)).toBe(3);
    expect(quorumNeeded(5, 2500)).toBe(2); // 1.25 → 2
    expect(quorumNeeded(4, 2500)).toBe(1);
    expect(quorumNeeded(0, 2500)).toBe(0);
    // 12 eligible, quorum 25 %: 3 ballots is exactly the quorum.
    expect(tally(12, c(1, 0, 2), RULES, false)).toMatchObject({ cast: 3, quorum_met: true, passed: true, reason: '' });
    expect(tally(12, c(2, 0, 0), RULES, false)).toMatchObject({ quorum_met: false, passed: false, reason: 'quorum' });
    // abstentions alone make the quorum but not a majority
    expect(tally(12, c(0, 0, 5), RULES, false)).toMatchObject({ quorum_met: true, passed: false, reason: 'majority' });
  });

  it('ordinary: strictly more than half of yes + no; a tie fails', () => {
    expect(tally(10, c(3, 3, 0), RULES, false)).toMatchObject({ passed: false, reason: 'majority' });
    expect(tally(10, c(4, 3, 9), RULES, false).passed).toBe(true);
    expect(tally(10, c(1, 0, 0), { ...RULES, quorum_bp: 1000 }, false).passed).toBe(true);
  });

  it('special: at least two thirds of yes + no', () => {
    // 6667 bp: 2 of 3 is 6666.7 bp → fails; 20001 of 30000 passes exactly at the edge
    expect(tally(3, c(2, 1, 0), RULES, true).passed).toBe(false);
    expect(tally(3, c(2, 1, 0), { ...RULES, special_majority_bp: 6666 }, true).passed).toBe(true);
    expect(tally(30000, c(20001, 9999, 0), RULES, true).passed).toBe(true); // 20001×10000 = 6667×30000
    expect(tally(30000, c(20000, 10000, 0), RULES, true).passed).toBe(false);
    expect(tally(3, c(3, 0, 0), RULES, true).passed).toBe(true);
  });

  it('agrees with a plain reference on random electorates (model test)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const eligible = rnd(40);
      const yes = rnd(eligible + 1);
      const no = rnd(eligible - yes + 1);
      const abstain = rnd(eligible - yes - no + 1);
      const rules = { quorum_bp: rnd(10001), ordinary_majority_bp: 5000, special_majority_bp: 6667 };
      const special = rnd(2) === 1;
      const cast = yes + no + abstain;
      const quorum = cast >= (rules.quorum_bp / 10000) * eligible - 1e-9;
      const maj = yes + no > 0 && (special ? yes / (yes + no) >= 0.6667 - 1e-12 : yes / (yes + no) > 0.5);
      const r = tally(eligible, c(yes, no, abstain), rules, special);
      expect(r.quorum_met, JSON.stringify({ eligible, yes, no, abstain, rules })).toBe(quorum);
      expect(r.passed).toBe(quorum && maj);
      expect(r.cast >= r.quorum_needed).toBe(r.quorum_met);
    }
  });

  it('recounts published ballots and says whether they match the recorded tally', () => {
    const ballots = [
      { receipt: 'a', choice: 'yes' },
      { receipt: 'b', choice: 'yes' },
      { receipt: 'c', choice: 'abstain' },
    ];
    const recorded = { yes: 2, no: 0, abstain: 1, eligible: 5, quorum_met: true, passed: true, reason: '' };
    expect(countBallots(ballots)).toEqual({ yes: 2, no: 0, abstain: 1, invalid: 0 });
    const ok = recount(ballots, recorded, RULES, false);
    expect(ok.matches).toBe(true);
    expect(ok.result?.passed).toBe(true);
    const bad = recount(ballots, { ...recorded, yes: 3 }, RULES, false);
    expect(bad.matches).toBe(false);
    expect(bad.differences[0]).toBe('yes: 2 counted, 3 recorded');
    const wrongOutcome = recount([{ receipt: 'a', choice: 'yes' }], { yes: 1, no: 0, abstain: 0, eligible: 5, quorum_met: true, passed: true, reason: '' }, RULES, false);
    expect(wrongOutcome.differences).toContain('quorum not met on recount, recorded met');
    expect(recount([{ receipt: 'x', choice: 'maybe' }], { ...recorded, yes: 0, abstain: 0 }, null, false).differences).toEqual(['1 ballot with no valid choice']);
    // without the rules only the counts are compared
    expect(recount(ballots, recorded, null, false)).toMatchObject({ matches: true, result: null });
  });
});

const known = { projects: [3, 4], models: [1] };

describe('form validation per change kind', () => {
  it('builds each kind with exactly the contract’s fields', () => {
    expect(validateChange('governance', { ...emptyDraft('governance'), transfer_fee_bp: '100', cap_floor: '1000' })).toEqual({
      errors: {},
      change: { kind: 'governance', transfer_fee_bp: 100, holding_cap_bp: 10000, cap_floor: '1000.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    });
    expect(validateChange('rate_card', { ...emptyDraft('rate_card'), project_id: '3', difficulty: 'hard=15000' }, known).change).toEqual({
      kind: 'rate_card',
      project_id: 3,
      annotation_accepted: '1.000000',
      correction: '0.000000',
      review_decision: '0.100000',
      correction_labeller_bp: 5000,
      difficulty: { hard: 15000 },
    });
    expect(validateChange('default_rate_card', emptyDraft('default_rate_card')).change).toMatchObject({
      kind: 'default_rate_card',
      annotation_accepted: '1.000000',
      difficulty: {},
      band: { min: { annotation_accepted: '0.500000', correction: '0.000000', review_decision: '0.000000' }, max: { annotation_accepted: '2.000000', correction: '1.000000', review_decision: '0.500000' } },
    });
    expect(validateChange('entry_rule', { admission: 'vote', entry_fee: '5' }).change).toEqual({ kind: 'entry_rule', admission: 'vote', entry_fee: '5.000000' });
    expect(validateChange('work_limits', { daily_stint: '200', sensitive_max: '20' }).change).toEqual({ kind: 'work_limits', daily_stint: 200, sensitive_max: 20 });
    expect(validateChange('distribution', { model_id: '1', amount: '100.5', currency: 'eur', source: 'API licence', record_date: '2026-03-01' }, known).change).toEqual({
      kind: 'distribution',
      model_id: 1,
      amount: '100.500000',
      currency: 'EUR',
      source: 'API licence',
      record_date: '2026-03-01T00:00:00Z',
    });
    expect(validateChange('release_license', { release_id: '2', license: 'CC-BY-4.0', terms: '' }).change).toEqual({ kind: 'release_license', release_id: 2, license: 'CC-BY-4.0', terms: '' });
    expect(validateChange('constitution', emptyDraft('constitution')).change).toEqual({
      kind: 'constitution',
      quorum_bp: 2500,
      ordinary_majority_bp: 5000,
      special_majority_bp: 6667,
      min_period_hours: 24,
      default_period_hours: 168,
      max_period_hours: 720,
      cosponsors: 0,
      ballot: 'secret',
      eligibility: 'active_admitted_before_open',
    });
    expect(validateChange('motion', { text: 'We thank the founders.' }).change).toEqual({ kind: 'motion', text: 'We thank the founders.' });
    for (const k of CHANGE_KINDS) expect(Object.keys(emptyDraft(k)).sort()).toEqual(KIND_FIELDS[k].map((f) => f.key).sort());
  });

  it('refuses a negative fee, a cap above 100 % or at zero, a bad exit rule', () => {
    const g = emptyDraft('governance');
    expect(validateChange('governance', { ...g, transfer_fee_bp: '-5' }).errors.transfer_fee_bp).toBe('The transfer fee must not be negative.');
    expect(validateChange('governance', { ...g, holding_cap_bp: '10001' }).errors.holding_cap_bp).toMatch(/cannot be above 10000 basis points \(100 %\)/);
    expect(validateChange('governance', { ...g, holding_cap_bp: '0' }).errors.holding_cap_bp).toMatch(/at least 1 basis point/);
    expect(validateChange('governance', { ...g, reserve_share_bp: '2.5' }).errors.reserve_share_bp).toMatch(/whole number of basis points/);
    expect(validateChange('governance', { ...g, cap_floor: '-1' }).errors.cap_floor).toMatch(/must not be negative/);
    expect(validateChange('governance', { ...g, cap_floor: '0.0000001' }).errors.cap_floor).toMatch(/at most 6 decimals/);
    expect(validateChange('governance', { ...g, exit_rule: 'lord' }).errors.exit_rule).toBeTruthy();
    expect(validateChange('governance', { ...g, transfer_fee_bp: '-5' }).change).toBeNull();
  });

  it('rate cards: unknown project, negative rates, difficulty out of range', () => {
    const d = { ...emptyDraft('rate_card'), project_id: '9' };
    expect(validateChange('rate_card', d, known).errors.project_id).toBe('Unknown project 9.');
    expect(validateChange('rate_card', { ...d, project_id: '' }, known).errors.project_id).toBe('Choose the project.');
    expect(validateChange('rate_card', { ...d, project_id: '3', correction: '-0.1' }, known).errors.correction).toMatch(/must not be negative/);
    expect(validateChange('rate_card', { ...d, project_id: '3', correction_labeller_bp: '12000' }, known).errors.correction_labeller_bp).toMatch(/above 10000/);
    expect(validateChange('rate_card', { ...d, project_id: '3', difficulty: 'hard=100001' }, known).errors.difficulty).toMatch(/0 to 100000/);
    expect(parseDifficultyMap('hard=15000, easy = 8000')).toEqual({ hard: 15000, easy: 8000 });
    expect(typeof parseDifficultyMap('hard')).toBe('string');
  });

  it('default card: the band is ordered and holds the default', () => {
    const d = emptyDraft('default_rate_card');
    expect(validateChange('default_rate_card', { ...d, 'band.max.correction': '-1' }).errors['band.max.correction']).toMatch(/negative/);
    expect(validateChange('default_rate_card', { ...d, 'band.min.review_decision': '0.6' }).errors['band.max.review_decision']).toMatch(/below its minimum/);
    expect(validateChange('default_rate_card', { ...d, annotation_accepted: '3' }).errors.annotation_accepted).toMatch(/within the band/);
  });

  it('entry rule, work limits, distribution, licence, constitution, motion', () => {
    expect(validateChange('entry_rule', { admission: 'market', entry_fee: '-1' }).errors).toEqual({
      admission: 'Admission is by invitation or by vote.',
      entry_fee: 'The entry fee must not be negative.',
    });
    expect(validateChange('work_limits', { daily_stint: '-1', sensitive_max: 'x' }).errors).toMatchObject({ daily_stint: expect.stringMatching(/negative/), sensitive_max: expect.stringMatching(/whole number/) });
    const dist = { model_id: '1', amount: '0', currency: 'EURO', source: '', record_date: '2026-02-30' };
    expect(Object.keys(validateChange('distribution', dist, known).errors).sort()).toEqual(['amount', 'currency', 'record_date', 'source']);
    expect(validateChange('distribution', { ...dist, model_id: '5' }, known).errors.model_id).toBe('Unknown model 5.');
    expect(validateChange('release_license', { release_id: '0', license: ' ', terms: '' }).errors).toMatchObject({ release_id: 'Choose the release.', license: expect.any(String) });
    const cons = emptyDraft('constitution');
    expect(validateChange('constitution', { ...cons, special_majority_bp: '4000' }).errors.special_majority_bp).toMatch(/below the ordinary/);
    expect(validateChange('constitution', { ...cons, default_period_hours: '1000' }).errors.default_period_hours).toMatch(/between the shortest and the longest/);
    expect(validateChange('constitution', { ...cons, min_period_hours: '0' }).errors.min_period_hours).toMatch(/at least 1 hour/);
    expect(validateChange('constitution', { ...cons, quorum_bp: '20000' }).errors.quorum_bp).toMatch(/above 10000/);
    expect(validateChange('motion', { text: '   ' }).errors.text).toBe('Enter the motion.');
  });

  it('title, reason and a period within the constitution', () => {
    const c = { min_period_hours: 24, max_period_hours: 720 };
    expect(validateProposalText({ title: '', reason: '', period: '' }, c).errors).toEqual({ title: 'Give the proposal a title.', reason: 'Say why: the reason is recorded with the proposal.' });
    expect(validateProposalText({ title: 'T', reason: 'R', period: '12' }, c).errors.period_hours).toBe('The voting period is 24 to 720 hours.');
    expect(validateProposalText({ title: 'T', reason: 'R', period: '48' }, c)).toEqual({ errors: {}, period_hours: 48 });
    expect(validateProposalText({ title: 'T', reason: 'R', period: '' }, c)).toEqual({ errors: {} });
  });

  it('places the server’s {code, message} next to the field it names', () => {
    expect(fieldForError('governance', { message: 'Transfer_fee_bp must be between 0 and 10000' })).toBe('transfer_fee_bp');
    expect(fieldForError('governance', { message: 'invalid change', field: 'change.holding_cap_bp' })).toBe('holding_cap_bp');
    expect(fieldForError('rate_card', { message: 'Unknown project 9' })).toBe('project_id');
    expect(fieldForError('default_rate_card', { message: 'band.min.correction is above band.max.correction' })).toBe('band.min.correction');
    expect(fieldForError('default_rate_card', { message: 'correction must not be negative' })).toBe('correction');
    expect(fieldForError('motion', { message: 'Title is required' })).toBe('title');
    expect(fieldForError('governance', { message: 'period_hours must be 24 to 720' })).toBe('period_hours');
    expect(fieldForError('governance', { message: 'Something else went wrong' })).toBeNull();
  });

  it('starts a draft from the rule in force', () => {
    expect(draftFrom('governance', { transfer_fee_bp: 250, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'reserve', version: 3 })).toEqual({
      transfer_fee_bp: '250',
      holding_cap_bp: '10000',
      cap_floor: '0.000000',
      reserve_share_bp: '0',
      exit_rule: 'reserve',
    });
    expect(draftFrom('rate_card', { project_id: 3, annotation_accepted: '2.000000', difficulty: { hard: 15000 } }).difficulty).toBe('hard=15000');
  });
});

class Mem {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

describe('receipt storage', () => {
  it('keeps the receipt and choice per member and proposal, in this browser only', () => {
    const s = new Mem();
    expect(loadBallot(3, 7, s)).toBeNull();
    expect(saveBallot(3, 7, { receipt: 'r-123', choice: 'yes', at: '2026-01-01T00:00:00Z', opened_at: '2026-01-01T00:00:00Z' }, s)).toBe(true);
    expect(loadBallot(3, 7, s)).toEqual({ receipt: 'r-123', choice: 'yes', at: '2026-01-01T00:00:00Z', opened_at: '2026-01-01T00:00:00Z' });
    expect(loadBallot(4, 7, s)).toBeNull(); // another member on this browser
    expect(loadBallot(3, 8, s)).toBeNull();
    expect(ballotKey(3, 7)).toBe('copyhold.ballot.3.7');
    forgetBallot(3, 7, s);
    expect(loadBallot(3, 7, s)).toBeNull();
  });

  it('ignores broken entries and a storage that throws', () => {
    const s = new Mem();
    s.setItem(ballotKey(3, 7), '{not json');
    expect(loadBallot(3, 7, s)).toBeNull();
    s.setItem(ballotKey(3, 7), JSON.stringify({ receipt: 'r', choice: 'maybe' }));
    expect(loadBallot(3, 7, s)).toBeNull();
    const boom = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => {},
    };
    expect(loadBallot(3, 7, boom)).toBeNull();
    expect(saveBallot(3, 7, { receipt: 'r', choice: 'no', at: '' }, boom)).toBe(false);
    expect(loadBallot(3, 7, null)).toBeNull();
  });

  it('remembers proposals the member may not vote on', () => {
    const s = new Mem();
    markNotEligible(3, 7, s);
    markNotEligible(3, 7, s);
    markNotEligible(3, 9, s);
    expect(notEligible(3, s)).toEqual([7, 9]);
    expect(notEligible(4, s)).toEqual([]);
  });
});

describe('open-vote counter', () => {
  const w = (id: number, status: string, voted: boolean) => ({ id, status, my_vote: { voted, choice: null } });
  it('counts open proposals the member has not voted on', () => {
    expect(unvotedCount([])).toBe(0);
    expect(unvotedCount([w(1, 'open', false), w(2, 'open', true), w(3, 'seeking_sponsors', false), w(4, 'passed', false)])).toBe(1);
    expect(unvotedCount([w(1, 'open', false), w(2, 'open', false)])).toBe(2);
    expect(unvotedCount([w(1, 'open', false), w(2, 'open', false)], [2])).toBe(1);
  });
  it('words it', () => {
    expect(openVotesLabel(1)).toBe('1 open vote');
    expect(openVotesLabel(3)).toBe('3 open votes');
  });
});

describe('live proposal events', () => {
  const open = proposal({ id: 7, voted: 1, eligible: 5 });
  const lists = { open: [open], closed: [] as Proposal[] };
  it('updates the turnout, never the choice', () => {
    const r = applyProposalEvent(lists, { type: 'proposal.voted', payload: { id: 7, voted: 2, eligible: 5 } });
    expect(r.open[0]).toMatchObject({ voted: 2, eligible: 5, my_vote: open.my_vote });
    expect(r.fetch).toBeNull();
  });
  it('fetches a newly opened proposal and says so', () => {
    const r = applyProposalEvent(lists, { type: 'proposal.opened', payload: { id: 8, title: 'Lower the fee', kind: 'governance', closes_at: '2026-02-01T00:00:00Z' } });
    expect(r.fetch).toBe(8);
    expect(r.say).toBe('New proposal open for voting: Lower the fee.');
  });
  it('marks closing soon and moves a closed proposal with its tally', () => {
    const soon = applyProposalEvent(lists, { type: 'proposal.closing_soon', payload: { id: 7, closes_at: '2026-01-09T00:00:00Z' } });
    expect(soon.soon).toBe(7);
    expect(soon.open[0].closes_at).toBe('2026-01-09T00:00:00Z');
    const tally = { yes: 2, no: 0, abstain: 1, eligible: 5, quorum_met: true, passed: true, reason: '' };
    const closed = applyProposalEvent(lists, { type: 'proposal.closed', payload: { id: 7, status: 'passed', tally } });
    expect(closed.open).toEqual([]);
    expect(closed.closed[0]).toMatchObject({ id: 7, status: 'passed', tally });
    expect(closed.fetch).toBe(7);
    expect(applyProposalEvent(lists, { type: 'proposal.voted', payload: {} })).toMatchObject({ open: lists.open, fetch: null });
  });
  it('places fetched proposals in the right list', () => {
    const p8 = proposal({ id: 8 });
    expect(placeProposal(lists, p8).open.map((p) => p.id)).toEqual([8, 7]);
    const passed = proposal({ id: 7, status: 'passed' });
    expect(placeProposal(lists, passed)).toEqual({ open: [], closed: [passed] });
  });
});

describe('preview chart geometry and formatting', () => {
  const w = {
    days: 30,
    members: [
      { current: '2.000000', proposed: '1.500000' },
      { current: '10.000000', proposed: '9.000000' },
      { current: '4.000000', proposed: '4.000000' },
    ],
    median: { current: '4.000000', proposed: '4.000000' },
    you: { current: '10.000000', proposed: '9.000000' },
    reserve: { current: '1.000000', proposed: '2.500000' },
  };
  it('sorts members, scales into the box and places "you"', () => {
    const s = previewShape(w);
    const b = PREVIEW_BOX;
    expect(s.points.map((p) => p.current)).toEqual(['2.000000', '4.000000', '10.000000']);
    expect(s.points[0].x).toBe(b.left);
    expect(s.points[2].x).toBe(b.width - b.right);
    expect(s.points[2].yCurrent).toBe(b.top); // 10 is the top of a 10-unit axis
    expect(s.yTicks.map((t) => t.label)).toEqual(['0', '5', '10']);
    expect(s.you).toMatchObject({ x: b.width - b.right, current: '10.000000' });
    expect(s.totalDelta).toBe('-1.500000');
    expect(s.currentPath.startsWith(`M${b.left},`)).toBe(true);
    expect(delta(w.reserve)).toBe('+1.500000');
    expect(reserveBars(w.reserve, 200)).toEqual({ current: 80, proposed: 200 });
    expect(previewShape({ ...w, members: [] }).points).toEqual([]);
  });

  it('words rule values and the deadline', () => {
    expect(formatValue({ key: 'transfer_fee_bp', label: '', type: 'bp' }, 100)).toBe('1%');
    expect(formatValue({ key: 'exit_rule', label: '', type: 'exit' }, 'reserve')).toBe('always to the reserve');
    expect(formatValue({ key: 'x', label: '', type: 'hours' }, 168)).toBe('168 hours (7 days)');
    expect(formatValue({ key: 'x', label: '', type: 'difficulty' }, { hard: 15000 })).toBe('hard ×150%');
    expect(formatValue({ key: 'x', label: '', type: 'project' }, 3, { project: () => 'Sentiment' })).toBe('Sentiment');
    const rows = ruleRows('governance', { kind: 'governance', transfer_fee_bp: 100, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' }, {
      kind: 'governance',
      transfer_fee_bp: 0,
      holding_cap_bp: 10000,
      cap_floor: '0.000000',
      reserve_share_bp: 0,
      exit_rule: 'successor_else_reserve',
    });
    expect(rows[0]).toMatchObject({ label: 'Transfer fee', current: '0%', proposed: '1%', changed: true });
    expect(rows.filter((r) => r.changed).map((r) => r.key)).toEqual(['transfer_fee_bp']);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(untilText('2026-01-07T00:00:00Z', now)).toBe('in 6 days');
    expect(untilText('2026-01-01T05:30:00Z', now)).toBe('in 5 hours');
    expect(untilText('2026-01-01T00:10:00Z', now)).toBe('in 10 minutes');
    expect(untilText('2025-12-31T00:00:00Z', now)).toBe('any moment now');
  });

  it('pages proposals with a cursor', () => {
    expect(proposalsPath({ status: 'closed', cursor: 'abc=', limit: 10 })).toBe('/api/proposals?status=closed&cursor=abc%3D&limit=10');
    expect(proposalsPath()).toBe('/api/proposals');
  });
});

describe('receiptHash', () => {
  it('is the SHA-256 of the receipt in hex, as the server publishes it (equity/vote.ReceiptHash)', async () => {
    const { receiptHash } = await import('./receipts');
    expect(receiptHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(receiptHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
