// Generation jobs (docs/MODELS.md, "Generation jobs"): coordinators generate candidates into a
// pairwise or ranking project and watch them on the coordinators' channel.
import { allPages, listPage, request } from '../api';

export interface GenSlot {
  endpoint_id: number;
  seed?: number;
  temperature?: number;
}

export interface GenCounts {
  tasks: number;
  tasks_done: number;
  tasks_skipped: number;
  sources: number;
  items: number;
  sources_failed: number;
  flagged: number;
}

export interface GenFailure {
  source_key: string;
  slot: number;
  attempts: number;
  reason: string;
  at: string;
}

export type GenStatus = 'queued' | 'running' | 'cancelled' | 'done' | 'failed';

export interface GenJob {
  id: number;
  kind: string;
  project_id: number;
  status: GenStatus;
  reason?: string;
  counts: GenCounts;
  created_at: string;
  failures?: GenFailure[];
  flags?: { source_key: string; slot: number; item_id?: number }[];
}

/** A model endpoint as the registry lists it (only what this panel reads). */
export interface EndpointChoice {
  id: number;
  name: string;
  model: string;
  capabilities?: { seed?: boolean };
}

export interface CandidateRequest {
  slots: GenSlot[];
  prompts?: unknown[];
  source_project_id?: number;
  max_tokens?: number;
}

const enc = (n: number) => encodeURIComponent(String(n));

export const genApi = {
  endpoints: () => allPages<EndpointChoice>('/api/model-endpoints'),
  start: (projectId: number, r: CandidateRequest) => request<GenJob>('POST', `/api/projects/${enc(projectId)}/generate`, r),
  jobs: (projectId: number) => listPage<GenJob>(`/api/gen/jobs?project_id=${enc(projectId)}`, null, 10),
  job: (id: number) => request<GenJob>('GET', `/api/gen/jobs/${enc(id)}`),
  cancel: (id: number) => request<GenJob>('POST', `/api/gen/jobs/${enc(id)}/cancel`),
};

/** Reads JSONL prompts: each non-empty line {"prompt": …} or {"messages": […]}. */
export function parsePrompts(text: string): { prompts: unknown[] } | { error: string } {
  const prompts: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: `Line ${i + 1} is not a JSON object.` };
      prompts.push(v);
    } catch {
      return { error: `Line ${i + 1} is not valid JSON.` };
    }
  }
  if (prompts.length === 0) return { error: 'Give at least one prompt.' };
  return { prompts };
}

export const terminal = (s: GenStatus) => s === 'cancelled' || s === 'done' || s === 'failed';
