// Client for the equity register (server/handle_equity.go, docs/LEDGER.md).
// Amounts are decimal strings and stay strings.
import { request } from '../api';

const enc = (v: string | number) => encodeURIComponent(String(v));

export interface Head {
  seq: number;
  hash: string;
}

export interface Balance {
  unit: string; // "unit:<model id>" or a currency ("EUR")
  account: string; // member:<id>:vested | pending | receivable | payout
  amount: string;
}

export interface MyEquity {
  member_id: number;
  balances: Balance[] | null;
  successor_id: number | null;
}

/** /api/equity/governance: the current parameters (amounts as strings). */
export interface GovernanceView {
  id: number;
  version: number;
  transfer_fee_bp: number;
  holding_cap_bp: number;
  cap_floor: string;
  reserve_share_bp: number;
  exit_rule: ExitRule;
  reason: string;
  actor_id: number;
  created_at: string;
  /** The proposal whose vote made this version (null: set before collective rule, or the defaults). */
  proposal_id?: number | null;
}

export type ExitRule = 'successor_else_reserve' | 'reserve';

/** A governance version as the register lists it: cap_floor in micro-units (an integer). */
export interface GovernanceRow {
  id: number;
  version: number;
  transfer_fee_bp: number;
  holding_cap_bp: number;
  cap_floor: number;
  reserve_share_bp: number;
  exit_rule: ExitRule;
  reason: string;
  actor_id?: number;
  created_at: string;
  proposal_id?: number | null;
}

/** A rate card as the register lists it: rates in micro-units (integers). */
export interface RateCardRow {
  id: number;
  project_id: number;
  version: number;
  annotation_accepted: number;
  correction: number;
  review_decision: number;
  correction_labeller_bp: number;
  difficulty: Record<string, number> | null;
  reason: string;
  actor_id?: number;
  created_at: string;
  proposal_id?: number | null;
}

/** GET /api/projects/:id/rate-card: rates as decimal strings. */
export interface RateCardView {
  id: number;
  project_id: number;
  version: number;
  annotation_accepted: string;
  correction: string;
  review_decision: string;
  correction_labeller_bp: number;
  difficulty: Record<string, number> | null;
  reason: string;
  actor_id: number;
  created_at: string;
  proposal_id?: number | null;
}

export interface RegisterHolder {
  member_id?: number; // absent for pseudonymous holders
  name: string;
  units: string;
  share: string; // fraction of issued units, 6 decimals
}

export interface Distribution {
  tx_id: number;
  currency: string;
  amount: string;
  reserve: string;
  source: string;
  record_date: string;
  created_at: string;
  inputs?: { method?: string; reserve_share_bp?: number; scale?: number } | null;
}

export interface Register {
  model_id: number;
  model_name: string;
  unit: string;
  issued: string;
  vested: string;
  pending: string;
  reserve: string;
  receivables: string;
  holders: RegisterHolder[] | null;
  governance: GovernanceRow[] | null;
  rate_cards: RateCardRow[] | null;
  distributions: Distribution[] | null;
  releases?: RegisterRelease[] | null;
  head: Head;
}

/** A model release as the register lists it, tied to the register head when it was made. */
export interface RegisterRelease {
  id: number;
  version: string;
  base_model: string;
  checkpoint: string;
  hash: string;
  ledger_seq: number;
  ledger_head: string;
  created_at: string;
}

export interface Cause {
  project_id?: number;
  item_id?: number;
  submission_id?: number;
  review_id?: number;
}

export type Category =
  | 'annotation'
  | 'correction'
  | 'review'
  | 'void'
  | 'clawback'
  | 'reversal'
  | 'transfer'
  | 'fee'
  | 'exit'
  | 'revenue'
  | 'reserve_share'
  | 'payout';

export interface StatementLine {
  tx_id: number;
  at: string;
  kind: string;
  idempotency_key: string;
  book: 'holding' | 'pending';
  account: string;
  category: Category | string;
  amount: string;
  cause: Cause;
  /** The transaction's leaf index in the court roll; null while not yet in a checkpoint ("pending"); absent from servers without the roll. */
  register_index?: number | null;
}

export interface Payout {
  tx_id: number;
  at: string;
  currency: string;
  amount: string;
}

export type TotalKey =
  | 'annotations'
  | 'corrections'
  | 'reviews'
  | 'reversals'
  | 'transfers_in'
  | 'transfers_out'
  | 'fees'
  | 'succession_in'
  | 'succession_out';

export interface Statement {
  member_id: number;
  model_id: number;
  unit: string;
  from: string;
  to: string;
  opening: string;
  totals: Partial<Record<TotalKey, string>>;
  closing: string;
  pending_opening: string;
  pending_closing: string;
  lines: StatementLine[] | null;
  payouts: Payout[] | null;
  head_seq: number;
  head_hash: string;
}

export interface HoldingPoint {
  day: string;
  vested: string;
  pending: string;
}

export interface Posting {
  seq: number;
  unit: string;
  account: string;
  amount: string;
  category: string;
}

export interface Transaction {
  id: number;
  idempotency_key: string;
  kind: string;
  model_id: number;
  postings: Posting[];
  existing: boolean;
  created_at: string;
}

export interface StatementQuery {
  from?: string;
  to?: string;
  member?: number;
}

export function statementPath(modelId: number, q: StatementQuery = {}, csv = false): string {
  const p = new URLSearchParams();
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  if (q.member) p.set('member', String(q.member));
  if (csv) p.set('format', 'csv');
  const s = p.toString();
  return `/api/equity/models/${enc(modelId)}/statement${s ? '?' + s : ''}`;
}

export const equityApi = {
  head: () => request<Head>('GET', '/api/equity/head'),
  me: () => request<MyEquity>('GET', '/api/equity/me'),
  governance: () => request<GovernanceView>('GET', '/api/equity/governance'),
  register: (modelId: number) => request<Register>('GET', `/api/equity/models/${enc(modelId)}/register`),
  statement: (modelId: number, q: StatementQuery = {}) => request<Statement>('GET', statementPath(modelId, q)),
  holdings: (modelId: number) =>
    request<{ model_id: number; unit: string; points: HoldingPoint[] | null }>('GET', `/api/equity/models/${enc(modelId)}/holdings`).then((r) => r.points ?? []),
  rateCard: (projectId: number) => request<RateCardView>('GET', `/api/projects/${enc(projectId)}/rate-card`),
  transfer: (b: { idempotency_key: string; model_id: number; to: number; amount: string; reason: string }) =>
    request<Transaction>('POST', '/api/equity/transfers', b),
  setSuccessor: (successor_id: number) => request<{ successor_id: number }>('PUT', '/api/equity/successor', { successor_id }),
  setPrivacy: (hidden: boolean) => request<{ hidden: boolean; pseudonym?: string }>('PUT', '/api/equity/privacy', { hidden }),

  setGovernance: (b: { transfer_fee_bp: number; holding_cap_bp: number; cap_floor: string; reserve_share_bp: number; exit_rule: ExitRule; reason: string }) =>
    request<GovernanceView>('POST', '/api/equity/governance', b),
  setRateCard: (
    projectId: number,
    b: { annotation_accepted: string; correction: string; review_decision: string; correction_labeller_bp: number; difficulty: Record<string, number>; reason: string },
  ) => request<RateCardView>('POST', `/api/projects/${enc(projectId)}/rate-card`, b),
  exit: (memberId: number) => request<Transaction | { member_id: number; moved: false }>('POST', `/api/equity/members/${enc(memberId)}/exit`),
};
