// Shapes the server's disagreement summary for the reviewer's side-by-side
// view: which of a submission's answer keys others did not give, the
// per-field table (ranks, rubric scores, severity) with spread, and span
// boundary zones to highlight in each submission's copy of the text.
import type { Disagreement, FieldDiff } from './api';

/** Keys not given by every submission. */
export function differingSet(d: Disagreement | null | undefined): Set<string> {
  return new Set(d?.differing ?? []);
}

/** How many submissions gave each key. */
export function voteCounts(d: Disagreement | null | undefined): Map<string, number> {
  return new Map((d?.keys ?? []).map((k) => [k.key, k.submissions.length]));
}

export interface KeyMark {
  key: string;
  differs: boolean;
  votes: number;
}

/** A submission's own answer keys, each marked when it is not unanimous. */
export function keyMarks(key: readonly string[] | null | undefined, d: Disagreement | null | undefined): KeyMark[] {
  const diff = differingSet(d);
  const votes = voteCounts(d);
  return (key ?? []).map((k) => ({ key: k, differs: diff.has(k), votes: votes.get(k) ?? 0 }));
}

/** Keys other submissions gave that this one did not (what it is "missing"). */
export function missingKeys(key: readonly string[] | null | undefined, d: Disagreement | null | undefined): string[] {
  const own = new Set(key ?? []);
  return (d?.keys ?? []).map((k) => k.key).filter((k) => !own.has(k));
}

export interface FieldRow {
  name: string;
  /** One value per column (submission id order as given), undefined where the submission has none. */
  values: (string | undefined)[];
  differ: boolean;
  spread: number | null;
}

/**
 * The per-field table: one row per field (ranking response, rubric criterion,
 * moderation severity), one column per submission id. Rows are in `order`
 * when given (e.g. schema criteria order), then any others.
 */
export function fieldRows(d: Disagreement | null | undefined, columns: readonly number[], order: readonly string[] = []): FieldRow[] {
  const fields = d?.fields ?? [];
  const byName = new Map<string, FieldDiff>(fields.map((f) => [f.name, f]));
  const names = [...order.filter((n) => byName.has(n)), ...fields.map((f) => f.name).filter((n) => !order.includes(n))];
  return names.map((name) => {
    const f = byName.get(name)!;
    const values = columns.map((id) => f.values?.[String(id)]);
    return { name, values, differ: !!f.differ, spread: typeof f.spread === 'number' && f.spread > 0 ? f.spread : f.differ ? null : 0 };
  });
}

export interface Zone {
  start: number;
  end: number;
  label: string;
}

/**
 * Where span boundaries disagree: for each cluster of overlapping same-label
 * spans, the characters inside some submission's span but not inside every
 * submission's (union minus intersection). A cluster that not every
 * submission marked is disputed over its whole union.
 */
export function boundaryZones(d: Disagreement | null | undefined, submissions: number): Zone[] {
  const out: Zone[] = [];
  for (const c of d?.spans ?? []) {
    if (!c.marks.length) continue;
    const lo = Math.min(...c.marks.map((m) => m.start));
    const hi = Math.max(...c.marks.map((m) => m.end));
    const subs = new Set(c.marks.map((m) => m.submission));
    if (subs.size < submissions) {
      out.push({ start: lo, end: hi, label: c.label });
      continue;
    }
    // Every submission marked it: intersect each submission's coverage.
    const perSub = new Map<number, { s: number; e: number }>();
    for (const m of c.marks) {
      const p = perSub.get(m.submission);
      perSub.set(m.submission, p ? { s: Math.min(p.s, m.start), e: Math.max(p.e, m.end) } : { s: m.start, e: m.end });
    }
    const inS = Math.max(...[...perSub.values()].map((p) => p.s));
    const inE = Math.min(...[...perSub.values()].map((p) => p.e));
    if (inS >= inE) {
      out.push({ start: lo, end: hi, label: c.label });
      continue;
    }
    if (lo < inS) out.push({ start: lo, end: inS, label: c.label });
    if (inE < hi) out.push({ start: inE, end: hi, label: c.label });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

export interface OwnSpan {
  start: number;
  end: number;
  label: string;
}

export interface Segment {
  start: number;
  end: number;
  /** Labels of this submission's spans covering the segment. */
  labels: string[];
  /** Inside a boundary-disagreement zone. */
  zone: boolean;
}

/** Cuts [0, length) at every span and zone edge. */
export function spanSegments(length: number, own: readonly OwnSpan[], zones: readonly Zone[]): Segment[] {
  const cuts = new Set<number>([0, length]);
  for (const x of [...own, ...zones]) {
    if (x.start > 0 && x.start < length) cuts.add(x.start);
    if (x.end > 0 && x.end < length) cuts.add(x.end);
  }
  const pts = [...cuts].sort((a, b) => a - b);
  const segs: Segment[] = [];
  for (let i = 0; i < pts.length - 1; i++) {
    const st = pts[i];
    const en = pts[i + 1];
    if (en <= st) continue;
    segs.push({
      start: st,
      end: en,
      labels: own.filter((x) => x.start <= st && x.end >= en).map((x) => x.label),
      zone: zones.some((z) => z.start <= st && z.end >= en),
    });
  }
  return segs;
}

/** The span key the server uses ("start:end:label"). */
export function spanKey(s: OwnSpan): string {
  return `${s.start}:${s.end}:${s.label}`;
}

/** Response ids by their rank in each submission: "r1" → [1, 2, 1]. Ties share a rank. */
export function ranksOf(ranking: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(ranking)) return out;
  ranking.forEach((tier, t) => {
    if (Array.isArray(tier)) for (const id of tier) if (typeof id === 'string') out.set(id, t + 1);
  });
  return out;
}
