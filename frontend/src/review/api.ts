// Client and types for the review and quality endpoints (docs/API-review.md).
// Rates and scores are integer basis points: 10000 = 100 %.
import { request } from '../api';
import type { Body, Ok, Refine, Schema } from '../schema';
import type { Answer, ItemData } from '../labeling/types';

const enc = (v: string | number) => encodeURIComponent(String(v));

export type Verdict = 'accept' | 'reject' | 'correct';
export type ReviewKind = 'item' | 'dispute';

export type DecisionRecord = Refine<Schema<'DecisionRecord'>, { decision: Verdict; corrected_answer?: Answer | null }>;

export type ReviewSubmission = Refine<Schema<'ReviewSubmission'>, { answer: Answer; decisions?: DecisionRecord[] }>;

export type KeyVotes = Schema<'KeyVotes'>;
export type FieldDiff = Schema<'FieldDiff'>;
export type SpanMark = Schema<'SubmittedSpan'>;
export type SpanDiff = Schema<'SpanDiff'>;
export type Disagreement = Schema<'Disagreement'>;

export type ReviewTask = Refine<
  Schema<'ReviewTask'>,
  { kind: ReviewKind; data: ItemData; gold?: Answer | null; submissions: ReviewSubmission[] }
>;

export type DecisionInput = Refine<Schema<'DecisionInput'>, { decision: Verdict; corrected_answer?: Answer }>;

export type DecisionsBody = Refine<Body<'/api/review/decisions', 'post'>, { lease_token: string; idempotency_key: string; decisions: DecisionInput[] }>;

export type DecisionsResult = Refine<Schema<'DecisionResult'>, { decided: DecisionRecord[] }>;

/** GET /api/projects/:id/review/queue: what waits, what the caller may take, who may take the rest. */
export type ReviewQueueView = Schema<'ReviewQueueView'>;

export type ReviewSettings = Schema<'ReviewSettings'>;

export type GoldAccuracy = Schema<'GoldAccuracy'>;

export type LabellerStats = Schema<'LabellerStats'>;

export type GoldStanding = Schema<'GoldStanding'>;

export type MyQuality = Schema<'MyQuality'>;

export type DayAgreement = Schema<'DayAgreement'>;

export type ReviewerLoad = Schema<'ReviewerLoad'>;

export type ProjectQuality = Schema<'ProjectQuality'>;

export type AgreementResult = Schema<'Result'>;

export type MetricValue = Schema<'MetricValue'>;

export type LabelAgreement = Schema<'LabelAgreement'>;

export type PairCell = Schema<'PairCell'>;

export type ProjectAgreement = Schema<'ProjectAgreement'>;

export type ConsensusReport = Schema<'ConsensusReport'>;

export const reviewApi = {
  next: (projectId: number) => request<ReviewTask>('POST', `/api/projects/${enc(projectId)}/review/next`),
  heartbeat: (lease_token: string) => request<Ok<'/api/review/heartbeat', 'post'>>('POST', '/api/review/heartbeat', { lease_token } satisfies Body<'/api/review/heartbeat', 'post'>),
  release: (lease_token: string) => request<void>('POST', '/api/review/release', { lease_token } satisfies Body<'/api/review/release', 'post'>),
  decide: (body: DecisionsBody) => request<DecisionsResult>('POST', '/api/review/decisions', body),

  dispute: (submissionId: number, comment: string) => request<unknown>('POST', `/api/submissions/${enc(submissionId)}/dispute`, { comment } satisfies Body<'/api/submissions/{id}/dispute', 'post'>),
  myQuality: (projectId: number) => request<MyQuality>('GET', `/api/me/quality?project_id=${enc(projectId)}`),

  queueView: (projectId: number) => request<ReviewQueueView>('GET', `/api/projects/${enc(projectId)}/review/queue`),
  quality: (projectId: number) => request<ProjectQuality>('GET', `/api/projects/${enc(projectId)}/quality`),
  agreement: (projectId: number) => request<ProjectAgreement>('GET', `/api/projects/${enc(projectId)}/agreement`),
  settings: (projectId: number) => request<ReviewSettings>('GET', `/api/projects/${enc(projectId)}/review-settings`),
  updateSettings: (projectId: number, patch: Partial<ReviewSettings>) =>
    request<ReviewSettings>('PATCH', `/api/projects/${enc(projectId)}/review-settings`, patch),
  recomputeConsensus: (projectId: number, method: 'dawid_skene' | 'majority') =>
    request<ConsensusReport>('POST', `/api/projects/${enc(projectId)}/consensus`, { method } satisfies Body<'/api/projects/{id}/consensus', 'post'>),
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

/** GET /api/review/home: waiting reviews across projects, most waiting first. */
export type ReviewerHome = Schema<'ReviewerHome'>;
export type WaitingReview = Schema<'WaitingReview'>;

export const reviewHomeApi = {
  home: () => request<ReviewerHome>('GET', '/api/review/home'),
};
