// The proposal form's model: every change kind as a flat draft of strings
// (keyed by field path), validated here the way the server validates it
// (a negative fee, a cap above 100 %, an unknown project…) and turned into
// the typed change the API takes. The server still decides; its
// {code, message} errors are placed next to the field they name.
import { formatDecimal, parseDecimal } from '../equity/decimal';
import type { ApiError } from '../api';
import type { Change, ChangeKind, Constitution } from './api';
import { KIND_FIELDS, type FieldSpec } from './format';

export type Draft = Record<string, string>;
export type FieldErrors = Record<string, string>;

export interface Known {
  projects?: readonly number[] | null;
  models?: readonly number[] | null;
}

const DEFAULTS: Partial<Record<ChangeKind, Draft>> = {
  governance: { transfer_fee_bp: '0', holding_cap_bp: '10000', cap_floor: '0', reserve_share_bp: '0', exit_rule: 'successor_else_reserve' },
  rate_card: { annotation_accepted: '1', correction: '0', review_decision: '0.1', correction_labeller_bp: '5000', difficulty: '' },
  default_rate_card: {
    annotation_accepted: '1',
    correction: '0',
    review_decision: '0.1',
    correction_labeller_bp: '5000',
    difficulty: '',
    'band.min.annotation_accepted': '0.5',
    'band.min.correction': '0',
    'band.min.review_decision': '0',
    'band.max.annotation_accepted': '2',
    'band.max.correction': '1',
    'band.max.review_decision': '0.5',
  },
  entry_rule: { admission: 'invite', entry_fee: '0' },
  work_limits: { daily_stint: '0', sensitive_max: '0' },
  distribution: { currency: 'EUR' },
  constitution: {
    quorum_bp: '2500',
    ordinary_majority_bp: '5000',
    special_majority_bp: '6667',
    min_period_hours: '24',
    default_period_hours: '168',
    max_period_hours: '720',
    cosponsors: '0',
    ballot: 'secret',
    eligibility: 'active_admitted_before_open',
  },
};

export function emptyDraft(kind: ChangeKind): Draft {
  const d: Draft = {};
  for (const f of KIND_FIELDS[kind]) d[f.key] = '';
  return { ...d, ...(DEFAULTS[kind] ?? {}) };
}

function text(f: FieldSpec, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (f.type === 'difficulty' && typeof v === 'object')
    return Object.entries(v as Record<string, number>)
      .map(([k, bp]) => `${k}=${bp}`)
      .join(', ');
  if (f.type === 'date') return String(v).slice(0, 10);
  return String(v);
}

/** A draft starting from the rule in force (a governance view, a rate card, the constitution…). */
export function draftFrom(kind: ChangeKind, rule: Record<string, unknown> | null | undefined): Draft {
  const d = emptyDraft(kind);
  if (!rule) return d;
  for (const f of KIND_FIELDS[kind]) {
    let v: unknown = rule;
    for (const k of f.key.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined && v !== null) d[f.key] = text(f, v);
  }
  return d;
}

/** Parses "hard=15000, easy=8000" (basis points per difficulty name, 0–100000). */
export function parseDifficultyMap(s: string): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const part of s.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=\s]{1,40})\s*=\s*(-?\d{1,7})$/.exec(p);
    if (!m) return `“${p}” is not name=basis points (e.g. hard=15000).`;
    const bp = Number(m[2]);
    if (bp < 0 || bp > 100000) return `Difficulty “${m[1]}”: multipliers are 0 to 100000 basis points.`;
    out[m[1]] = bp;
  }
  return out;
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseField(f: FieldSpec, raw: string, known: Known): Parsed {
  const v = (raw ?? '').trim();
  const name = f.label.replace(/ \(.*\)$/, '');
  const fail = (error: string): Parsed => ({ ok: false, error });
  if (v === '' && f.optional) return { ok: true, value: f.type === 'difficulty' ? {} : '' };
  switch (f.type) {
    case 'bp': {
      if (v === '') return fail(`Enter the ${lower(name)} in basis points (100 = 1 %).`);
      if (/^-\d+$/.test(v)) return fail(`The ${lower(name)} must not be negative.`);
      if (!/^\d+$/.test(v)) return fail(`The ${lower(name)} is a whole number of basis points (100 = 1 %).`);
      const n = Number(v);
      if (n > 10000) return fail(`The ${lower(name)} cannot be above 10000 basis points (100 %).`);
      if (f.min !== undefined && n < f.min) return fail(`The ${lower(name)} must be at least ${f.min} basis point${f.min === 1 ? '' : 's'}.`);
      return { ok: true, value: n };
    }
    case 'units':
    case 'amount': {
      if (v === '') return fail(`Enter the ${lower(name)}.`);
      const a = parseDecimal(v);
      if (a === null) return fail(`The ${lower(name)} is a number with at most 6 decimals.`);
      if (a < 0n) return fail(`The ${lower(name)} must not be negative.`);
      if (f.type === 'amount' && a === 0n) return fail(`The ${lower(name)} must be more than zero.`);
      return { ok: true, value: formatDecimal(a) };
    }
    case 'count':
    case 'hours': {
      if (v === '') return fail(`Enter the ${lower(name)}.`);
      if (/^-\d+$/.test(v)) return fail(`The ${lower(name)} must not be negative.`);
      if (!/^\d{1,9}$/.test(v)) return fail(`The ${lower(name)} is a whole number.`);
      const n = Number(v);
      if (f.type === 'hours' && n < 1) return fail(`The ${lower(name)} is at least 1 hour.`);
      return { ok: true, value: n };
    }
    case 'project':
    case 'model':
    case 'release': {
      if (!/^\d+$/.test(v) || Number(v) <= 0) return fail(`Choose the ${f.type}.`);
      const n = Number(v);
      const list = f.type === 'project' ? known.projects : f.type === 'model' ? known.models : null;
      if (list && !list.includes(n)) return fail(`Unknown ${f.type} ${n}.`);
      return { ok: true, value: n };
    }
    case 'exit':
      return v === 'successor_else_reserve' || v === 'reserve' ? { ok: true, value: v } : fail('Choose where a leaving member’s units go.');
    case 'admission':
      return v === 'invite' || v === 'vote' ? { ok: true, value: v } : fail('Admission is by invitation or by vote.');
    case 'ballot':
      return v === 'secret' || v === 'open' ? { ok: true, value: v } : fail('The ballot is secret or open.');
    case 'eligibility':
      return v ? { ok: true, value: v } : fail('Say who may vote.');
    case 'difficulty': {
      const d = parseDifficultyMap(v);
      return typeof d === 'string' ? fail(d) : { ok: true, value: d };
    }
    case 'currency':
      return /^[A-Z]{3}$/.test(v.toUpperCase()) ? { ok: true, value: v.toUpperCase() } : fail('The currency is a three-letter code such as EUR.');
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
      if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v) return fail('Enter the record date (YYYY-MM-DD).');
      return { ok: true, value: `${v}T00:00:00Z` };
    }
    case 'text':
      if (!v) return fail(`Enter the ${lower(name)}.`);
      if (v.length > 500) return fail(`The ${lower(name)} is at most 500 characters.`);
      return { ok: true, value: v };
    case 'longtext':
      if (!v) return fail(`Enter the ${lower(name)}.`);
      if (v.length > 10000) return fail(`The ${lower(name)} is at most 10000 characters.`);
      return { ok: true, value: v };
  }
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

/** Validates a draft; returns the field errors, and the change when there are none. */
export function validateChange(kind: ChangeKind, draft: Draft, known: Known = {}): { errors: FieldErrors; change: Change | null } {
  const errors: FieldErrors = {};
  const out: Record<string, unknown> = { kind };
  const num: Record<string, unknown> = {};
  for (const f of KIND_FIELDS[kind]) {
    const r = parseField(f, draft[f.key] ?? '', known);
    if (!r.ok) errors[f.key] = r.error;
    else {
      num[f.key] = r.value;
      setPath(out, f.key, r.value);
    }
  }
  // Rules across fields.
  if (kind === 'default_rate_card') {
    for (const r of ['annotation_accepted', 'correction', 'review_decision']) {
      const lo = parseDecimal(String(num[`band.min.${r}`] ?? ''));
      const hi = parseDecimal(String(num[`band.max.${r}`] ?? ''));
      const dv = parseDecimal(String(num[r] ?? ''));
      if (lo === null || hi === null) continue;
      if (lo > hi) errors[`band.max.${r}`] ??= 'The band’s maximum is below its minimum.';
      else if (dv !== null && (dv < lo || dv > hi)) errors[r] ??= 'The default card must lie within the band.';
    }
  }
  if (kind === 'constitution') {
    const n = (k: string) => (typeof num[k] === 'number' ? (num[k] as number) : null);
    const ord = n('ordinary_majority_bp');
    const spc = n('special_majority_bp');
    if (ord !== null && spc !== null && spc < ord) errors.special_majority_bp ??= 'The special majority cannot be below the ordinary majority.';
    const lo = n('min_period_hours');
    const def = n('default_period_hours');
    const hi = n('max_period_hours');
    if (lo !== null && hi !== null && lo > hi) errors.max_period_hours ??= 'The longest period cannot be shorter than the shortest.';
    else if (def !== null && lo !== null && hi !== null && (def < lo || def > hi)) errors.default_period_hours ??= 'The default period must lie between the shortest and the longest.';
  }
  return { errors, change: Object.keys(errors).length === 0 ? (out as unknown as Change) : null };
}

export interface ProposalText {
  title: string;
  reason: string;
  /** Hours, or '' for the constitution's default period. */
  period: string;
}

/** Title, reason and voting period (within the constitution's bounds). */
export function validateProposalText(t: ProposalText, c: Pick<Constitution, 'min_period_hours' | 'max_period_hours'> | null): { errors: FieldErrors; period_hours?: number } {
  const errors: FieldErrors = {};
  const title = t.title.trim();
  if (!title) errors.title = 'Give the proposal a title.';
  else if (title.length > 200) errors.title = 'The title is at most 200 characters.';
  const reason = t.reason.trim();
  if (!reason) errors.reason = 'Say why: the reason is recorded with the proposal.';
  else if (reason.length > 10000) errors.reason = 'The reason is at most 10000 characters.';
  const p = t.period.trim();
  if (!p) return { errors };
  if (!/^\d{1,6}$/.test(p)) {
    errors.period_hours = 'The voting period is a whole number of hours.';
    return { errors };
  }
  const h = Number(p);
  if (c && (h < c.min_period_hours || h > c.max_period_hours)) errors.period_hours = `The voting period is ${c.min_period_hours} to ${c.max_period_hours} hours.`;
  else if (h < 1) errors.period_hours = 'The voting period is at least 1 hour.';
  return { errors, period_hours: h };
}

const TOP_FIELDS = ['title', 'reason', 'period_hours'];

/**
 * Which field a server error is about: the error's `field` when it names one,
 * else the longest field path or name its message mentions ("transfer_fee_bp
 * must be between 0 and 10000", "unknown project 9"). null: show it above the form.
 */
export function fieldForError(kind: ChangeKind, err: Pick<ApiError, 'message'> & { field?: string }): string | null {
  const specs = KIND_FIELDS[kind];
  const all = [...specs.map((f) => f.key), ...TOP_FIELDS];
  if (err.field) {
    const f = err.field.replace(/^change\./, '');
    if (all.includes(f)) return f;
    const leaf = all.find((k) => k.split('.').pop() === f);
    if (leaf) return leaf;
  }
  const msg = err.message.toLowerCase();
  const byLength = [...all].sort((a, b) => b.length - a.length);
  const mentions = (word: string) => new RegExp(`(^|[^a-z_.])${word.replace(/[.]/g, '\\.')}($|[^a-z_])`).test(msg);
  for (const k of byLength) if (mentions(k)) return k;
  for (const k of byLength) {
    const leaf = k.split('.').pop()!;
    if (leaf !== k && mentions(leaf)) return k;
  }
  // "unknown project", "model 9 not found", "release …": the id fields.
  for (const f of specs) {
    if ((f.type === 'project' || f.type === 'model' || f.type === 'release') && mentions(f.type)) return f.key;
  }
  return null;
}
