// My work: the labeller's own submissions, their review status, and
// amending a submission that has not been reviewed yet.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, PAGE_MAX } from '../api';
import { useSession } from '../auth';
import { Link, navigate, useLocation } from '../router';
import { ErrorAlert, Notice, formatDate } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { labelApi } from './api';
import { DiffView } from './editors/Rewrite';
import type { KeyHandler } from './editors/types';
import { newIdempotencyKey } from './submitQueue';
import { TaskEditor, useEditorModule } from './TaskEditor';
import type { Answer, MySubmission, Project, TaskType } from './types';
import { humanize } from '../review/api';
import { DisputeForm } from '../review/DisputeForm';
import { useChannel } from '../live/live';
import { isZero } from '../equity/decimal';
import { Units } from '../equity/StatementRows';
import { MyWorkAnswer } from './MyWorkAnswer';
import { MyWorkFilters, apiParamsOf, isFiltered, queryOf, searchOf, type MyWorkQuery } from './MyWorkFilters';

/** One step of a submission's review: a decision, or the labeller's dispute. */
interface HistoryStep {
  kind: 'decision' | 'dispute';
  decision?: 'accept' | 'reject' | 'correct';
  reason?: string;
  comment?: string;
  final?: boolean;
  automatic?: boolean;
  at: string;
}

/** A submission with its latest review outcome and its history (docs/WORK.md, "My work"). */
type Outcome = Omit<MySubmission, 'status'> & {
  status: MySubmission['status'] | 'disputed';
  review_comment?: string | null;
  decision_final?: boolean;
  history?: HistoryStep[];
};

const VERB: Record<string, string> = { accept: 'Accepted', reject: 'Rejected', correct: 'Corrected' };

/** The review history, oldest first; shown once there is more than one step. */
function History({ steps }: { steps: HistoryStep[] }) {
  let disputed = false;
  return (
    <ol className="sub-history" aria-label="Review history">
      {steps.map((h, i) => {
        if (h.kind === 'dispute') {
          disputed = true;
          return (
            <li key={i}>
              <span className="muted small">{formatDate(h.at)}</span> You disputed it{h.comment ? ':' : '.'} {h.comment && <q>{h.comment}</q>}
            </li>
          );
        }
        const label = `${VERB[h.decision ?? ''] ?? humanize(h.decision ?? '')}${h.automatic ? ' automatically' : ''}${disputed ? ' on dispute' : ''}${h.final ? ' (final)' : ''}`;
        return (
          <li key={i}>
            <span className="muted small">{formatDate(h.at)}</span> {label}
            {h.reason ? `: ${humanize(h.reason)}` : ''}
            {h.comment && (
              <>
                {' '}
                — <q>{h.comment}</q>
              </>
            )}
          </li>
        );
      })}
    </ol>
  );
}

const STATUS_LABEL: Record<string, string> = {
  submitted: 'Waiting for review',
  accepted: 'Accepted',
  rejected: 'Rejected',
  corrected: 'Corrected by a reviewer',
  disputed: 'Disputed — waiting for a final decision',
};

export function pretty(a: unknown): string {
  if (a && typeof a === 'object' && 'text' in a && typeof (a as { text: unknown }).text === 'string' && Object.keys(a).length === 1) return (a as { text: string }).text;
  return JSON.stringify(a, null, 2);
}

/** What a submission earned: its units in the holding, or still awaiting review. */
function EarnedUnits({ units, pending, id }: { units: string; pending: string; id: number }) {
  return (
    <span data-testid={`units-${id}`}>
      {!isZero(pending) ? (
        <>
          <Units value={pending} /> units awaiting review
        </>
      ) : isZero(units) ? (
        'no units'
      ) : (
        <>
          {units.startsWith('-') ? 'lost' : 'earned'} <Units value={units} /> units
        </>
      )}
    </span>
  );
}

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
        <ul className="subs" aria-label="My submissions">
          {subs.map((s) => (
            <li key={s.id} className="card sub">
              <div className="sub-head">
                <h2>
                  {s.project_name} <span className="muted small">· item {s.item_id}</span>
                </h2>
                <span className={`tag status-${s.status}`}>{STATUS_LABEL[s.status] ?? s.status}</span>
              </div>
              <p className="muted small">
                Submitted {formatDate(s.created_at)}
                {s.revisions > 1 ? ` · amended ${s.revisions - 1} time${s.revisions > 2 ? 's' : ''}` : ''}
                {s.units !== undefined && (
                  <>
                    {' · '}
                    <EarnedUnits units={s.units} pending={s.units_pending ?? '0'} id={s.id} />
                  </>
                )}
              </p>
              {(s.status === 'rejected' || s.status === 'disputed') && (
                <div className="alert alert-error outcome" data-testid={`outcome-${s.id}`}>
                  {s.reason && (
                    <p>
                      <strong>Reason:</strong> {humanize(s.reason)}
                    </p>
                  )}
                  {s.review_comment && (
                    <p>
                      <strong>Reviewer’s comment:</strong> {s.review_comment}
                    </p>
                  )}
                  {s.status === 'disputed' ? (
                    <p>You disputed this rejection. Another reviewer will decide, and that decision is final.</p>
                  ) : s.decision_final ? (
                    <p>This decision is final.</p>
                  ) : (
                    <DisputeForm
                      submissionId={s.id}
                      onDisputed={(comment) => {
                        setSubs((list) => list?.map((x) => (x.id === s.id ? { ...x, status: 'disputed' } : x)) ?? null);
                        if (comment) setNotice('Your dispute was sent. A reviewer will look again.');
                      }}
                    />
                  )}
                </div>
              )}
              {(s.history?.length ?? 0) > 1 && <History steps={s.history ?? []} />}
              {(s.status === 'accepted' || s.status === 'corrected') && s.review_comment && (
                <p className="outcome-comment">
                  <strong>Reviewer’s comment:</strong> {s.review_comment}
                </p>
              )}
              {editing === s.id ? (
                <Amend
                  sub={s as MySubmission}
                  onDone={(updated) => {
                    setEditing(null);
                    if (updated) {
                      setSubs((list) => list?.map((x) => (x.id === s.id ? { ...x, answer: updated, revisions: x.revisions + 1 } : x)) ?? null);
                      setNotice('Your amended answer was saved.');
                    }
                  }}
                />
              ) : (
                <>
                  <GivenAnswer sub={s} project={viewOf(s)} />
                  {s.status === 'corrected' && s.corrected_answer && (
                    <>
                      {viewOf(s) && <MyWorkAnswer item={false} label="The reviewer’s answer" taskType={s.task_type as TaskType} schema={viewOf(s)?.schema} data={s.data} answer={s.corrected_answer} />}
                      <DiffView label="Reviewer’s correction (your answer → theirs)" before={pretty(s.answer)} after={pretty(s.corrected_answer)} />
                    </>
                  )}
                  {s.status === 'submitted' && (
                    <button type="button" className="btn btn-small" onClick={() => setEditing(s.id)}>
                      Reopen and amend
                    </button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {more && subs && (
        <button type="button" className="btn" onClick={() => void load(more)}>
          Load older
        </button>
      )}
    </>
  );
}

/** The item and the answer as given, or the raw answer when the project's schema is not at hand. */
function GivenAnswer({ sub, project }: { sub: Outcome; project: Project | undefined }) {
  if (!project)
    return (
      <>
        <h3 className="item-label">Your answer</h3>
        <pre className="answer-pre">{pretty(sub.answer)}</pre>
      </>
    );
  return <MyWorkAnswer label="Your answer" taskType={project.task_type} schema={project.schema} data={sub.data} answer={sub.answer} />;
}

function Amend({ sub, onDone }: { sub: MySubmission; onDone: (a: Answer | null) => void }) {
  const { me } = useSession();
  const [project, setProject] = useState<Project | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyRef = useRef<KeyHandler | null>(null);
  const idem = useRef(newIdempotencyKey());
  const { mod } = useEditorModule(project?.task_type);
  useEffect(() => {
    labelApi.project(sub.project_id).then(setProject, setError);
  }, [sub.project_id]);
  useEffect(() => {
    if (mod && project && answer === null) setAnswer(mod.from(project.schema, sub.data, { memberId: me?.id ?? 0, itemId: sub.item_id }, sub.answer));
  }, [mod, project, answer, sub, me]);
  async function save() {
    if (!mod || !project || !answer) return;
    const problem = mod.validate(project.schema, sub.data, answer);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      const final = mod.toAnswer(project.schema, sub.data, answer);
      const res = await labelApi.amend(sub.id, idem.current, final);
      onDone(res?.answer ?? final);
    } catch (e) {
      const err = e as ApiError;
      setError(err.code === 'already_reviewed' ? 'A reviewer has already looked at this submission, so it can no longer be changed.' : err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="amend">
      <ErrorAlert error={error} />
      {(!mod || !project || !answer) && !error && <p className="muted">Loading the editor…</p>}
      {mod && project && answer && <TaskEditor mod={mod} schema={project.schema} data={sub.data} answer={answer} onChange={setAnswer} keyRef={keyRef} />}
      <div className="task-actions">
        <button type="button" className="btn btn-primary" disabled={busy || !answer} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save amended answer'}
        </button>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export default MyWorkPage;
