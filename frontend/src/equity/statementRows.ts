// A statement read by people: one row per item (the pending −1 / vested +1
// pair of an acceptance becomes one line) or per day, besides every movement
// as the register has it. Amounts stay decimal strings, summed exactly.
import { formatDecimal, parseDecimal, UNIT_SCALE } from './decimal';
import type { StatementLine } from './api';
import { describeLine } from './shape';

export type StatementGrouping = 'item' | 'day' | 'entry';

export const GROUPINGS: readonly { value: StatementGrouping; label: string }[] = [
  { value: 'item', label: 'By item' },
  { value: 'day', label: 'By day' },
  { value: 'entry', label: 'Every movement' },
];

export function groupingOf(s: string | null | undefined): StatementGrouping {
  return s === 'day' || s === 'entry' ? s : 'item';
}

/** One row of a grouped statement. */
export interface StatementRow {
  key: string;
  /** The time of the row's latest line. */
  at: string;
  /** What the row is, in words. */
  what: string;
  /** The row's state in words (the last line's outcome), or '' for day rows. */
  state: string;
  /** Net movement of the holding (vested and receivable). */
  holding: string;
  /** Net movement still awaiting review. */
  pending: string;
  lines: StatementLine[];
}

const STATE: Record<string, string> = {
  pending: 'awaiting review',
  vest: 'accepted',
  correct: 'corrected',
  void: 'rejected',
  clawback: 'clawed back',
  reversal: 'reversed',
  transfer: 'transfer',
  exit: 'succession',
  distribution: 'distribution',
};

/**
 * The key that puts a line with the other lines of its item (or alone): a
 * submission's credit, vest, void, correction, clawback and reversal are one
 * row; a review credit is a row of its own.
 */
function itemKey(l: StatementLine, i: number): string {
  const c = l.cause ?? {};
  if (c.review_id && l.category === 'review') return `rev:${c.review_id}`;
  if (c.submission_id) return `sub:${c.submission_id}`;
  return `tx:${l.tx_id}:${i}`;
}

function describeItem(first: StatementLine): string {
  const c = first.cause ?? {};
  if (first.category === 'review') return `Review of submission ${c.submission_id ?? '?'}${c.item_id ? ` (item ${c.item_id})` : ''}`;
  if (c.submission_id) return `${first.category === 'correction' ? 'Correction' : 'Item'} ${c.item_id ?? '?'} · submission ${c.submission_id}`;
  return describeLine(first);
}

/** lines (oldest first) grouped by item or by UTC day; 'entry' gives one row per line. */
export function groupStatement(lines: readonly StatementLine[], by: StatementGrouping): StatementRow[] {
  const rows = new Map<string, StatementRow & { h: bigint; p: bigint }>();
  lines.forEach((l, i) => {
    const key = by === 'day' ? l.at.slice(0, 10) : by === 'item' ? itemKey(l, i) : `tx:${l.tx_id}:${i}`;
    let r = rows.get(key);
    if (!r) {
      r = { key, at: l.at, what: '', state: '', holding: '', pending: '', lines: [], h: 0n, p: 0n };
      rows.set(key, r);
    }
    r.lines.push(l);
    r.at = l.at;
    const v = parseDecimal(l.amount, UNIT_SCALE) ?? 0n;
    if (l.book === 'pending') r.p += v;
    else r.h += v;
  });
  return [...rows.values()].map(({ h, p, ...r }) => {
    const last = r.lines[r.lines.length - 1];
    const what = by === 'day' ? `${r.lines.length} movement${r.lines.length === 1 ? '' : 's'}` : describeItem(r.lines[0]);
    const state = by === 'day' ? '' : p !== 0n ? 'awaiting review' : (STATE[last.kind] ?? last.kind);
    return { ...r, what, state, holding: formatDecimal(h, UNIT_SCALE), pending: formatDecimal(p, UNIT_SCALE) };
  });
}
