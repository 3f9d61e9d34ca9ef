import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import {
  allDecided,
  buildDecisions,
  describeDecision,
  IdempotencyKeys,
  keyAction,
  moveIndex,
  nextUndecided,
  pendingDecisionsFor,
  reasonForKey,
  savePendingDecisions,
  sendDecisionsWithRetry,
  undecidedIds,
  verdictsFor,
  type DecisionMap,
  type PendingDecisions,
} from './decisions';
import { boundaryZones, fieldRows, keyMarks, missingKeys, ranksOf, spanSegments } from './disagreement';
import type { Disagreement } from './api';
import { duration, pct } from './api';

const subs = [
  { id: 11, pending: true },
  { id: 12, pending: true },
  { id: 13, pending: false }, // accepted earlier: context only
];

describe('decision state', () => {
  it('Enter is enabled only when every pending submission is decided', () => {
    expect(allDecided(subs, {})).toBe(false);
    const one: DecisionMap = { 11: { decision: 'accept' } };
    expect(allDecided(subs, one)).toBe(false);
    expect(undecidedIds(subs, one)).toEqual([12]);
    const both: DecisionMap = { ...one, 12: { decision: 'reject', reason: 'wrong_label' } };
    expect(allDecided(subs, both)).toBe(true);
    expect(undecidedIds(subs, both)).toEqual([]);
    // Context submissions never need a decision; nothing pending is never "all decided".
    expect(allDecided([{ id: 1, pending: false }], {})).toBe(false);
  });

  it('builds the request body: pending only, reason for rejects, corrected answer for corrections, trimmed comments', () => {
    const map: DecisionMap = {
      11: { decision: 'reject', reason: 'wrong_label', comment: '  It is praise. ' },
      12: { decision: 'correct', corrected_answer: { choice: 'neg' }, comment: '   ' },
      13: { decision: 'accept' },
    };
    expect(buildDecisions(subs, map)).toEqual([
      { submission_id: 11, decision: 'reject', reason: 'wrong_label', comment: 'It is praise.' },
      { submission_id: 12, decision: 'correct', corrected_answer: { choice: 'neg' } },
    ]);
    expect(() => buildDecisions(subs, { 11: { decision: 'accept' } })).toThrow(/12/);
  });

  it('a dispute takes accept or reject only', () => {
    expect(verdictsFor('dispute')).toEqual(['accept', 'reject']);
    expect(verdictsFor('item')).toEqual(['accept', 'reject', 'correct']);
  });

  it('describes decisions in words', () => {
    expect(describeDecision(undefined)).toBe('Not decided yet');
    expect(describeDecision({ decision: 'reject', reason: 'low_effort' }, (r) => r.toUpperCase())).toBe('Reject: LOW_EFFORT');
  });
});

describe('keyboard mapping', () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => keyAction({ key, ...mods });
  it('maps every decision and movement key', () => {
    expect(k('j')).toEqual({ type: 'move', delta: 1 });
    expect(k('ArrowDown')).toEqual({ type: 'move', delta: 1 });
    expect(k('k')).toEqual({ type: 'move', delta: -1 });
    expect(k('ArrowUp')).toEqual({ type: 'move', delta: -1 });
    expect(k('a')).toEqual({ type: 'verdict', verdict: 'accept' });
    expect(k('R')).toEqual({ type: 'verdict', verdict: 'reject' });
    expect(k('c')).toEqual({ type: 'verdict', verdict: 'correct' });
    expect(k('u')).toEqual({ type: 'undo' });
    expect(k('Backspace')).toEqual({ type: 'undo' });
    expect(k('Enter')).toEqual({ type: 'send' });
    expect(k('?')).toEqual({ type: 'help' });
  });
  it('leaves modified keys and others to the browser', () => {
    expect(k('a', { ctrlKey: true })).toBeNull();
    expect(k('r', { metaKey: true })).toBeNull();
    expect(k('Enter', { shiftKey: true })).toBeNull();
    expect(k('x')).toBeNull();
    expect(k('1')).toBeNull();
  });
  it('moves within bounds and jumps to the next undecided submission', () => {
    expect(moveIndex(0, -1, 3)).toBe(0);
    expect(moveIndex(2, 1, 3)).toBe(2);
    expect(moveIndex(1, 1, 3)).toBe(2);
    expect(moveIndex(0, 1, 0)).toBe(0);
    const ids = [1, 2, 3];
    expect(nextUndecided(ids, { 1: { decision: 'accept' } }, 0)).toBe(1);
    expect(nextUndecided(ids, { 1: { decision: 'accept' }, 2: { decision: 'accept' } }, 1)).toBe(2);
    // Wraps around to an earlier undecided one.
    expect(nextUndecided(ids, { 2: { decision: 'accept' }, 3: { decision: 'accept' } }, 2)).toBe(0);
    // All decided: stays.
    expect(nextUndecided(ids, { 1: { decision: 'accept' }, 2: { decision: 'accept' }, 3: { decision: 'accept' } }, 1)).toBe(1);
  });
  it('number keys pick reject reasons', () => {
    const reasons = ['wrong_label', 'incomplete', 'other'];
    expect(reasonForKey('1', reasons)).toBe('wrong_label');
    expect(reasonForKey('3', reasons)).toBe('other');
    expect(reasonForKey('4', reasons)).toBeNull();
    expect(reasonForKey('0', reasons)).toBeNull();
    expect(reasonForKey('a', reasons)).toBeNull();
  });
});

describe('sending decisions', () => {
  afterEach(() => localStorage.clear());

  it('keeps one idempotency key per review while the body is the same', () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `k${++n}`);
    const d = [{ submission_id: 1, decision: 'accept' as const }];
    expect(keys.keyFor(7, d)).toBe('k1');
    expect(keys.keyFor(7, [...d])).toBe('k1');
    expect(keys.keyFor(7, [{ submission_id: 1, decision: 'reject', reason: 'other' }])).toBe('k2');
    expect(keys.keyFor(8, d)).toBe('k3');
  });

  it('retries network failures with the same body and key, and forgets the saved copy on success', async () => {
    const p: PendingDecisions = { review_id: 7, project_id: 3, saved_at: 0, body: { lease_token: 't', idempotency_key: 'same', decisions: [{ submission_id: 1, decision: 'accept' }] } };
    savePendingDecisions(p);
    expect(pendingDecisionsFor(3)).toHaveLength(1);
    const seen: string[] = [];
    const send = vi.fn(async (b: typeof p.body) => {
      seen.push(b.idempotency_key);
      if (seen.length < 3) throw new ApiError(0, 'network_error');
      return { ok: true };
    });
    const retries: number[] = [];
    const r = await sendDecisionsWithRetry(p, { send, sleep: async () => {}, onRetry: (_e, a) => retries.push(a) });
    expect(r).toEqual({ ok: true });
    expect(seen).toEqual(['same', 'same', 'same']);
    expect(retries).toEqual([0, 1]);
    expect(pendingDecisionsFor(3)).toHaveLength(0);
  });

  it('stops on a definite refusal such as a lost lease', async () => {
    const p: PendingDecisions = { review_id: 9, project_id: 3, saved_at: 0, body: { lease_token: 't', idempotency_key: 'x', decisions: [] } };
    savePendingDecisions(p);
    const send = vi.fn(async () => {
      throw new ApiError(409, 'lease_lost', 'lease lost');
    });
    await expect(sendDecisionsWithRetry(p, { send, sleep: async () => {} })).rejects.toMatchObject({ code: 'lease_lost' });
    expect(send).toHaveBeenCalledTimes(1);
    expect(pendingDecisionsFor(3)).toHaveLength(0);
  });
});

describe('disagreement highlighting', () => {
  const d: Disagreement = {
    unanimous: false,
    keys: [
      { key: 'neg', submissions: [12] },
      { key: 'pos', submissions: [11, 13] },
    ],
    differing: ['neg', 'pos'],
    fields: [
      { name: 'r2', values: { '11': '2', '12': '2' }, differ: false },
      { name: 'r1', values: { '11': '1', '12': '3' }, differ: true, spread: 2 },
      { name: 'tone', values: { '11': 'a' }, differ: true },
    ],
    spans: [
      {
        label: 'PER',
        marks: [
          { submission: 11, start: 0, end: 4 },
          { submission: 12, start: 0, end: 6 },
        ],
      },
      { label: 'LOC', marks: [{ submission: 12, start: 10, end: 14 }] },
    ],
  };

  it('marks the keys that not every submission gave, with their votes', () => {
    expect(keyMarks(['pos'], d)).toEqual([{ key: 'pos', differs: true, votes: 2 }]);
    expect(keyMarks(['pos'], { unanimous: true, keys: [{ key: 'pos', submissions: [1, 2] }], differing: [] })).toEqual([{ key: 'pos', differs: false, votes: 2 }]);
    expect(missingKeys(['pos'], d)).toEqual(['neg']);
    expect(keyMarks(null, d)).toEqual([]);
  });

  it('lays out fields per submission column, schema order first, with spread', () => {
    const rows = fieldRows(d, [11, 12], ['r1', 'r2']);
    expect(rows.map((r) => r.name)).toEqual(['r1', 'r2', 'tone']);
    expect(rows[0]).toEqual({ name: 'r1', values: ['1', '3'], differ: true, spread: 2 });
    expect(rows[1]).toEqual({ name: 'r2', values: ['2', '2'], differ: false, spread: 0 });
    // Non-numeric or missing values: "differs" without a spread.
    expect(rows[2]).toEqual({ name: 'tone', values: ['a', undefined], differ: true, spread: null });
  });

  it('finds span boundary zones: union minus intersection, whole cluster when someone missed it', () => {
    expect(boundaryZones(d, 2)).toEqual([
      { start: 4, end: 6, label: 'PER' },
      { start: 10, end: 14, label: 'LOC' },
    ]);
    // Starts and ends both differ: two zones around the shared middle.
    expect(
      boundaryZones({ unanimous: false, keys: [], differing: [], spans: [{ label: 'X', marks: [{ submission: 1, start: 2, end: 8 }, { submission: 2, start: 4, end: 10 }] }] }, 2),
    ).toEqual([
      { start: 2, end: 4, label: 'X' },
      { start: 8, end: 10, label: 'X' },
    ]);
    expect(boundaryZones(undefined, 2)).toEqual([]);
  });

  it('cuts the text into segments at span and zone edges', () => {
    const segs = spanSegments(16, [{ start: 0, end: 4, label: 'PER' }], [{ start: 4, end: 6, label: 'PER' }]);
    expect(segs).toEqual([
      { start: 0, end: 4, labels: ['PER'], zone: false },
      { start: 4, end: 6, labels: [], zone: true },
      { start: 6, end: 16, labels: [], zone: false },
    ]);
    expect(spanSegments(0, [], [])).toEqual([]);
  });

  it('reads ranks from a ranking answer, ties sharing a rank', () => {
    expect([...ranksOf([['b'], ['a', 'c']]).entries()]).toEqual([
      ['b', 1],
      ['a', 2],
      ['c', 2],
    ]);
    expect(ranksOf('nonsense').size).toBe(0);
  });
});

describe('formatting', () => {
  it('shows basis points and durations', () => {
    expect(pct(9166)).toBe('91.7 %');
    expect(pct(10000)).toBe('100 %');
    expect(pct(null)).toBe('n/a');
    expect(pct(-2500)).toBe('-25 %');
    expect(duration(8400)).toBe('8.4 s');
    expect(duration(125_000)).toBe('2 min 5 s');
    expect(duration(0)).toBe('—');
  });
});
