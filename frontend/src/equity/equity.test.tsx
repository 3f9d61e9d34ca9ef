import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import {
  bpToPercent,
  compareDecimals,
  feeFor,
  fmtAmount,
  formatDecimal,
  fractionToPercent,
  groupThousands,
  minorToDecimal,
  parseDecimal,
  signedAmount,
  sumDecimals,
} from './decimal';
import { checkStatement, describeLine, holdingsChart, niceCeil, HOLDINGS_BOX } from './shape';
import { StatementView, dayAfter, dayBefore } from './Statement';
import { governanceTimeline } from './Register';
import { parseDifficulty } from './Govern';
import { holdingsFrom } from './Holdings';
import { describeEquityEvent, unitsByModel } from '../live/LiveEarnings';
import { SessionProvider } from '../auth';
import type { Statement, StatementLine } from './api';

describe('decimal strings', () => {
  it('parses and formats without floating point', () => {
    expect(parseDecimal('1.5')).toBe(1_500_000n);
    expect(parseDecimal('-0.000001')).toBe(-1n);
    expect(parseDecimal('12345678901234567890.123456')).toBe(12345678901234567890123456n);
    expect(parseDecimal('1.0000001')).toBeNull();
    expect(parseDecimal('1.5000000')).toBe(1_500_000n);
    expect(parseDecimal('1e3')).toBeNull();
    expect(parseDecimal('')).toBeNull();
    expect(formatDecimal(1n)).toBe('0.000001');
    expect(formatDecimal(-1_500_000n)).toBe('-1.500000');
    expect(formatDecimal(1234n, 2)).toBe('12.34');
    expect(formatDecimal(7n, 0)).toBe('7');
    // 0.1 + 0.2 is exact here
    expect(sumDecimals(['0.100000', '0.200000'])).toBe('0.300000');
    expect(sumDecimals(['9007199254740993.000001', '1.000000'])).toBe('9007199254740994.000001');
  });

  it('groups thousands by string operations', () => {
    expect(groupThousands('1234567.500000')).toBe('1,234,567.500000');
    expect(groupThousands('-1000.000000')).toBe('-1,000.000000');
    expect(groupThousands('999.000000')).toBe('999.000000');
    expect(groupThousands('123456789012345678901')).toBe('123,456,789,012,345,678,901');
    expect(fmtAmount('1000000.000000')).toBe('1,000,000.000000');
    expect(fmtAmount(undefined)).toBe('—');
    expect(fmtAmount('n/a')).toBe('n/a');
  });

  it('signs, compares, converts minor units, percentages and fees', () => {
    expect(signedAmount('1.000000')).toBe('+1.000000');
    expect(signedAmount('-2500.000000')).toBe('-2,500.000000');
    expect(signedAmount('0.000000')).toBe('0.000000');
    expect(compareDecimals('1.000001', '1.000000')).toBe(1);
    expect(minorToDecimal(1000000)).toBe('1.000000');
    expect(minorToDecimal(100000)).toBe('0.100000');
    expect(minorToDecimal(null)).toBe('0.000000');
    expect(bpToPercent(250)).toBe('2.5%');
    expect(bpToPercent(10000)).toBe('100%');
    expect(bpToPercent(1)).toBe('0.01%');
    expect(fractionToPercent('0.123456')).toBe('12.3456%');
    expect(fractionToPercent('1.000000')).toBe('100%');
    expect(fractionToPercent('0.005000')).toBe('0.5%');
    // fees round up to the next micro-unit
    expect(feeFor('1.000000', 250)).toBe('0.025000');
    expect(feeFor('0.000001', 1)).toBe('0.000001');
    expect(feeFor('3', 0)).toBe('0.000000');
    expect(feeFor('x', 100)).toBeNull();
  });
});

const line = (p: Partial<StatementLine>): StatementLine => ({
  tx_id: 1,
  at: '2026-01-02T10:00:00Z',
  kind: 'vest',
  idempotency_key: 'review:1:vest',
  book: 'holding',
  account: 'member:3:vested',
  category: 'annotation',
  amount: '1.000000',
  cause: { project_id: 2, item_id: 9, submission_id: 5, review_id: 1 },
  register_index: null,
  ...p,
});

const statement = (over: Partial<Statement> = {}): Statement => ({
  member_id: 3,
  model_id: 1,
  unit: 'unit:1',
  from: '1970-01-01T00:00:00Z',
  to: '2026-01-03T00:00:00Z',
  opening: '1000.000000',
  totals: { annotations: '2.000000', reviews: '0.100000', transfers_out: '-0.500000', fees: '-0.012500', reversals: '0.000000' },
  closing: '1001.587500',
  pending_opening: '0.000000',
  pending_closing: '1.000000',
  lines: [
    line({ tx_id: 10, book: 'pending', kind: 'pending', account: 'member:3:pending', amount: '1.000000', cause: { submission_id: 6, item_id: 10 } }),
    line({ tx_id: 11 }),
  ],
  lines_total: 2,
  lines_truncated: false,
  payouts: [],
  head_seq: 42,
  head_hash: 'ab'.repeat(32),
  ...over,
});

describe('statement arithmetic', () => {
  it('checks opening + movements = closing exactly', () => {
    const c = checkStatement(statement());
    expect(c.movements).toBe('1.587500');
    expect(c.computed).toBe('1001.587500');
    expect(c.balanced).toBe(true);
    expect(c.pendingBalanced).toBe(true);
    expect(checkStatement(statement({ closing: '1001.587501' })).balanced).toBe(false);
  });

  it('shows the sum, the check and the head hash, with drill-down buttons', () => {
    render(
      <SessionProvider initial={{ id: 3, login: 'l', display_name: 'L', roles: ['labeller'], active: true, admission: 'member', created_at: '' }}>
        <StatementView st={statement()} modelName="coop-assistant-v1" csvHref="/api/equity/models/1/statement?format=csv" />
      </SessionProvider>,
    );
    // Two decimals shown, the exact six on hover.
    expect(screen.getByTestId('st-opening').textContent).toBe('1,000.00');
    expect(screen.getByTestId('st-total-annotations').textContent).toBe('+2.00');
    expect(screen.getByTestId('st-total-transfers_out').textContent).toBe('-0.50');
    expect(screen.getByTestId('st-total-fees').textContent).toBe('-0.01');
    expect(screen.getByTestId('st-total-fees').getAttribute('title')).toBe('-0.012500 units');
    expect(screen.getByTestId('st-closing').textContent).toBe('1,001.59');
    expect(screen.getByTestId('st-closing').getAttribute('title')).toBe('1001.587500 units');
    expect(screen.getByTestId('st-check').textContent).toContain('Opening 1,000.000000 + movements +1.587500 = closing 1,001.587500');
    expect(screen.getByTestId('st-check').textContent).toContain('matches the register');
    expect(screen.getByTestId('head-hash').textContent).toBe('ab'.repeat(32));
    expect(screen.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/equity/models/1/statement?format=csv');
    expect(screen.getByRole('button', { name: 'Details of submission 5' })).toBeTruthy();
    // By item (the default): one row per submission.
    const row = screen.getByTestId('row-sub:6');
    expect(within(row).getByText('awaiting review')).toBeTruthy();
    expect(within(screen.getByTestId('row-sub:5')).getByText('accepted')).toBeTruthy();
  });

  it('shows every movement on request', () => {
    render(
      <SessionProvider initial={{ id: 3, login: 'l', display_name: 'L', roles: ['labeller'], active: true, admission: 'member', created_at: '' }}>
        <StatementView st={statement()} modelName="m" csvHref="/x" grouping="entry" onGrouping={() => {}} />
      </SessionProvider>,
    );
    expect(within(screen.getByTestId('line-10')).getByText('awaiting review')).toBeTruthy();
    expect((screen.getByRole('radio', { name: 'Every movement' }) as HTMLInputElement).checked).toBe(true);
  });

  it('describes lines plainly', () => {
    expect(describeLine(line({}))).toBe('Annotation — vested on acceptance');
    expect(describeLine(line({ book: 'pending', kind: 'pending' }))).toBe('Annotation credited, awaiting review');
    expect(describeLine(line({ category: 'transfer', kind: 'transfer', amount: '-1.000000' }))).toBe('Transfer out');
    expect(describeLine(line({ category: 'fee', kind: 'transfer', amount: '-0.010000' }))).toBe('Transfer fee — transfer');
  });

  it('turns an inclusive end date into the exclusive one and back', () => {
    expect(dayAfter('2026-01-31')).toBe('2026-02-01');
    expect(dayBefore('2026-02-01T00:00:00Z')).toBe('2026-01-31');
  });
});

describe('holdings and chart shaping', () => {
  it('groups balances by model, payouts apart', () => {
    const bals = [
      { unit: 'EUR', account: 'member:3:payout', amount: '12.50' },
      { unit: 'unit:2', account: 'member:3:pending', amount: '1.000000' },
      { unit: 'unit:2', account: 'member:3:vested', amount: '3.000000' },
      { unit: 'unit:1', account: 'member:3:vested', amount: '0.100000' },
    ];
    const h = holdingsFrom(bals);
    expect(h.models.map((m) => [m.modelId, m.vested, m.pending])).toEqual([
      [1, '0.100000', '0.000000'],
      [2, '3.000000', '1.000000'],
    ]);
    expect(h.payouts).toHaveLength(1);
    expect(unitsByModel(bals).map((u) => u.modelId)).toEqual([1, 2]);
  });

  it('rounds the axis to 1·2·5 steps', () => {
    expect(niceCeil(0n)).toBe(1n);
    expect(niceCeil(3_000_000n)).toBe(5_000_000n);
    expect(niceCeil(1_000_000n)).toBe(1_000_000n);
    expect(niceCeil(1_000_001n)).toBe(2_000_000n);
    expect(niceCeil(100_000n)).toBe(100_000n);
  });

  it('draws step lines in time order within the box', () => {
    const c = holdingsChart(
      [
        { day: '2026-01-03', vested: '3.000000', pending: '0.000000' },
        { day: '2026-01-01', vested: '0.000000', pending: '2.000000' },
      ],
      HOLDINGS_BOX,
      '2026-01-05',
    );
    expect(c.points.map((p) => p.day)).toEqual(['2026-01-01', '2026-01-03']);
    expect(c.max).toBe('5.000000');
    const b = HOLDINGS_BOX;
    for (const p of c.points) {
      expect(p.x).toBeGreaterThanOrEqual(b.left);
      expect(p.x).toBeLessThanOrEqual(b.width - b.right);
      expect(p.yVested).toBeGreaterThanOrEqual(b.top);
      expect(p.yVested).toBeLessThanOrEqual(b.height - b.bottom);
    }
    // 0 at the bottom, 3 of 5 at 60% height
    expect(c.points[0].yVested).toBe(b.height - b.bottom);
    expect(c.points[1].yVested).toBeCloseTo(b.top + (b.height - b.top - b.bottom) * 0.4, 0);
    expect(c.vestedPath.startsWith(`M${b.left},`)).toBe(true);
    expect(c.yTicks.map((t) => t.label)).toEqual(['0', '2.5', '5']);
    expect(holdingsChart([]).points).toEqual([]);
  });
});

describe('register and live helpers', () => {
  it('merges governance and rate cards newest first', () => {
    const t = governanceTimeline({
      governance: [{ id: 1, version: 1, transfer_fee_bp: 100, holding_cap_bp: 10000, cap_floor: 0, reserve_share_bp: 0, exit_rule: 'reserve', reason: 'a', created_at: '2026-01-02T00:00:00Z' }],
      rate_cards: [
        { id: 5, project_id: 1, version: 1, annotation_accepted: 1000000, correction: 0, review_decision: 100000, correction_labeller_bp: 5000, difficulty: null, reason: 'b', created_at: '2026-01-01T00:00:00Z' },
        { id: 6, project_id: 1, version: 2, annotation_accepted: 2000000, correction: 0, review_decision: 100000, correction_labeller_bp: 5000, difficulty: null, reason: 'c', created_at: '2026-01-03T00:00:00Z' },
      ],
    });
    expect(t.map((x) => x.row.reason)).toEqual(['c', 'a', 'b']);
  });

  it('parses difficulty multipliers', () => {
    expect(parseDifficulty('hard=15000, easy = 8000')).toEqual({ hard: 15000, easy: 8000 });
    expect(parseDifficulty('')).toEqual({});
    expect(typeof parseDifficulty('hard')).toBe('string');
  });

  it('words a vesting event calmly', () => {
    const text = describeEquityEvent(
      { op: 'event', channel: 'member:3', seq: 9, type: 'equity.vested', at: '', payload: { model_id: 1, submission_id: 5, vested: '1.000000', pending: '1.000000' } },
      () => 'coop-assistant-v1',
    );
    expect(text).toBe('+1.000000 units in coop-assistant-v1 — a reviewer accepted your work (submission 5).');
    expect(describeEquityEvent({ op: 'event', channel: 'member:3', seq: 9, type: 'task.claimed', at: '', payload: {} }, () => '')).toBeNull();
  });
});
