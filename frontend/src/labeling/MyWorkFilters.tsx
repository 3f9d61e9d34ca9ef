// The filters of My work: status, project and the UTC days the work was
// made. They live in the page's address, so a reload or a shared link keeps them.
import { useEffect, useState, type FormEvent } from 'react';
import type { Query } from '../schema';
import type { Project } from './types';

export interface MyWorkQuery {
  status: string;
  project: string;
  from: string;
  to: string;
}

export const NO_FILTER: MyWorkQuery = { status: '', project: '', from: '', to: '' };

const STATUSES: [string, string][] = [
  ['', 'Any status'],
  ['submitted', 'Waiting for review'],
  ['accepted', 'Accepted'],
  ['rejected', 'Rejected'],
  ['corrected', 'Corrected by a reviewer'],
  ['disputed', 'Disputed'],
];

/** Reads the filters from a location's search string. */
export function queryOf(search: string): MyWorkQuery {
  const q = new URLSearchParams(search);
  return { status: q.get('status') ?? '', project: q.get('project') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '' };
}

/** The search string of the filters ('' when there are none). */
export function searchOf(f: MyWorkQuery): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'project', 'from', 'to'] as const) if (f[k]) q.set(k, f[k]);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The query parameters of GET /api/me/submissions for the filters. */
/** The filters as GET /api/me/submissions takes them. */
export function apiParamsOf(f: MyWorkQuery): Pick<Query<'/api/me/submissions', 'get'>, 'status' | 'project_id' | 'from' | 'to'> {
  const id = Number(f.project);
  return {
    status: f.status || undefined,
    project_id: Number.isInteger(id) && id > 0 ? id : undefined,
    from: f.from || undefined,
    to: f.to || undefined,
  };
}

export function isFiltered(f: MyWorkQuery): boolean {
  return !!(f.status || f.project || f.from || f.to);
}

export function MyWorkFilters({ value, projects, onChange }: { value: MyWorkQuery; projects: Pick<Project, 'id' | 'name'>[]; onChange: (f: MyWorkQuery) => void }) {
  const [f, setF] = useState(value);
  useEffect(() => setF(value), [value]);
  const set = (k: keyof MyWorkQuery) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  function submit(e: FormEvent) {
    e.preventDefault();
    onChange(f);
  }
  return (
    <form className="inline-form mw-filters" onSubmit={submit} aria-label="Filter my work">
      <div className="field">
        <label htmlFor="mw-status">Status</label>
        <select id="mw-status" value={f.status} onChange={set('status')}>
          {STATUSES.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="mw-project">Project</label>
        <select id="mw-project" value={f.project} onChange={set('project')}>
          <option value="">Every project</option>
          {projects.map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="mw-from">From (UTC)</label>
        <input id="mw-from" type="date" value={f.from} onChange={set('from')} />
      </div>
      <div className="field">
        <label htmlFor="mw-to">Until, inclusive (UTC)</label>
        <input id="mw-to" type="date" value={f.to} min={f.from || undefined} onChange={set('to')} />
      </div>
      <button type="submit" className="btn btn-primary">
        Show
      </button>
      {isFiltered(value) && (
        <button type="button" className="btn" onClick={() => onChange(NO_FILTER)}>
          Clear filters
        </button>
      )}
    </form>
  );
}
