// My work: the labeller's own submissions as a filterable table (MyWorkRow),
// their review status, live updates, and loading older pages.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, PAGE_MAX } from '../api';
import { useSession } from '../auth';
import { Link, navigate, useLocation } from '../router';
import { ErrorAlert, Notice } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { labelApi } from './api';
import type { Project } from './types';
import { Detail, MyWorkTable, toggled, type Outcome } from './MyWorkRow';
import { useChannel } from '../live/live';
import { MyWorkFilters, apiParamsOf, isFiltered, queryOf, searchOf, type MyWorkQuery } from './MyWorkFilters';

export function MyWorkPage() {
  const { me } = useSession();
  const { search } = useLocation();
  const filter = useMemo(() => queryOf(search), [search]);
  const params = useMemo(() => apiParamsOf(filter), [filter]);
  const [subs, setSubs] = useState<Outcome[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // The cursor of the next older page; null when every submission is shown.
  const [more, setMore] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  // The rows opened to their detail.
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState('');
  // The caller's projects, for the project filter and to render answers with their schema.
  const [projects, setProjects] = useState<Map<number, Project>>(new Map());
  useEffect(() => {
    labelApi.myProjects().then((ps) => setProjects(new Map(ps.map((p) => [p.id, p]))), () => {});
  }, []);
  // Only the answer to the latest filters is shown, whatever order answers arrive in.
  const latest = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
      const ask = ++latest.current;
      try {
        const page = await labelApi.mySubmissions({ ...params, limit: 50, cursor });
        if (ask !== latest.current) return;
        const items = page.items as Outcome[];
        setSubs((s) => (cursor && s ? [...s, ...items] : items));
        setMore(page.next_cursor);
        setError(null);
      } catch (e) {
        if (ask === latest.current) setError(e as ApiError);
      }
    },
    [params],
  );
  useEffect(() => {
    setSubs(null);
    void load();
  }, [load]);
  // A decision or dispute on my work re-reads the list (coalesced), so it is never stale.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const reload = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      // As many as are shown, again from the newest, so a reload keeps what "Load older" added.
      const loaded = Math.max(50, subs?.length ?? 0);
      void (async () => {
        const items: Outcome[] = [];
        let cursor: string | null = null;
        do {
          const page = await labelApi.mySubmissions({ ...params, limit: Math.min(PAGE_MAX, loaded - items.length), cursor });
          items.push(...(page.items as Outcome[]));
          cursor = page.next_cursor;
        } while (cursor && items.length < loaded);
        setSubs(items);
        setMore(cursor);
      })().catch(() => {});
    }, 200);
  }, [subs?.length, params]);
  useChannel(me ? `member:${me.id}` : null, (e) => e.type.startsWith('review.') && reload(), { onReset: reload });
  const setFilter = (f: MyWorkQuery) => navigate(`/work/mine${searchOf(f)}`);
  // The project whose schema renders a line's answer: only while its task type is the line's.
  const viewOf = (s: Outcome) => {
    const p = projects.get(s.project_id);
    return p && p.task_type === s.task_type ? p : undefined;
  };
  // Projects named by the filter and by the lines, even ones the member has since left.
  const choices = useMemo(() => {
    const m = new Map<number, { id: number; name: string }>();
    projects.forEach((p) => m.set(p.id, { id: p.id, name: p.name }));
    subs?.forEach((s) => m.has(s.project_id) || m.set(s.project_id, { id: s.project_id, name: s.project_name }));
    return [...m.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [projects, subs]);
  return (
    <>
      <PageHeading title="My work" lead="What you have submitted and what reviewers decided." />
      <p>
        <Link to="/work">Back to projects</Link> · <Link to="/work/quality">My quality</Link>
      </p>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      {subs === null && !error && <p className="muted">Loading your submissions…</p>}
      <MyWorkFilters value={filter} projects={choices} onChange={setFilter} />
      {subs && subs.length === 0 && (
        <section className="empty-state" aria-labelledby="mine-empty">
          {isFiltered(filter) ? (
            <>
              <h2 id="mine-empty">Nothing matches these filters</h2>
              <p>Change or clear the filters to see more of your work.</p>
            </>
          ) : (
            <>
              <h2 id="mine-empty">No submissions yet</h2>
              <p>Your submitted answers will be listed here.</p>
            </>
          )}
        </section>
      )}
      {subs && subs.length > 0 && (
        <MyWorkTable
          subs={subs}
          viewOf={viewOf}
          open={open}
          onToggle={(id) => setOpen((o) => toggled(o, id))}
          detail={(s) => (
            <Detail
              s={s}
              view={viewOf(s)}
              editing={editing === s.id}
              onEdit={() => setEditing(s.id)}
              onAmended={(updated) => {
                setEditing(null);
                if (updated) {
                  setSubs((list) => list?.map((x) => (x.id === s.id ? { ...x, answer: updated, revisions: x.revisions + 1 } : x)) ?? null);
                  setNotice('Your amended answer was saved.');
                }
              }}
              onDisputed={(comment) => {
                setSubs((list) => list?.map((x) => (x.id === s.id ? { ...x, status: 'disputed' } : x)) ?? null);
                if (comment) setNotice('Your dispute was sent. A reviewer will look again.');
              }}
            />
          )}
        />
      )}
      {more && subs && (
        <button type="button" className="btn" onClick={() => void load(more)}>
          Load older
        </button>
      )}
    </>
  );
}

export default MyWorkPage;
