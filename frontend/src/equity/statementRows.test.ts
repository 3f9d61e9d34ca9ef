import { describe, expect, it } from 'vitest';
import type { StatementLine } from './api';
import { toPlaces } from './decimal';
import { groupStatement, groupingOf } from './statementRows';

const line = (p: Partial<StatementLine>): StatementLine => ({
  tx_id: 1,
  at: '2026-01-02T10:00:00Z',
  kind: 'vest',
  idempotency_key: 'k',
  book: 'holding',
  account: 'member:3:vested',
  category: 'annotation',
  amount: '1.000000',
  cause: { project_id: 2, item_id: 9, submission_id: 5, review_id: 1 },
  register_index: null,
  ...p,
});

// Submission 5: credited (pending +1), then vested (pending −1, holding +1).
// Submission 6: credited, then rejected (pending −1). Submission 7: credited.
// A review credit, and a transfer out on the next day.
const lines: StatementLine[] = [
  line({ tx_id: 1, kind: 'pending', book: 'pending', account: 'member:3:pending', at: '2026-01-02T09:00:00Z' }),
  line({ tx_id: 2, kind: 'pending', book: 'pending', account: 'member:3:pending', cause: { submission_id: 6, item_id: 10 }, at: '2026-01-02T09:01:00Z' }),
  line({ tx_id: 3, kind: 'vest', book: 'pending', account: 'member:3:pending', amount: '-1.000000', at: '2026-01-02T10:00:00Z' }),
  line({ tx_id: 3, kind: 'vest', book: 'holding', amount: '1.000000', at: '2026-01-02T10:00:00Z' }),
  line({ tx_id: 4, kind: 'void', category: 'void', book: 'pending', account: 'member:3:pending', amount: '-1.000000', cause: { submission_id: 6, item_id: 10 }, at: '2026-01-02T11:00:00Z' }),
  line({ tx_id: 5, kind: 'pending', book: 'pending', account: 'member:3:pending', amount: '0.333333', cause: { submission_id: 7, item_id: 11 }, at: '2026-01-02T12:00:00Z' }),
  line({ tx_id: 6, kind: 'vest', category: 'review', amount: '0.100000', cause: { submission_id: 8, item_id: 12, review_id: 3 }, at: '2026-01-02T13:00:00Z' }),
  line({ tx_id: 7, kind: 'transfer', category: 'transfer', amount: '-0.500000', cause: {}, at: '2026-01-03T08:00:00Z' }),
];

describe('the statement grouped for reading', () => {
  it('makes one row per item: the pending −1 / vested +1 pair is one accepted line', () => {
    const rows = groupStatement(lines, 'item');
    expect(rows.map((r) => [r.key, r.state, r.holding, r.pending])).toEqual([
      ['sub:5', 'accepted', '1.000000', '0.000000'],
      ['sub:6', 'rejected', '0.000000', '0.000000'],
      ['sub:7', 'awaiting review', '0.000000', '0.333333'],
      ['rev:3', 'accepted', '0.100000', '0.000000'],
      ['tx:7:7', 'transfer', '-0.500000', '0.000000'],
    ]);
    expect(rows[0].what).toBe('Item 9 · submission 5');
    expect(rows[0].at).toBe('2026-01-02T10:00:00Z');
    expect(rows[3].what).toBe('Review of submission 8 (item 12)');
    expect(rows[4].what).toBe('Transfer out');
  });

  it('makes one row per UTC day, and one per line for every movement', () => {
    const days = groupStatement(lines, 'day');
    expect(days.map((r) => [r.key, r.what, r.holding, r.pending])).toEqual([
      ['2026-01-02', '7 movements', '1.100000', '0.333333'],
      ['2026-01-03', '1 movement', '-0.500000', '0.000000'],
    ]);
    expect(groupStatement(lines, 'entry')).toHaveLength(lines.length);
  });

  it('loses nothing: every grouping sums to the same totals', () => {
    for (const by of ['item', 'day', 'entry'] as const) {
      const rows = groupStatement(lines, by);
      expect(rows.flatMap((r) => r.lines)).toHaveLength(lines.length);
    }
  });

  it('rounds to two decimals, half away from zero, without floats', () => {
    expect(toPlaces('1.234567')).toBe('1.23');
    expect(toPlaces('1.235000')).toBe('1.24');
    expect(toPlaces('-1.235000')).toBe('-1.24');
    expect(toPlaces('-0.001000')).toBe('0.00');
    expect(toPlaces('9999999999999.999999')).toBe('10000000000000.00');
    expect(toPlaces('x')).toBe('x');
  });

  it('reads the grouping from the address, by item unless told otherwise', () => {
    expect(groupingOf(null)).toBe('item');
    expect(groupingOf('day')).toBe('day');
    expect(groupingOf('entry')).toBe('entry');
    expect(groupingOf('<script>')).toBe('item');
  });
});
