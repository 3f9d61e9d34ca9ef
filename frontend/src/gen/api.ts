// Generation jobs (docs/MODELS.md, "Generation jobs"): coordinators generate candidates into a
// pairwise or ranking project and watch them on the coordinators' channel.
import { allPages, listPage, request } from '../api';
import type { Body, Ok } from '../schema';

// The shapes come from the OpenAPI document (src/schema.ts), so a server change breaks the build.
export type GenJob = Ok<'/api/gen/jobs/{id}', 'get'>;
export type GenCounts = GenJob['counts'];
export type GenFailure = NonNullable<GenJob['failures']>[number];
export type GenStatus = GenJob['status'];
export type CandidateRequest = Body<'/api/projects/{id}/generate', 'post'>;
export type GenSlot = NonNullable<CandidateRequest['slots']>[number];
export type SuggestionRequest = Body<'/api/projects/{id}/suggest', 'post'>;
/** A model endpoint as the registry lists it. */
export type EndpointChoice = Ok<'/api/model-endpoints', 'get'>['items'][number];

const enc = (n: number) => encodeURIComponent(String(n));

export const genApi = {
  endpoints: () => allPages<EndpointChoice>('/api/model-endpoints'),
  start: (projectId: number, r: CandidateRequest) => request<GenJob>('POST', `/api/projects/${enc(projectId)}/generate`, r),
  suggest: (projectId: number, r: SuggestionRequest) => request<GenJob>('POST', `/api/projects/${enc(projectId)}/suggest`, r),
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
