// What each kind of change contains, in words: field specs shared by the
// proposal form, its validation and the "now / proposed" table.
import { bpToPercent, fmtAmount } from '../equity/decimal';
import type { ChangeKind, Proposal, Tally } from './api';
import { countsText } from './tally';

export type FieldType =
  | 'bp'
  | 'units'
  | 'amount'
  | 'count'
  | 'hours'
  | 'exit'
  | 'admission'
  | 'ballot'
  | 'eligibility'
  | 'difficulty'
  | 'project'
  | 'model'
  | 'release'
  | 'currency'
  | 'date'
  | 'text'
  | 'longtext';

export interface FieldSpec {
  /** Path in the change object ("band.min.correction"). */
  key: string;
  label: string;
  type: FieldType;
  hint?: string;
  /** For bp: the smallest allowed value (the holding cap is at least 1). */
  min?: number;
  optional?: boolean;
}

const RATES: FieldSpec[] = [
  { key: 'annotation_accepted', label: 'Units per accepted annotation', type: 'units' },
  { key: 'correction', label: 'Units to the reviewer per correction', type: 'units' },
  { key: 'review_decision', label: 'Units to the reviewer per decision', type: 'units' },
  { key: 'correction_labeller_bp', label: 'Labeller keeps when corrected', type: 'bp' },
  { key: 'difficulty', label: 'Difficulty multipliers', type: 'difficulty', hint: 'name=basis points, 10000 = ×1, e.g. hard=15000, easy=8000. Optional.', optional: true },
];

const BAND: FieldSpec[] = (['min', 'max'] as const).flatMap((end) =>
  RATES.slice(0, 3).map((r) => ({ ...r, key: `band.${end}.${r.key}`, label: `Band ${end === 'min' ? 'minimum' : 'maximum'}: ${r.label.charAt(0).toLowerCase()}${r.label.slice(1)}` })),
);

export const KIND_FIELDS: Record<ChangeKind, FieldSpec[]> = {
  governance: [
    { key: 'transfer_fee_bp', label: 'Transfer fee', type: 'bp', hint: 'Charged on every transfer, rounded up, paid into the co-op reserve.' },
    { key: 'holding_cap_bp', label: 'Holding cap', type: 'bp', min: 1, hint: 'The most of a model’s issued units one member may hold; 10000 = no cap.' },
    { key: 'cap_floor', label: 'Cap applies from (units issued)', type: 'units' },
    { key: 'reserve_share_bp', label: 'Reserve share of revenue', type: 'bp' },
    { key: 'exit_rule', label: 'When a member leaves, their units go', type: 'exit' },
  ],
  rate_card: [{ key: 'project_id', label: 'Project', type: 'project' }, ...RATES],
  default_rate_card: [...RATES, ...BAND],
  entry_rule: [
    { key: 'admission', label: 'Admission of new members', type: 'admission' },
    { key: 'entry_fee', label: 'Entry fee (units, fixed)', type: 'units', hint: 'A fixed number of units, never market-priced; 0 = no fee.' },
  ],
  work_limits: [
    { key: 'daily_stint', label: 'Daily stint (tasks per member per day)', type: 'count', hint: '0 = no limit. Projects’ stints are clamped to it.' },
    { key: 'sensitive_max', label: 'Sensitive items per member per day', type: 'count' },
  ],
  distribution: [
    { key: 'model_id', label: 'Model', type: 'model' },
    { key: 'amount', label: 'Revenue to distribute', type: 'amount' },
    { key: 'currency', label: 'Currency', type: 'currency' },
    { key: 'source', label: 'Source', type: 'text', hint: 'Where the revenue comes from, e.g. API licence, March.' },
    { key: 'record_date', label: 'Record date', type: 'date' },
  ],
  release_license: [
    { key: 'release_id', label: 'Release number', type: 'release' },
    { key: 'license', label: 'Licence (SPDX id or text)', type: 'text', hint: 'e.g. CC-BY-4.0' },
    { key: 'terms', label: 'Terms', type: 'longtext', optional: true },
  ],
  constitution: [
    { key: 'quorum_bp', label: 'Quorum (share of eligible members)', type: 'bp' },
    { key: 'ordinary_majority_bp', label: 'Ordinary majority (more than, of yes + no)', type: 'bp' },
    { key: 'special_majority_bp', label: 'Special majority (at least, of yes + no)', type: 'bp' },
    { key: 'min_period_hours', label: 'Shortest voting period (hours)', type: 'hours' },
    { key: 'default_period_hours', label: 'Default voting period (hours)', type: 'hours' },
    { key: 'max_period_hours', label: 'Longest voting period (hours)', type: 'hours' },
    { key: 'cosponsors', label: 'Co-sponsors a proposal needs', type: 'count' },
    { key: 'ballot', label: 'Ballot', type: 'ballot' },
    { key: 'eligibility', label: 'Who may vote', type: 'eligibility' },
  ],
  motion: [{ key: 'text', label: 'Motion', type: 'longtext', hint: 'What the co-op resolves. Recorded; executes nothing.' }],
  admission: [{ key: 'applicant_id', label: 'Applicant (member number)', type: 'count' }],
};

export const KIND_LABEL: Record<ChangeKind, string> = {
  governance: 'Register rules (transfer fee, holding cap, reserve, exit)',
  rate_card: 'A project’s rate card',
  default_rate_card: 'Default rate card and band for new projects',
  entry_rule: 'Entry rule for new members',
  work_limits: 'Daily stint and sensitive-content maximum',
  distribution: 'Approve a prepared distribution',
  release_license: 'Licence terms of a release',
  constitution: 'The constitution (special resolution)',
  motion: 'A motion (executes nothing)',
  admission: 'Admit an applicant (entry by vote)',
};

/** Short names for lists. */
export const KIND_SHORT: Record<string, string> = {
  governance: 'Register rules',
  rate_card: 'Rate card',
  default_rate_card: 'Default rate card',
  entry_rule: 'Entry rule',
  work_limits: 'Work limits',
  distribution: 'Distribution',
  release_license: 'Release licence',
  constitution: 'Constitution',
  motion: 'Motion',
  admission: 'Admission',
};

export const EXIT_TEXT: Record<string, string> = {
  successor_else_reserve: 'to the successor, else the reserve',
  reserve: 'always to the reserve',
};

export const ADMISSION_TEXT: Record<string, string> = { invite: 'by invitation', vote: 'by a members’ vote' };
export const BALLOT_TEXT: Record<string, string> = { secret: 'secret (receipts, published at close)', open: 'open (names published)' };
export const ELIGIBILITY_TEXT: Record<string, string> = {
  active_admitted_before_open: 'active members admitted before the vote opened',
};

/** A field's label in a form: basis-point fields say so. */
export function inputLabel(f: FieldSpec): string {
  return f.type === 'bp' ? `${f.label} (basis points)` : f.label;
}

export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export interface Names {
  project?: (id: number) => string | undefined;
  model?: (id: number) => string | undefined;
}

export function hoursText(h: number): string {
  if (h % 24 === 0 && h >= 24) return `${h} hours (${h / 24} day${h === 24 ? '' : 's'})`;
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** A field's value in words; "—" when absent. */
export function formatValue(f: FieldSpec, v: unknown, names: Names = {}): string {
  if (v === null || v === undefined || v === '') return '—';
  const num = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
  switch (f.type) {
    case 'bp':
      return num === null ? String(v) : bpToPercent(num);
    case 'units':
    case 'amount':
      return fmtAmount(String(v));
    case 'count':
      return String(v);
    case 'hours':
      return num === null ? String(v) : hoursText(num);
    case 'exit':
      return EXIT_TEXT[String(v)] ?? String(v);
    case 'admission':
      return ADMISSION_TEXT[String(v)] ?? String(v);
    case 'ballot':
      return BALLOT_TEXT[String(v)] ?? String(v);
    case 'eligibility':
      return ELIGIBILITY_TEXT[String(v)] ?? String(v);
    case 'difficulty': {
      if (typeof v !== 'object') return String(v);
      const e = Object.entries(v as Record<string, number>);
      return e.length === 0 ? 'none' : e.map(([k, bp]) => `${k} ×${bpToPercent(bp)}`).join(', ');
    }
    case 'project':
      return num === null ? String(v) : (names.project?.(num) ?? `project ${num}`);
    case 'model':
      return num === null ? String(v) : (names.model?.(num) ?? `model ${num}`);
    case 'release':
      return `release ${String(v)}`;
    case 'date':
      return String(v).slice(0, 10);
    default:
      return String(v);
  }
}

export interface RuleRow {
  key: string;
  label: string;
  type: FieldType;
  current: string;
  proposed: string;
  changed: boolean;
}

/** The rule it changes, field by field: the value in force against the proposed one. */
export function ruleRows(kind: ChangeKind | string, change: unknown, current: unknown, names: Names = {}): RuleRow[] {
  const specs = KIND_FIELDS[kind as ChangeKind] ?? [];
  const rows: RuleRow[] = [];
  for (const f of specs) {
    const pv = getPath(change, f.key);
    // A constitution change may carry only the fields it changes.
    if (kind === 'constitution' && pv === undefined) continue;
    const cv = current ? getPath(current, f.key) : undefined;
    const proposed = formatValue(f, pv, names);
    const now = formatValue(f, cv, names);
    rows.push({ key: f.key, label: f.label, type: f.type, current: now, proposed, changed: current ? now !== proposed : true });
  }
  return rows;
}

export const STATUS_TEXT: Record<string, string> = {
  seeking_sponsors: 'Seeking co-sponsors',
  open: 'Open',
  passed: 'Passed',
  failed: 'Failed',
  passed_not_executable: 'Passed, not executable',
  withdrawn: 'Withdrawn',
};

export function statusText(p: Pick<Proposal, 'status' | 'tally'>): string {
  const base = STATUS_TEXT[p.status] ?? p.status;
  if (p.status === 'failed' && p.tally?.reason === 'quorum') return `${base}: quorum not reached`;
  if (p.status === 'failed' && p.tally?.reason === 'majority') return `${base}: majority not reached`;
  return base;
}

export function statusClass(status: string): string {
  switch (status) {
    case 'open':
    case 'passed':
      return 'status-open';
    case 'seeking_sponsors':
    case 'passed_not_executable':
      return 'status-paused';
    case 'failed':
      return 'status-closed';
    default:
      return 'status-draft';
  }
}

/** "in 6 days", "in 3 hours", "in 12 minutes", "any moment now". */
export function untilText(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const ms = t - now;
  if (ms <= 60_000) return 'any moment now';
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `in ${min} minute${min === 1 ? '' : 's'}`;
  const h = Math.floor(min / 60);
  if (h < 48) return `in ${h} hour${h === 1 ? '' : 's'}`;
  const d = Math.floor(h / 24);
  return `in ${d} day${d === 1 ? '' : 's'}`;
}

/** Within 24 hours of closing. */
export function closingSoon(iso: string | null | undefined, now: number = Date.now()): boolean {
  if (!iso) return false;
  const t = Date.parse(iso);
  return !Number.isNaN(t) && t - now <= 24 * 3600_000;
}

/** "3 yes / 1 no / 1 abstain" */
export const tallyText: (t: Pick<Tally, 'yes' | 'no' | 'abstain'>) => string = countsText;
