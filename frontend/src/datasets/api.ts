// Datasets out: snapshots, exports, releases, the leaderboard, my data.
import { request } from '../api';
import type { Project } from '../labeling/types';
import type { EvaluationRequest } from './evaluation';

export interface SnapshotProject { project_id: number; name: string; task_type: string }
export interface Snapshot {
  id: number;
  model_id: number;
  mode: 'consensus' | 'all';
  task_type: string;
  hash: string;
  items: number;
  annotations: number;
  contributors: number;
  ledger_head: string;
  projects: SnapshotProject[];
  provenance: { units_issued: string; labour: { annotations: number; rejection_rate?: string; working_hours?: string } };
  created_at: string;
}
export interface Release {
  id: number;
  model_id: number;
  model_name?: string;
  version: string;
  base_model: string;
  training_notes: string;
  checkpoint: string;
  snapshot_hashes: string[];
  snapshot_ids: number[];
  hash: string;
  created_at: string;
  my_annotations?: number;
}
export interface Evaluation { project_id: number; model_id: number; release_ids: number[]; items: number; duplicates: number; created_at: string }
export interface BTRating { player: string; score: number; lower: number; upper: number; wins: number; losses: number; ties: number }
export interface WinRates { players: string[]; wins: number[][]; games: number[][]; rate: (number | null)[][] }
export interface RubricMean { release: string; criterion: string; n: number; mean: number; lower: number; upper: number; interval: boolean }
export interface Leaderboard {
  model_id: number;
  releases: Release[];
  evaluations: number[];
  comparisons: number;
  bradley_terry: { ratings: BTRating[]; win_rates: WinRates; resamples: number } | null;
  rubric: RubricMean[];
}

const enc = encodeURIComponent;

export const datasetsApi = {
  snapshots: (modelId?: number) =>
    request<{ snapshots: Snapshot[] }>('GET', `/api/snapshots${modelId ? `?model_id=${enc(modelId)}` : ''}`).then((r) => r.snapshots ?? []),
  snapshot: (id: number) => request<{ snapshot: Snapshot; formats: string[] }>('GET', `/api/snapshots/${enc(id)}`),
  createSnapshot: (model_id: number, project_ids: number[], mode: string) =>
    request<Snapshot>('POST', '/api/snapshots', { model_id, project_ids, mode }),
  releases: (modelId?: number) =>
    request<{ releases: Release[] }>('GET', `/api/releases${modelId ? `?model_id=${enc(modelId)}` : ''}`).then((r) => r.releases ?? []),
  createRelease: (r: { model_id: number; version: string; base_model: string; training_notes: string; checkpoint: string; snapshot_hashes: string[] }) =>
    request<Release>('POST', '/api/releases', r),
  myReleases: () => request<{ releases: Release[] }>('GET', '/api/me/releases').then((r) => r.releases ?? []),
  createEvaluation: (req: EvaluationRequest) =>
    request<{ evaluation: Evaluation; project: Project }>('POST', '/api/evaluations', req),
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
