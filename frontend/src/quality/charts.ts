// Data shaping for the quality pages' hand-drawn SVG chart and the pairwise
// agreement heatmap. Pure functions, tested in charts.test.ts.
import type { DayAgreement, LabellerStats, PairCell } from '../review/api';

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_BOX: ChartBox = { width: 640, height: 220, left: 48, right: 16, top: 12, bottom: 36 };

export interface ChartPoint {
  x: number;
  y: number;
  day: string;
  items: number;
  bp: number;
}

export interface LineChartData {
  points: ChartPoint[];
  /** SVG path "M x y L x y …", empty with no points. */
  path: string;
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
  /** The y of 0 % when the domain goes below zero (Kendall's tau), else null. */
  zeroY: number | null;
  minBp: number;
  maxBp: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays out agreement by day: x by day order (one step per listed day), y from
 * the lowest of 0 and the minimum (agreement can be negative down to −100 %)
 * up to 100 %. Days are sorted; duplicate days keep the last.
 */
export function lineChart(days: readonly DayAgreement[] | null | undefined, box: ChartBox = DEFAULT_BOX, maxXTicks = 6): LineChartData {
  const byDay = new Map<string, DayAgreement>();
  for (const d of days ?? []) byDay.set(d.day, d);
  const sorted = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const minBp = Math.min(0, ...sorted.map((d) => d.agreement_bp));
  const maxBp = 10_000;
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const yOf = (bp: number) => round(box.top + ((maxBp - bp) / (maxBp - minBp)) * plotH);
  const xOf = (i: number) => round(sorted.length <= 1 ? box.left + plotW / 2 : box.left + (i / (sorted.length - 1)) * plotW);
  const points = sorted.map((d, i) => ({ x: xOf(i), y: yOf(d.agreement_bp), day: d.day, items: d.items, bp: d.agreement_bp }));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  const yTicks: { y: number; label: string }[] = [];
  const step = minBp < 0 ? 5000 : 2500;
  for (let bp = maxBp; bp >= minBp; bp -= step) yTicks.push({ y: yOf(bp), label: `${bp / 100} %` });
  const xTicks: { x: number; label: string }[] = [];
  if (points.length) {
    const every = Math.max(1, Math.ceil(points.length / maxXTicks));
    points.forEach((p, i) => {
      if (i % every === 0 || i === points.length - 1) xTicks.push({ x: p.x, label: p.day.slice(5) });
    });
    // Avoid the last label sitting on top of the one before it.
    if (xTicks.length >= 2 && xTicks[xTicks.length - 1].x - xTicks[xTicks.length - 2].x < plotW / (maxXTicks * 1.5)) xTicks.splice(xTicks.length - 2, 1);
  }
  return { points, path, yTicks, xTicks, zeroY: minBp < 0 ? yOf(0) : null, minBp, maxBp };
}

export interface HeatCell {
  a: number;
  b: number;
  value: number | null;
  units: number;
  reason: string;
  /** 0–5: colour bucket; -1 for n/a, -2 for the diagonal. */
  bucket: number;
}

export interface Heatmap {
  members: { id: number; name: string }[];
  /** rows[i][j]: member i against member j (symmetric). */
  rows: HeatCell[][];
}

/** Colour bucket for an agreement value in [-1, 1]: 0 (low) … 5 (high). */
export function bucketOf(v: number | null): number {
  if (v === null || Number.isNaN(v)) return -1;
  if (v < 0) return 0;
  if (v < 0.2) return 1;
  if (v < 0.4) return 2;
  if (v < 0.6) return 3;
  if (v < 0.8) return 4;
  return 5;
}

/**
 * Builds the symmetric member × member matrix from the pairwise list (member
 * ids as strings). Members are those named in the pairs, ordered by name;
 * names come from the labeller stats, falling back to "#id".
 */
export function heatmap(pairs: readonly PairCell[] | null | undefined, labellers: readonly LabellerStats[] | null | undefined): Heatmap {
  const names = new Map((labellers ?? []).map((l) => [l.member_id, l.display_name || l.login]));
  const cell = new Map<string, PairCell>();
  const ids = new Set<number>();
  for (const p of pairs ?? []) {
    const a = Number(p.a);
    const b = Number(p.b);
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    ids.add(a);
    ids.add(b);
    cell.set(`${a}:${b}`, p);
    cell.set(`${b}:${a}`, p);
  }
  const members = [...ids].map((id) => ({ id, name: names.get(id) ?? `#${id}` })).sort((x, y) => x.name.localeCompare(y.name) || x.id - y.id);
  const rows = members.map((m) =>
    members.map((n): HeatCell => {
      if (m.id === n.id) return { a: m.id, b: n.id, value: null, units: 0, reason: 'same labeller', bucket: -2 };
      const p = cell.get(`${m.id}:${n.id}`);
      if (!p) return { a: m.id, b: n.id, value: null, units: 0, reason: 'no items labelled by both', bucket: -1 };
      const value = typeof p.value === 'number' ? p.value : null;
      return { a: m.id, b: n.id, value, units: p.units, reason: value === null ? p.reason || 'undefined for this pair' : '', bucket: bucketOf(value) };
    }),
  );
  return { members, rows };
}

/** A metric value for display: "0.82"; "n/a" when null. */
export function fmtValue(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  return v.toFixed(digits);
}

/** Sorted [reason, count] pairs, largest first. */
export function topReasons(r: Record<string, number> | null | undefined): [string, number][] {
  return Object.entries(r ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
