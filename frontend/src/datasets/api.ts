// Datasets out: snapshots, exports, releases, the leaderboard, my data.
import { allPages, request } from '../api';
import type { Body, Ok, Refine, Schema } from '../schema';
import type { EvaluationRequest } from './evaluation';

export type SnapshotProject = Schema<'SnapshotProject'>;
export type Snapshot = Refine<Schema<'Snapshot'>, { mode: 'consensus' | 'all' }>;
export type Release = Schema<'Release'>;
export type Evaluation = Schema<'Evaluation'>;
export type BTRating = Schema<'BTRating'>;
export type WinRates = Schema<'BTResult'>['win_rates'];
export type RubricMean = Schema<'BTRubricMean'>;
export type Leaderboard = Schema<'Leaderboard'>;

const enc = encodeURIComponent;

export const datasetsApi = {
  /** Names the model endpoint that serves a release (null: none). */
  setReleaseEndpoint: (releaseId: number, endpointId: number | null) =>
    request<Release>('PUT', `/api/releases/${enc(releaseId)}/endpoint`, { endpoint_id: endpointId } satisfies Body<'/api/releases/{id}/endpoint', 'put'>),
  /** Queues an evaluation whose outputs the releases' endpoints write (docs/MODELS.md). */
  generateEvaluation: (req: Body<'/api/gen/evaluations', 'post'>) => request<Ok<'/api/gen/evaluations', 'post', 201>>('POST', '/api/gen/evaluations', req),
  snapshots: (modelId?: number) => allPages<Snapshot>(`/api/snapshots${modelId ? `?model_id=${enc(modelId)}` : ''}`),
  snapshot: (id: number) => request<Refine<Ok<'/api/snapshots/{id}', 'get'>, { snapshot: Snapshot }>>('GET', `/api/snapshots/${enc(id)}`),
  createSnapshot: (model_id: number, project_ids: number[], mode: string) =>
    request<Snapshot>('POST', '/api/snapshots', { model_id, project_ids, mode } satisfies Body<'/api/snapshots', 'post'>),
  releases: (modelId?: number) => allPages<Release>(`/api/releases${modelId ? `?model_id=${enc(modelId)}` : ''}`),
  createRelease: (r: Body<'/api/releases', 'post'>) =>
    request<Release>('POST', '/api/releases', r),
  myReleases: () => allPages<Release>('/api/me/releases'),
  createEvaluation: (req: EvaluationRequest) =>
    request<Ok<'/api/evaluations', 'post', 201>>('POST', '/api/evaluations', req),
  leaderboard: (modelId: number) => request<Leaderboard>('GET', `/api/models/${enc(modelId)}/leaderboard`),
};

export function exportURL(snapshotId: number, format: string): string {
  return `/api/snapshots/${enc(snapshotId)}/export?format=${enc(format)}`;
}

/** Formats that can represent a task type (mirrors docs/EXPORTS.md). */
export function formatsFor(taskType: string): string[] {
  const all = ['csv', 'long', 'long-jsonl', 'jsonl', 'hf'];
  const by: Record<string, string[]> = {
    rewrite: ['trl-sft', 'trl-sft-prompt', 'openai-chat', 'labelstudio'],
    pairwise: ['trl-dpo', 'trl-dpo-conversational', 'openai-dpo', 'trl-kto', 'labelstudio'],
    ranking: ['trl-dpo', 'trl-dpo-conversational', 'openai-dpo', 'labelstudio'],
    rubric: ['trl-kto', 'labelstudio'],
    classification: ['labelstudio'],
    multilabel: ['labelstudio'],
    spans: ['labelstudio'],
  };
  return [...(by[taskType] ?? []), ...all];
}

export function shortHash(h: string): string {
  return h ? `${h.slice(0, 12)}…` : '';
}
