// Client and types for the review and quality endpoints (docs/API-review.md).
// Rates and scores are integer basis points: 10000 = 100 %.
import { request } from '../api';
import type { Answer, ItemData, TaskType } from '../labeling/types';

const enc = (v: string | number) => encodeURIComponent(String(v));

export type Verdict = 'accept' | 'reject' | 'correct';
export type ReviewKind = 'item' | 'dispute';

export interface DecisionRecord {
  id: number;
  review_id: number;
  submission_id: number;
  item_id: number;
  project_id: number;
  labeller_id: number;
  reviewer_id?: number | null;
  decision: Verdict;
  reason?: string;
  comment?: string;
  corrected_answer?: Answer | null;
  final: boolean;
  automatic: boolean;
  status: string;
  created_at: string;
}

export interface ReviewSubmission {
  id: number;
  member_id: number;
  answer: Answer;
  key: string[] | null;
  status: string;
  pending: boolean;
  lead_time_ms: number;
  created_at: string;
  decisions?: DecisionRecord[] | null;
}

export interface KeyVotes {
  key: string;
  submissions: number[];
}
export interface FieldDiff {
  name: string;
  values: Record<string, string>;
  differ: boolean;
  spread?: number;
}
export interface SpanMark {
  submission: number;
  start: number;
  end: number;
}
export interface SpanDiff {
  label: string;
  marks: SpanMark[];
}
export interface Disagreement {
  unanimous: boolean;
  keys: KeyVotes[] | null;
  differing: string[] | null;
  fields?: FieldDiff[] | null;
  spans?: SpanDiff[] | null;
}

export interface ReviewTask {
  review_id: number;
  kind: ReviewKind;
  lease_token: string;
  lease_expires_at: string;
  project_id: number;
  item_id: number;
  task_type: TaskType;
  schema: unknown;
  data: ItemData;
  gold?: Answer | null;
  metric?: string;
  agreement_bp: number | null;
  route: string;
  reasons: string[] | null;
  reject_reasons: string[] | null;
  dispute_comment?: string;
  submissions: ReviewSubmission[];
  disagreement: Disagreement;
}

export interface DecisionInput {
  submission_id: number;
  decision: Verdict;
  reason?: string;
  comment?: string;
  corrected_answer?: Answer;
}

export interface DecisionsBody {
  lease_token: string;
  idempotency_key: string;
  decisions: DecisionInput[];
}

export interface DecisionsResult {
  review_id: number;
  item_id: number;
  decided: DecisionRecord[];
  replayed: boolean;
}

/** GET /api/projects/:id/review/queue: what waits, what the caller may take, who may take the rest. */
export interface ReviewQueueView {
  project_id: number;
  waiting: number;
  for_you: number;
  held_by_others: number;
  not_for_you: { review_id: number; item_id: number; kind: 'item' | 'dispute'; why: 'you_rejected' | 'you_answered' | 'not_reviewer'; eligible: { id: number; display_name: string }[] }[];
  not_for_you_total: number;
  no_eligible_reviewer: number;
}

export interface ReviewSettings {
  project_id?: number;
  auto_accept: boolean;
  auto_accept_bp: number;
  sample_rate_bp: number;
  gold_threshold_bp: number;
  gold_window: number;
  reject_reasons: string[];
  tie_policy: string;
  updated_at?: string;
}

export interface GoldAccuracy {
  checked: number;
  correct: number;
  accuracy_bp: number | null;
}

export interface LabellerStats {
  member_id: number;
  login: string;
  display_name: string;
  submissions: number;
  active_days: number;
  per_active_day: number;
  median_lead_time_ms: number;
  pending: number;
  accepted: number;
  corrected: number;
  rejected: number;
  disputed: number;
  acceptance_bp: number | null;
  consensus_agreement_bp: number | null;
  gold: GoldAccuracy;
  confusion: Record<string, Record<string, number>> | null;
  rejection_reasons: Record<string, number> | null;
}

export interface GoldStanding {
  window: number;
  threshold_bp: number;
  recent: GoldAccuracy;
  on_probation: boolean;
  reason?: string;
}

export interface MyQuality {
  project_id: number;
  stats: LabellerStats;
  gold_standing: GoldStanding;
}

export interface DayAgreement {
  day: string;
  items: number;
  agreement_bp: number;
}

export interface ReviewerLoad {
  reviewer_id: number;
  login: string;
  reviews: number;
  decisions: number;
  rejections: number;
  holding: number;
}

export interface ProjectQuality {
  project_id: number;
  queue: Record<string, number> | null;
  routes: Record<string, number> | null;
  labellers: LabellerStats[] | null;
  agreement_by_day: DayAgreement[] | null;
  reviewers: ReviewerLoad[] | null;
  on_probation: number[] | null;
  settings: ReviewSettings;
}

export interface AgreementResult {
  metric: string;
  level?: string;
  value: number;
  units: number;
  annotators: number;
  pairable: number;
  details?: Record<string, number>;
}

export interface MetricValue {
  metric: string;
  result?: AgreementResult | null;
  reason?: string;
}

export interface LabelAgreement {
  label: string;
  metric: string;
  value: number | null;
  units: number;
  reason?: string;
}

export interface PairCell {
  a: string;
  b: string;
  value: number | null;
  units: number;
  reason?: string;
}

export interface ProjectAgreement {
  project_id: number;
  task_type: TaskType;
  primary_metric: string;
  items: number;
  annotations: number;
  metrics: MetricValue[] | null;
  per_label: LabelAgreement[] | null;
  pairwise: PairCell[] | null;
}

export interface ConsensusReport {
  method: string;
  items: number;
  classes?: string[];
  iterations?: number;
  converged?: boolean;
  annotator_accuracy_bp?: Record<string, number>;
}

export const reviewApi = {
  next: (projectId: number) => request<ReviewTask>('POST', `/api/projects/${enc(projectId)}/review/next`),
  heartbeat: (lease_token: string) => request<{ lease_expires_at: string }>('POST', '/api/review/heartbeat', { lease_token }),
  release: (lease_token: string) => request<void>('POST', '/api/review/release', { lease_token }),
  decide: (body: DecisionsBody) => request<DecisionsResult>('POST', '/api/review/decisions', body),

  dispute: (submissionId: number, comment: string) => request<unknown>('POST', `/api/submissions/${enc(submissionId)}/dispute`, { comment }),
  myQuality: (projectId: number) => request<MyQuality>('GET', `/api/me/quality?project_id=${enc(projectId)}`),

  queueView: (projectId: number) => request<ReviewQueueView>('GET', `/api/projects/${enc(projectId)}/review/queue`),
  quality: (projectId: number) => request<ProjectQuality>('GET', `/api/projects/${enc(projectId)}/quality`),
  agreement: (projectId: number) => request<ProjectAgreement>('GET', `/api/projects/${enc(projectId)}/agreement`),
  settings: (projectId: number) => request<ReviewSettings>('GET', `/api/projects/${enc(projectId)}/review-settings`),
  updateSettings: (projectId: number, patch: Partial<ReviewSettings>) =>
    request<ReviewSettings>('PATCH', `/api/projects/${enc(projectId)}/review-settings`, patch),
  recomputeConsensus: (projectId: number, method: 'dawid_skene' | 'majority') =>
    request<ConsensusReport>('POST', `/api/projects/${enc(projectId)}/consensus`, { method }),
};

/** Basis points as a percentage ("87.5 %"), or "n/a". */
export function pct(bp: number | null | undefined, digits = 1): string {
  if (bp === null || bp === undefined || Number.isNaN(bp)) return 'n/a';
  const v = bp / 100;
  return `${Number.isInteger(v) ? v : v.toFixed(digits)} %`;
}

/** Milliseconds as a short duration ("8.4 s", "2 min 5 s"). */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms <= 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  if (m < 60) return r ? `${m} min ${r} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** "wrong_label" → "Wrong label". */
export function humanize(code: string): string {
  const s = code.replace(/_/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const ROUTE_REASONS: Record<string, string> = {
  auto_accept_off: 'Auto-accept is off: every item is reviewed',
  below_threshold: 'Agreement is below the auto-accept threshold',
  agreement_undefined: 'Agreement could not be computed',
  gold_failed: 'A check (gold) item was answered differently from the expected answer',
  labeller_on_probation: 'A labeller is on probation: all their work is reviewed',
  sampled: 'Picked for a random quality sample',
  disputed: 'The labeller disputes a rejection',
};
