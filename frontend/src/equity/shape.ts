// Pure shaping of register data for display: statement summary, line
// descriptions, and the holdings chart. Amounts stay decimal strings; chart
// geometry is computed from BigInt minor units.
import { formatDecimal, parseDecimal, sumDecimals, UNIT_SCALE } from './decimal';
import type { HoldingPoint, Statement, StatementLine, TotalKey } from './api';

export const TOTAL_ROWS: readonly { key: TotalKey; label: string; group: 'credit' | 'reversal' | 'transfer' | 'fee' | 'succession' }[] = [
  { key: 'annotations', label: 'Credits: accepted annotations', group: 'credit' },
  { key: 'corrections', label: 'Credits: corrections', group: 'credit' },
  { key: 'reviews', label: 'Credits: review decisions', group: 'credit' },
  { key: 'reversals', label: 'Reversals (voids, clawbacks, reversals)', group: 'reversal' },
  { key: 'transfers_in', label: 'Transfers in', group: 'transfer' },
  { key: 'transfers_out', label: 'Transfers out', group: 'transfer' },
  { key: 'fees', label: 'Transfer fees', group: 'fee' },
  { key: 'succession_in', label: 'Succession in', group: 'succession' },
  { key: 'succession_out', label: 'Succession out', group: 'succession' },
];

export interface StatementCheck {
  opening: string;
  movements: string;
  closing: string;
  /** opening + movements as computed here. */
  computed: string;
  balanced: boolean;
  pendingMovements: string;
  pendingBalanced: boolean;
}

/** Checks "opening + movements = closing" with exact decimal arithmetic. */
export function checkStatement(st: Pick<Statement, 'opening' | 'closing' | 'totals' | 'pending_opening' | 'pending_closing' | 'lines'>): StatementCheck {
  const movements = sumDecimals(TOTAL_ROWS.map((r) => st.totals?.[r.key] ?? '0'));
  const computed = sumDecimals([st.opening, movements]);
  const closing = formatDecimal(parseDecimal(st.closing) ?? 0n);
  const pendingMovements = sumDecimals((st.lines ?? []).filter((l) => l.book === 'pending').map((l) => l.amount));
  const pendingComputed = sumDecimals([st.pending_opening, pendingMovements]);
  return {
    opening: st.opening,
    movements,
    closing: st.closing,
    computed,
    balanced: computed === closing,
    pendingMovements,
    pendingBalanced: pendingComputed === formatDecimal(parseDecimal(st.pending_closing) ?? 0n),
  };
}

const CATEGORY_TEXT: Record<string, string> = {
  annotation: 'Annotation',
  correction: 'Correction',
  review: 'Review decision',
  void: 'Void',
  clawback: 'Clawback',
  reversal: 'Reversal',
  transfer: 'Transfer',
  fee: 'Transfer fee',
  exit: 'Succession',
  payout: 'Payout',
};

const KIND_TEXT: Record<string, string> = {
  pending: 'credited, awaiting review',
  vest: 'vested on acceptance',
  correct: 'settled on correction',
  void: 'voided on rejection',
  clawback: 'clawed back after an overturn',
  reversal: 'reversed',
  transfer: 'transfer',
  exit: 'member exit',
  distribution: 'distribution',
};

/** A short plain-language description of a statement line. */
export function describeLine(l: StatementLine): string {
  const cat = CATEGORY_TEXT[l.category] ?? l.category;
  const kind = KIND_TEXT[l.kind] ?? l.kind;
  if (l.book === 'pending') {
    if (l.kind === 'pending') return `${cat} credited, awaiting review`;
    return `${cat} — pending credit ${kind}`;
  }
  if (l.category === 'transfer') return (l.amount.startsWith('-') ? 'Transfer out' : 'Transfer in');
  if (l.category === 'exit') return l.amount.startsWith('-') ? 'Passed to successor' : 'Received as successor';
  return `${cat} — ${kind}`;
}

// ---------------- holdings chart ----------------

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const HOLDINGS_BOX: ChartBox = { width: 640, height: 220, left: 70, right: 16, top: 14, bottom: 30 };

export interface HoldingsChart {
  vestedPath: string;
  pendingPath: string;
  points: { day: string; x: number; yVested: number; yPending: number; vested: string; pending: string }[];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
  max: string;
}

/** The smallest 1·2·5×10^k at or above v (v ≥ 0, minor units). */
export function niceCeil(v: bigint): bigint {
  if (v <= 0n) return 1n;
  let p = 1n;
  while (p * 10n <= v) p *= 10n;
  for (const m of [1n, 2n, 5n, 10n]) if (m * p >= v) return m * p;
  return 10n * p;
}

function dayMs(day: string): number {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? 0 : t;
}

/** Step lines of vested and pending units at the end of each day with a movement. */
export function holdingsChart(points: readonly HoldingPoint[], box: ChartBox = HOLDINGS_BOX, today?: string): HoldingsChart {
  const pts = [...points].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  if (pts.length === 0) return { vestedPath: '', pendingPath: '', points: [], yTicks: [], xTicks: [], max: '0' };
  // Extend to today so the last holding is drawn as a level, not a dot.
  const lastDay = today && today > pts[pts.length - 1].day ? today : pts[pts.length - 1].day;
  let max = 0n;
  for (const p of pts) {
    const v = parseDecimal(p.vested) ?? 0n;
    const q = parseDecimal(p.pending) ?? 0n;
    if (v > max) max = v;
    if (q > max) max = q;
  }
  const top = niceCeil(max);
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const t0 = dayMs(pts[0].day);
  const t1 = Math.max(dayMs(lastDay), t0 + 86_400_000);
  const x = (day: string) => box.left + ((dayMs(day) - t0) / (t1 - t0)) * plotW;
  // Scale through BigInt so large holdings keep their precision, then to pixels.
  const y = (v: bigint) => box.top + plotH - (Number((v < 0n ? 0n : v) * 100_000n / top) / 100_000) * plotH;
  const shaped = pts.map((p) => {
    const v = parseDecimal(p.vested) ?? 0n;
    const q = parseDecimal(p.pending) ?? 0n;
    return { day: p.day, x: round(x(p.day)), yVested: round(y(v)), yPending: round(y(q)), vested: p.vested, pending: p.pending };
  });
  const step = (key: 'yVested' | 'yPending') => {
    let d = '';
    shaped.forEach((p, i) => {
      if (i === 0) d += `M${p.x},${p[key]}`;
      else d += `H${p.x}V${p[key]}`;
    });
    d += `H${round(x(lastDay) === shaped[shaped.length - 1].x ? box.width - box.right : x(lastDay))}`;
    return d;
  };
  const yTicks = [0n, top / 2n, top].map((v) => ({ y: round(y(v)), label: trimZeros(formatDecimal(v, UNIT_SCALE)) }));
  const xTicks = [pts[0].day, lastDay].filter((d, i, a) => a.indexOf(d) === i).map((d) => ({ x: round(x(d)), label: d }));
  return { vestedPath: step('yVested'), pendingPath: step('yPending'), points: shaped, yTicks, xTicks, max: formatDecimal(top) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** "2.500000" → "2.5", "3.000000" → "3" (axis labels only). */
export function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
