// Geometry of the what-if chart: each member's earnings over a window under
// the current rule and under the proposed one (members sorted by current
// earnings, no identities), the median and "you" marked. Amounts stay
// decimal strings; scaling runs through BigInt minor units.
import { formatDecimal, parseDecimal, UNIT_SCALE } from '../equity/decimal';
import { niceCeil, trimZeros, type ChartBox } from '../equity/shape';
import type { EarningsPair, PreviewWindow } from './api';

export const PREVIEW_BOX: ChartBox = { width: 360, height: 200, left: 56, right: 12, top: 12, bottom: 28 };

export interface PreviewPoint {
  i: number;
  x: number;
  yCurrent: number;
  yProposed: number;
  current: string;
  proposed: string;
}

export interface PreviewShape {
  days: number;
  points: PreviewPoint[];
  currentPath: string;
  proposedPath: string;
  yTicks: { y: number; label: string }[];
  median: { yCurrent: number; yProposed: number; current: string; proposed: string } | null;
  you: { x: number; yCurrent: number; yProposed: number; current: string; proposed: string } | null;
  zeroY: number;
  /** Sum of every member's change (proposed − current). */
  totalDelta: string;
}

const v = (s: string | null | undefined) => (s ? (parseDecimal(s) ?? 0n) : 0n);

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** proposed − current, signed ("+0.500000", "-1.000000", "0.000000"). */
export function delta(p: EarningsPair | null | undefined): string {
  if (!p) return '0.000000';
  const d = v(p.proposed) - v(p.current);
  return (d > 0n ? '+' : '') + formatDecimal(d);
}

export function previewShape(w: PreviewWindow, box: ChartBox = PREVIEW_BOX): PreviewShape {
  const members = [...(w.members ?? [])];
  // Sorted by current (the server sends them so; sort again to be sure).
  members.sort((a, b) => {
    const x = v(a.current);
    const y = v(b.current);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  let max = 0n;
  let min = 0n;
  const all = [...members, ...(w.median ? [w.median] : []), ...(w.you ? [w.you] : [])];
  for (const m of all)
    for (const s of [m.current, m.proposed]) {
      const x = v(s);
      if (x > max) max = x;
      if (x < min) min = x;
    }
  const top = niceCeil(max);
  const bottom = min < 0n ? -niceCeil(-min) : 0n;
  const span = top - bottom;
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const y = (s: string) => round(box.top + plotH - (Number(((v(s) - bottom) * 100_000n) / span) / 100_000) * plotH);
  const n = members.length;
  const x = (i: number) => round(n <= 1 ? box.left + plotW / 2 : box.left + (i / (n - 1)) * plotW);
  const points = members.map((m, i) => ({ i, x: x(i), yCurrent: y(m.current), yProposed: y(m.proposed), current: m.current, proposed: m.proposed }));
  const path = (k: 'yCurrent' | 'yProposed') => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p[k]}`).join(' ');
  const ticks = bottom < 0n ? [bottom, 0n, top] : [0n, top / 2n, top];
  const yTicks = ticks.map((t) => ({ y: y(formatDecimal(t)), label: trimZeros(formatDecimal(t, UNIT_SCALE)) }));
  let you: PreviewShape['you'] = null;
  if (w.you) {
    // Where "you" sit among the members: the first member earning as much now.
    const yc = v(w.you.current);
    let idx = members.findIndex((m) => v(m.current) >= yc);
    if (idx < 0) idx = Math.max(0, n - 1);
    you = { x: x(idx), yCurrent: y(w.you.current), yProposed: y(w.you.proposed), current: w.you.current, proposed: w.you.proposed };
  }
  let total = 0n;
  for (const m of members) total += v(m.proposed) - v(m.current);
  return {
    days: w.days,
    points,
    currentPath: n > 1 ? path('yCurrent') : '',
    proposedPath: n > 1 ? path('yProposed') : '',
    yTicks,
    median: w.median ? { yCurrent: y(w.median.current), yProposed: y(w.median.proposed), current: w.median.current, proposed: w.median.proposed } : null,
    you,
    zeroY: y('0'),
    totalDelta: (total > 0n ? '+' : '') + formatDecimal(total),
  };
}

/** Two bars for the reserve: now and proposed, scaled to the larger. */
export function reserveBars(r: EarningsPair | null, width = 240): { current: number; proposed: number } {
  if (!r) return { current: 0, proposed: 0 };
  const a = v(r.current) < 0n ? 0n : v(r.current);
  const b = v(r.proposed) < 0n ? 0n : v(r.proposed);
  const top = a > b ? a : b;
  if (top === 0n) return { current: 0, proposed: 0 };
  const w = (x: bigint) => round((Number((x * 100_000n) / top) / 100_000) * width);
  return { current: w(a), proposed: w(b) };
}
