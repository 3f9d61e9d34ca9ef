// Client for the labelling endpoints; shares request()/ApiError with ../api.
import { allPages, ApiError, errorFromResponse, listPage, request } from '../api';
import type { Body, Ok, Query, Refine } from '../schema';
import type {
  Answer,
  FirstAnswerResult,
  ImportReport,
  Model,
  MyProgress,
  MySettings,
  MySubmission,
  Progress,
  Project,
  ProjectPace,
  ProjectSettings,
  ProjectStatus,
  Submission,
  Task,
  TaskType,
} from './types';

const enc = (v: string | number) => encodeURIComponent(String(v));

/** A new project's settings (POST /api/projects): ProjectSettings, required here, with the creation-only fields. */
export type NewProject = Refine<Body<'/api/projects', 'post'>, ProjectSettings & { model_id: number; add_all_members: boolean }>;

/** The query of POST /api/projects/{id}/imports (docs/WORK.md, "Import options"). */
export type ImportQuery = Query<'/api/projects/{id}/imports', 'post'>;

export type ImportFormat = NonNullable<ImportQuery['format']>;

/** What becomes of the annotations in a Label Studio file (required when its tasks carry some). */
export type AnnotationsChoice = '' | NonNullable<ImportQuery['annotations']>;

/** The import options as the form holds them; importQuery turns them into the documented query. */
export interface ImportOptions {
  annotations: AnnotationsChoice;
  id_field: string;
  gold_field: string;
  priority: string;
  sensitive: boolean;
}

export const NO_IMPORT_OPTIONS: ImportOptions = { annotations: '', id_field: '', gold_field: '', priority: '', sensitive: false };

/** The import's query string: format, filename and every option that is set. */
export function importQuery(format: ImportFormat, filename: string, o: ImportOptions = NO_IMPORT_OPTIONS): string {
  // Every documented parameter, by its documented name: a renamed one breaks the build.
  const q: { [K in keyof Required<ImportQuery>]: string | undefined } = {
    format,
    filename,
    annotations: o.annotations || undefined,
    id_field: o.id_field.trim() || undefined,
    gold_field: o.gold_field.trim() || undefined,
    priority: o.priority.trim() || undefined,
    sensitive: o.sensitive ? ('true' satisfies ImportQuery['sensitive']) : undefined,
  };
  return new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

/** Guesses the import format from a file name (.jsonl, .csv, .json → Label Studio). */
export function importFormatFor(filename: string): ImportFormat | null {
  const f = filename.toLowerCase();
  if (f.endsWith('.jsonl') || f.endsWith('.ndjson')) return 'jsonl';
  if (f.endsWith('.csv')) return 'csv';
  if (f.endsWith('.json')) return 'labelstudio';
  return null;
}

export const labelApi = {
  models: () => allPages<Model>('/api/models'),
  createModel: (m: Body<'/api/models', 'post'>) => request<Model>('POST', '/api/models', m),

  projects: () => allPages<Project>('/api/projects'),
  /** Only the projects the caller is a member of (what /work offers). */
  myProjects: () => allPages<Project>('/api/projects?member=me'),
  project: (id: number) => request<Project>('GET', `/api/projects/${enc(id)}`),
  createProject: (p: NewProject) => request<Project>('POST', '/api/projects', p),
  updateProject: (id: number, p: Partial<ProjectSettings>) => request<Project>('PATCH', `/api/projects/${enc(id)}`, p),
  setStatus: (id: number, status: ProjectStatus) => request<Project>('POST', `/api/projects/${enc(id)}/status`, { status } satisfies Body<'/api/projects/{id}/status', 'post'>),
  progress: (id: number) => request<Progress>('GET', `/api/projects/${enc(id)}/progress`),
  members: (id: number) => allPages<number>(`/api/projects/${enc(id)}/members`),
  addMember: (id: number, member_id: number) => request<void>('POST', `/api/projects/${enc(id)}/members`, { member_id } satisfies Body<'/api/projects/{id}/members', 'post'>),
  removeMember: (id: number, member_id: number) => request<void>('DELETE', `/api/projects/${enc(id)}/members/${enc(member_id)}`),

  validateSchema: (task_type: TaskType, schema: unknown) =>
    request<Ok<'/api/schema/validate', 'post'>>('POST', '/api/schema/validate', { task_type, schema } satisfies Body<'/api/schema/validate', 'post'>).then((r) => r.schema),
  lsConfig: (xml: string) => request<Ok<'/api/lsconfig', 'post'>>('POST', '/api/lsconfig', { xml } satisfies Body<'/api/lsconfig', 'post'>),

  next: (projectId: number) => request<Task>('POST', `/api/projects/${enc(projectId)}/next`),
  heartbeat: (lease_token: string, active_ms: number) =>
    request<Ok<'/api/tasks/heartbeat', 'post'>>('POST', '/api/tasks/heartbeat', { lease_token, active_ms } satisfies Body<'/api/tasks/heartbeat', 'post'>),
  draft: (lease_token: string, answer: Answer) => request<void>('PUT', '/api/tasks/draft', { lease_token, answer } satisfies Body<'/api/tasks/draft', 'put'>),
  release: (lease_token: string) => request<void>('POST', '/api/tasks/release', { lease_token } satisfies Body<'/api/tasks/release', 'post'>),
  skip: (lease_token: string, reason: string) => request<void>('POST', '/api/tasks/skip', { lease_token, reason } satisfies Body<'/api/tasks/skip', 'post'>),
  /** Under the after_answer policy: record the first answer; the reply reveals the suggestion. */
  firstAnswer: (lease_token: string, answer: Answer) => request<FirstAnswerResult>('POST', '/api/tasks/first-answer', { lease_token, answer } satisfies Body<'/api/tasks/first-answer', 'post'>),
  submit: (body: { lease_token: string; idempotency_key: string; answer: Answer; lead_time_ms: number }) =>
    request<Submission>('POST', '/api/submissions', body),

  myProgress: (projectId: number) => request<MyProgress>('GET', `/api/projects/${enc(projectId)}/me`),
  pace: (projectId: number) => request<ProjectPace>('GET', `/api/projects/${enc(projectId)}/pace`),
  mySettings: () => request<MySettings>('GET', '/api/me/settings'),
  setMySettings: (sensitive_daily_cap: number) => request<MySettings | void>('PUT', '/api/me/settings', { sensitive_daily_cap } satisfies Body<'/api/me/settings', 'put'>),

  /** One page of the caller's submissions, newest first; next_cursor continues it. */
  /** The caller's submissions, newest first, narrowed by project, status and UTC days (docs/WORK.md, "My work"). */
  mySubmissions: (q: Omit<Query<'/api/me/submissions', 'get'>, 'cursor'> & { cursor?: string | null } = {}) => {
    const params = (['project_id', 'status', 'from', 'to'] as const).filter((k) => q[k]).map((k) => `${k}=${enc(q[k] as string | number)}`);
    return listPage<MySubmission>(`/api/me/submissions${params.length ? `?${params.join('&')}` : ''}`, q.cursor, q.limit ?? 50);
  },
  amend: (id: number, idempotency_key: string, answer: Answer) =>
    request<Submission>('PUT', `/api/submissions/${enc(id)}`, { idempotency_key, answer } satisfies Body<'/api/submissions/{id}', 'put'>),
};

/**
 * Uploads an import file with XMLHttpRequest so the caller can show upload
 * progress (fetch has no upload progress). Resolves with the import report.
 */
export function uploadImport(
  projectId: number,
  file: Blob & { name?: string },
  format: ImportFormat,
  onProgress: (loaded: number, total: number) => void,
  options: ImportOptions = NO_IMPORT_OPTIONS,
): { promise: Promise<ImportReport>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const name = file.name ?? 'upload';
  const promise = new Promise<ImportReport>((resolve, reject) => {
    xhr.open('POST', `/api/projects/${enc(projectId)}/imports?${importQuery(format, name, options)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network_error'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    xhr.onload = () => {
      const res = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status });
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as ImportReport);
        } catch {
          reject(new ApiError(xhr.status, 'bad_response', 'The server sent a response the app could not read.'));
        }
      } else {
        void errorFromResponse(res).then(reject);
      }
    };
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
