// The review area (the home is ReviewerHome.tsx): review one item at a time with every
// submission side by side. Keyboard first: J/K (↓/↑) move between pending
// submissions, A accepts, R rejects (1–9 picks the reason), C corrects in the
// task editor, U undoes, Enter sends once every pending submission is
// decided, ? lists the shortcuts. The lease is kept alive with heartbeats;
// decisions are sent with one idempotency key and retried until answered.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent as RKeyboardEvent } from 'react';
import { ApiError } from '../api';
import { labelApi } from '../labeling/api';
import { Dialog } from '../labeling/Dialog';
import { Kbd } from '../labeling/editors/common';
import type { KeyHandler } from '../labeling/editors/types';
import { isTypingTarget } from '../labeling/keys';
import { TaskEditor, useEditorModule } from '../labeling/TaskEditor';
import { type Answer, type Project } from '../labeling/types';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, Notice } from '../ui';
import { humanize, pct, reviewApi, ROUTE_REASONS, type DecisionRecord, type ReviewSubmission, type ReviewTask, type Verdict } from './api';
import { AnswerView, FieldTable, ItemView } from './AnswerView';
import { QueueWhy } from './QueueWhy';
import type { ReviewQueueView } from './api';
import {
  allDecided,
  buildDecisions,
  describeDecision,
  IdempotencyKeys,
  keyAction,
  moveIndex,
  nextUndecided,
  pendingDecisionsFor,
  pendingIds,
  reasonForKey,
  savePendingDecisions,
  sendDecisionsWithRetry,
  undecidedIds,
  verdictsFor,
  type DecisionMap,
  type DraftDecision,
  type PendingDecisions,
} from './decisions';

// ---------------------------------------------------------------- review screen

type Phase = 'loading' | 'review' | 'empty' | 'error';
type Modal = null | { kind: 'help' } | { kind: 'reject'; id: number } | { kind: 'correct'; id: number };

const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: 'J / ↓', action: 'Next pending submission' },
  { keys: 'K / ↑', action: 'Previous pending submission' },
  { keys: 'A', action: 'Accept the selected submission' },
  { keys: 'R', action: 'Reject it: then 1–9 picks the reason, type an optional comment, Enter confirms' },
  { keys: 'C', action: 'Correct it: opens the task editor with its answer (Ctrl+Enter saves)' },
  { keys: 'U / Backspace', action: 'Undo the decision on the selected submission' },
  { keys: 'Enter', action: 'Send the decisions (once every pending submission is decided)' },
  { keys: 'Esc', action: 'Close a dialog' },
  { keys: '?', action: 'Show these shortcuts' },
];

const VERDICT_LABEL: Record<Verdict, string> = { accept: 'Accept', reject: 'Reject', correct: 'Correct' };

export function ReviewScreen({ projectId }: { projectId: number }) {
  const [project, setProject] = useState<Project | null>(null);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [view, setView] = useState<ReviewQueueView | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [task, setTask] = useState<ReviewTask | null>(null);
  const [decisions, setDecisions] = useState<DecisionMap>({});
  const [sel, setSel] = useState(0);
  const [modal, setModal] = useState<Modal>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState('');
  const [banner, setBanner] = useState('');
  const [leaseLost, setLeaseLost] = useState(false);
  const [sending, setSending] = useState(false);
  const keys = useRef(new IdempotencyKeys());
  const cardRefs = useRef(new Map<number, HTMLElement>());
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refreshQueue = useCallback(() => {
    reviewApi.quality(projectId).then(
      (q) => {
        if (!live.current) return;
        setNames(new Map((q.labellers ?? []).map((l) => [l.member_id, l.display_name || l.login])));
      },
      () => {},
    );
    reviewApi.queueView(projectId).then(
      (v) => live.current && setView(v),
      () => {},
    );
  }, [projectId]);

  const claimNext = useCallback(async () => {
    setError(null);
    setLeaseLost(false);
    try {
      const t = await reviewApi.next(projectId);
      if (!live.current) return;
      setTask(t);
      setDecisions({});
      setSel(0);
      setModal(null);
      setPhase('review');
      refreshQueue();
    } catch (e) {
      if (!live.current) return;
      const err = e as ApiError;
      setTask(null);
      refreshQueue();
      if (err.code === 'no_reviews') setPhase('empty');
      else {
        setError(err);
        setPhase('error');
      }
    }
  }, [projectId, refreshQueue]);

  // Boot: the project, names and queue; resend decisions saved on this device; then a review.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      labelApi.project(projectId).then(
        (p) => !cancelled && setProject(p),
        () => {},
      );
      const saved = pendingDecisionsFor(projectId);
      if (saved.length) {
        setBanner('Sending decisions saved on this device…');
        for (const p of saved) {
          try {
            await sendDecisionsWithRetry(p, {
              send: reviewApi.decide,
              onRetry: (_e, _a, d) => !cancelled && setBanner(`Cannot reach the server. Your decisions are safe on this device; retrying in ${Math.ceil(d / 1000)} s…`),
            });
          } catch {
            // A definite refusal (lease lost, already decided): the review comes back or is done.
          }
        }
        if (!cancelled) setBanner('');
      }
      if (!cancelled) await claimNext();
    })();
    return () => {
      cancelled = true;
    };
  }, [projectId, claimNext, refreshQueue]);

  // Heartbeat every third of the lease.
  useEffect(() => {
    if (!task || phase !== 'review') return;
    const leaseMs = Math.max(15_000, Date.parse(task.lease_expires_at) - Date.now());
    const every = Math.max(5_000, Math.floor(leaseMs / 3));
    const timer = setInterval(() => {
      reviewApi.heartbeat(task.lease_token).then(
        () => live.current && setLeaseLost(false),
        (e: ApiError) => {
          if (live.current && e.code === 'lease_lost') setLeaseLost(true);
        },
      );
    }, every);
    return () => clearInterval(timer);
  }, [task, phase]);

  const pending = useMemo(() => (task ? pendingIds(task.submissions) : []), [task]);
  const selectedId = pending[sel];
  const verdicts = task ? verdictsFor(task.kind) : [];
  const ready = task ? allDecided(task.submissions, decisions) : false;
  const left = task ? undecidedIds(task.submissions, decisions).length : 0;

  // Keep the selected card focused so the keys act on what is visibly selected.
  useEffect(() => {
    if (phase !== 'review' || modal || selectedId === undefined) return;
    const el = cardRefs.current.get(selectedId);
    if (el && !el.contains(document.activeElement)) el.focus({ preventScroll: false });
  }, [selectedId, phase, modal, task?.review_id]); // eslint-disable-line react-hooks/exhaustive-deps

  const decide = useCallback(
    (id: number, d: DraftDecision | undefined) => {
      const next = { ...decisions, [id]: d };
      setDecisions(next);
      setError(null);
      if (d) {
        const i = pending.indexOf(id);
        setSel(nextUndecided(pending, next, i < 0 ? sel : i));
      }
    },
    [decisions, pending, sel],
  );

  const startVerdict = useCallback(
    (id: number | undefined, v: Verdict) => {
      if (id === undefined || !task) return;
      if (!verdicts.includes(v)) {
        setError('A dispute is accepted or rejected; it cannot be corrected. Your decision on a dispute is final.');
        return;
      }
      setSel(Math.max(0, pending.indexOf(id)));
      if (v === 'accept') decide(id, { decision: 'accept' });
      else setModal({ kind: v, id });
    },
    [task, verdicts, pending, decide],
  );

  const send = useCallback(async () => {
    if (!task || sending) return;
    if (!allDecided(task.submissions, decisions)) {
      const first = undecidedIds(task.submissions, decisions)[0];
      const n = task.submissions.findIndex((s) => s.id === first) + 1;
      setError(`Decide every pending submission first: submission ${n} has no decision yet.`);
      if (first !== undefined) setSel(pending.indexOf(first));
      return;
    }
    const list = buildDecisions(task.submissions, decisions);
    const p: PendingDecisions = {
      review_id: task.review_id,
      project_id: projectId,
      body: { lease_token: task.lease_token, idempotency_key: keys.current.keyFor(task.review_id, list), decisions: list },
      saved_at: Date.now(),
    };
    savePendingDecisions(p);
    setSending(true);
    setError(null);
    try {
      const res = await sendDecisionsWithRetry(p, {
        send: reviewApi.decide,
        onRetry: (e, _a, d) => {
          const msg = e instanceof ApiError && e.status === 0 ? 'Cannot reach the server' : 'The server is having trouble';
          if (live.current) setBanner(`${msg}. Your decisions are kept on this device and will be sent — retrying in ${Math.ceil(d / 1000)} s…`);
        },
      });
      if (!live.current) return;
      setBanner('');
      const count = (v: Verdict) => res.decided.filter((r: DecisionRecord) => r.decision === v).length;
      const parts = (['accept', 'reject', 'correct'] as Verdict[]).filter((v) => count(v) > 0).map((v) => `${count(v)} ${v === 'accept' ? 'accepted' : v === 'reject' ? 'rejected' : 'corrected'}`);
      setNotice(`Sent for item ${res.item_id}: ${parts.join(', ')}.`);
      await claimNext();
    } catch (e) {
      if (!live.current) return;
      setBanner('');
      const err = e as ApiError;
      if (err.code === 'lease_lost') setLeaseLost(true);
      else if (err.code === 'already_decided') {
        setNotice('Another reviewer already decided this item; your decisions were not needed.');
        await claimNext();
      } else setError(err);
    } finally {
      if (live.current) setSending(false);
    }
  }, [task, sending, decisions, pending, projectId, claimNext, refreshQueue]);

  const release = useCallback(async () => {
    if (task && !leaseLost) await reviewApi.release(task.lease_token).catch(() => {});
  }, [task, leaseLost]);

  // Global keys.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (modal || e.defaultPrevented || e.isComposing) return;
      if (isTypingTarget(e.target)) return;
      const act = keyAction(e);
      if (!act) return;
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (act.type === 'help') {
        e.preventDefault();
        setModal({ kind: 'help' });
        return;
      }
      if (phase !== 'review' || !task || sending) return;
      if (act.type === 'send') {
        if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || tag === 'INPUT' || tag === 'SELECT') return;
        e.preventDefault();
        void send();
      } else if (act.type === 'move') {
        e.preventDefault();
        setSel((i) => moveIndex(i, act.delta, pending.length));
      } else if (act.type === 'verdict') {
        e.preventDefault();
        startVerdict(selectedId, act.verdict);
      } else if (act.type === 'undo') {
        if (selectedId === undefined || !decisions[selectedId]) return;
        e.preventDefault();
        decide(selectedId, undefined);
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [modal, phase, task, sending, send, pending.length, startVerdict, selectedId, decisions, decide]);

  const subLabel = (_s: ReviewSubmission, i: number) => `Submission ${i + 1}`;
  const who = (s: ReviewSubmission) => names.get(s.member_id) ?? `Labeller #${s.member_id}`;
  const reasons = task?.reject_reasons ?? [];
  const count = task ? task.submissions.length + (task.gold ? 1 : 0) : 0;
  const columns = task ? [...task.submissions.map((s) => s.id), ...(task.gold ? [0] : [])] : [];
  const columnLabels = task ? [...task.submissions.map((s, i) => `${subLabel(s, i)} (${who(s)})`), ...(task.gold ? ['Expected (check item)'] : [])] : [];
  const goldKey = task?.gold ? (task.disagreement.keys ?? []).filter((k) => k.submissions.includes(0)).map((k) => k.key) : [];

  return (
    <div className="review">
      <PageHeading title={project ? `Review: ${project.name}` : 'Review'} />
      <div className="wb-bar">
        <p className="wb-progress" aria-live="polite">
          {view === null ? (
            <span className="muted">Counting the queue…</span>
          ) : (
            <>
              <strong>{Math.max(0, view.for_you - (phase === 'review' && task ? 1 : 0))}</strong> more for you in this project
              {view.not_for_you_total > 0 && ` · ${view.not_for_you_total} for other reviewers`}
            </>
          )}
        </p>
        <div className="wb-actions">
          <button type="button" className="btn btn-small" onClick={() => setModal({ kind: 'help' })}>
            Shortcuts <Kbd k="?" />
          </button>
          <Link to={`/quality/${projectId}`} className="btn btn-small">
            Quality
          </Link>
          <Link to="/review" className="btn btn-small" onClick={() => void release()}>
            Leave (hand the item back)
          </Link>
        </div>
      </div>

      {banner && (
        <div className="alert alert-warn" role="status">
          {banner}
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}
      {leaseLost && (
        <div className="alert alert-warn" role="alert">
          <strong>Your hold on this item has run out.</strong> Another reviewer may have taken it, so your decisions on it were not sent.
          <div className="wb-inline-actions">
            <button type="button" className="btn btn-small btn-primary" onClick={() => void claimNext()}>
              Get the next item
            </button>
          </div>
        </div>
      )}

      {phase === 'loading' && <p className="muted">Getting the next item to review…</p>}
      {phase === 'error' && (
        <>
          <ErrorAlert error={error} />
          <button type="button" className="btn" onClick={() => void claimNext()}>
            Try again
          </button>
        </>
      )}
      {phase === 'empty' && (
        <section className="empty-state" aria-labelledby="rv-empty">
          <h2 id="rv-empty">Nothing to review here right now</h2>
          {view && (view.not_for_you ?? []).length > 0 ? (
            <QueueWhy view={view} />
          ) : (
            <p>Every item in this project has been reviewed{view && view.held_by_others > 0 ? `, or another reviewer holds it (${view.held_by_others})` : ''}. Thank you!</p>
          )}
          <p>
            <button type="button" className="btn" onClick={() => void claimNext()}>
              Check again
            </button>{' '}
            <Link to="/review">Other projects</Link>
          </p>
        </section>
      )}

      {phase === 'review' && task && (
        <div className="card rv-item" data-review-id={task.review_id} data-item-id={task.item_id}>
          <div className="rv-item-head">
            <h2>
              Item {task.item_id}
              {task.kind === 'dispute' && <span className="tag status-disputed rv-kind">Dispute</span>}
              {task.gold && <span className="tag rv-kind">Check item</span>}
            </h2>
            <p className="muted small">
              {task.metric ? `${humanize(task.metric)} agreement ${task.agreement_bp === null ? 'n/a' : pct(task.agreement_bp)}` : null}
            </p>
          </div>
          {(task.reasons ?? []).length > 0 && (
            <ul className="rv-reasons" aria-label="Why this item is in review">
              {(task.reasons ?? []).map((r) => (
                <li key={r}>{ROUTE_REASONS[r] ?? humanize(r)}</li>
              ))}
            </ul>
          )}
          {task.kind === 'dispute' && (
            <div className="alert alert-warn rv-dispute" role="note" aria-label="Dispute">
              <p>
                <strong>The labeller disputes a rejection.</strong> Your decision here is final: accept or reject.
              </p>
              <p className="rv-quote">
                <span className="muted">Their comment: </span>
                {task.dispute_comment || '(no comment)'}
              </p>
            </div>
          )}
          <ItemView taskType={task.task_type} schema={task.schema} data={task.data} d={task.disagreement} />
          {!task.disagreement.unanimous ? (
            <p className="rv-summary">
              <strong>The answers differ.</strong> Differences are marked <span className="rv-differs">differs</span>.
            </p>
          ) : task.submissions.length > 1 ? (
            <p className="rv-summary">All answers agree.</p>
          ) : null}
          {(task.task_type === 'ranking' || task.task_type === 'rubric' || task.task_type === 'moderation') && columns.length > 1 && (
            <FieldTable taskType={task.task_type} schema={task.schema} d={task.disagreement} columns={columns} columnLabels={columnLabels} />
          )}

          <ol className="rv-subs" aria-label="Submissions">
            {task.submissions.map((s, i) => {
              const d = decisions[s.id];
              const isSel = s.id === selectedId;
              return (
                <li
                  key={s.id}
                  ref={(el) => {
                    if (el) cardRefs.current.set(s.id, el);
                    else cardRefs.current.delete(s.id);
                  }}
                  tabIndex={s.pending ? -1 : undefined}
                  className={['rv-sub', isSel ? 'rv-sub-sel' : '', s.pending ? '' : 'rv-sub-context', d ? `rv-sub-${d.decision}` : ''].filter(Boolean).join(' ')}
                  aria-current={isSel ? 'true' : undefined}
                  aria-label={`${subLabel(s, i)} by ${who(s)}${s.pending ? `: ${describeDecision(d, humanize)}` : ': already decided'}`}
                  data-submission={s.id}
                  onClick={() => s.pending && setSel(pending.indexOf(s.id))}
                >
                  <div className="rv-sub-head">
                    <h3>
                      {subLabel(s, i)} <span className="muted small">· {who(s)}</span>
                    </h3>
                    {isSel && <span className="rv-selected">Selected</span>}
                  </div>
                  <AnswerView
                    taskType={task.task_type}
                    schema={task.schema}
                    data={task.data}
                    answer={s.answer}
                    answerKey={s.key ?? []}
                    d={task.disagreement}
                    count={count}
                  />
                  {(s.decisions ?? []).length > 0 && (
                    <ul className="rv-history" aria-label="Earlier decisions">
                      {(s.decisions ?? []).map((h) => (
                        <li key={h.id}>
                          Earlier: {h.automatic ? 'automatically ' : ''}
                          {h.decision === 'accept' ? 'accepted' : h.decision === 'reject' ? 'rejected' : 'corrected'}
                          {h.reason ? ` — ${humanize(h.reason)}` : ''}
                          {h.comment ? `: “${h.comment}”` : ''}
                        </li>
                      ))}
                    </ul>
                  )}
                  {s.pending ? (
                    <>
                      <p className={`rv-decision ${d ? 'rv-decided' : ''}`} data-testid={`decision-${s.id}`}>
                        {describeDecision(d, humanize)}
                        {d?.comment ? ` — “${d.comment}”` : ''}
                      </p>
                      {d?.decision === 'correct' && (
                        <div className="rv-corrected">
                          <AnswerView
                            taskType={task.task_type}
                            schema={task.schema}
                            data={task.data}
                            answer={d.corrected_answer}
                            answerKey={[]}
                            d={{ unanimous: true, keys: [], differing: [] }}
                            count={1}
                          />
                        </div>
                      )}
                      <div className="rv-buttons" role="group" aria-label={`Decide ${subLabel(s, i)}`}>
                        {verdicts.map((v) => (
                          <button
                            key={v}
                            type="button"
                            className={`btn btn-small ${d?.decision === v ? 'btn-primary' : ''}`}
                            aria-pressed={d?.decision === v}
                            disabled={sending}
                            onClick={(e) => {
                              e.stopPropagation();
                              startVerdict(s.id, v);
                            }}
                          >
                            {VERDICT_LABEL[v]} <Kbd k={v.charAt(0)} />
                          </button>
                        ))}
                        {d && (
                          <button type="button" className="btn btn-small" disabled={sending} onClick={(e) => {
                            e.stopPropagation();
                            decide(s.id, undefined);
                          }}>
                            Undo <Kbd k="u" />
                          </button>
                        )}
                      </div>
                    </>
                  ) : (
                    <p className="muted small">Already {s.status} — shown for context.</p>
                  )}
                </li>
              );
            })}
            {task.gold && (
              <li className="rv-sub rv-sub-context rv-gold">
                <div className="rv-sub-head">
                  <h3>Expected answer (check item)</h3>
                </div>
                <AnswerView taskType={task.task_type} schema={task.schema} data={task.data} answer={task.gold} answerKey={goldKey} d={task.disagreement} count={count} />
              </li>
            )}
          </ol>

          <ErrorAlert error={error} />
          <div className="rv-send">
            <p aria-live="polite" className="rv-left">
              {ready ? 'Every pending submission is decided.' : `${left} of ${pending.length} still to decide.`}
            </p>
            <button type="button" className="btn btn-primary" disabled={!ready || sending} onClick={() => void send()}>
              {sending ? 'Sending…' : 'Send decisions'} <Kbd k="Enter" />
            </button>
          </div>
        </div>
      )}

      {modal?.kind === 'help' && (
        <Dialog title="Review shortcuts" onClose={() => setModal(null)}>
          <table className="table shortcuts">
            <thead>
              <tr>
                <th scope="col">Keys</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <td>
                    <kbd className="kbd">{s.keys}</kbd>
                  </td>
                  <td>{s.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="btn" onClick={() => setModal(null)}>
            Close
          </button>
        </Dialog>
      )}
      {modal?.kind === 'reject' && task && (
        <RejectDialog
          title={`Reject submission ${task.submissions.findIndex((s) => s.id === modal.id) + 1}`}
          reasons={reasons}
          initial={decisions[modal.id]}
          final={task.kind === 'dispute'}
          onCancel={() => setModal(null)}
          onDone={(reason, comment) => {
            setModal(null);
            decide(modal.id, { decision: 'reject', reason, comment });
          }}
        />
      )}
      {modal?.kind === 'correct' && task && (
        <CorrectDialog
          task={task}
          sub={task.submissions.find((s) => s.id === modal.id)!}
          initial={decisions[modal.id]}
          onCancel={() => setModal(null)}
          onDone={(answer, comment) => {
            setModal(null);
            decide(modal.id, { decision: 'correct', corrected_answer: answer, comment });
          }}
        />
      )}
    </div>
  );
}

// ---------------------------------------------------------------- dialogs

export function RejectDialog({
  title,
  reasons,
  initial,
  final,
  onCancel,
  onDone,
}: {
  title: string;
  reasons: string[];
  initial?: DraftDecision;
  final?: boolean;
  onCancel: () => void;
  onDone: (reason: string, comment: string) => void;
}) {
  const [reason, setReason] = useState(initial?.decision === 'reject' ? initial.reason : '');
  const [comment, setComment] = useState(initial?.comment ?? '');
  const [problem, setProblem] = useState('');
  const commentRef = useRef<HTMLInputElement>(null);
  function confirm() {
    if (!reason) {
      setProblem(`Pick a reason first (press 1${reasons.length > 1 ? `–${Math.min(9, reasons.length)}` : ''}).`);
      return;
    }
    onDone(reason, comment.trim());
  }
  function onKeyDown(e: RKeyboardEvent<HTMLDivElement>) {
    const typing = isTypingTarget(e.target);
    if (e.key === 'Enter' && !e.shiftKey && (e.target as HTMLElement).tagName !== 'BUTTON') {
      e.preventDefault();
      confirm();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const r = reasonForKey(e.key, reasons);
    if (r) {
      e.preventDefault();
      setReason(r);
      setProblem('');
      commentRef.current?.focus();
    }
  }
  return (
    <Dialog title={title} onClose={onCancel}>
      <div className="rv-reject" onKeyDown={onKeyDown}>
        {final && <p className="alert alert-warn">This rejection is final: the labeller cannot dispute it again.</p>}
        <fieldset className="choices">
          <legend>Reason (press its number)</legend>
          {reasons.map((r, i) => (
            <label key={r} className={`choice ${reason === r ? 'choice-on' : ''}`}>
              <input
                type="radio"
                name="reject-reason"
                value={r}
                checked={reason === r}
                data-autofocus={i === 0 ? true : undefined}
                onChange={() => {
                  setReason(r);
                  setProblem('');
                }}
              />
              <span className="choice-text">{humanize(r)}</span>
              {i < 9 && <Kbd k={String(i + 1)} />}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="reject-comment">Comment for the labeller (optional)</label>
          <input id="reject-comment" ref={commentRef} value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
          <p className="hint">Be specific and kind: they will read it in My work. Enter confirms; Esc goes back.</p>
        </div>
        {problem && (
          <p className="alert alert-error" role="alert">
            {problem}
          </p>
        )}
        <div className="task-actions">
          <button type="button" className="btn btn-primary" onClick={confirm}>
            Reject <Kbd k="Enter" />
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function CorrectDialog({
  task,
  sub,
  initial,
  onCancel,
  onDone,
}: {
  task: ReviewTask;
  sub: ReviewSubmission;
  initial?: DraftDecision;
  onCancel: () => void;
  onDone: (answer: Answer, comment: string) => void;
}) {
  const { mod, error: loadError } = useEditorModule(task.task_type);
  const seed = () => (initial?.decision === 'correct' ? initial.corrected_answer : sub.answer) ?? {};
  const [answer, setAnswer] = useState<Answer | null>(() => (mod ? mod.from(task.schema, task.data, { memberId: sub.member_id, itemId: task.item_id }, seed()) : null));
  const [comment, setComment] = useState(initial?.comment ?? '');
  const [problem, setProblem] = useState('');
  const keyRef = useRef<KeyHandler | null>(null);
  const editorRef = useRef<HTMLDivElement>(null);
  const shown = !!(mod && answer);
  useEffect(() => {
    if (mod && answer === null) setAnswer(mod.from(task.schema, task.data, { memberId: sub.member_id, itemId: task.item_id }, seed()));
  }); // eslint-disable-line react-hooks/exhaustive-deps
  // Once the editor is on screen, put the focus in it before anything can be typed:
  // a layout effect runs before the browser handles the next key, where a frame later
  // the first keys went to the comment box.
  useLayoutEffect(() => {
    if (!shown) return;
    const el = editorRef.current;
    (el?.querySelector<HTMLElement>('[data-autofocus]') ?? el)?.focus();
  }, [shown]);
  function save() {
    if (!mod || !answer) return;
    const p = mod.validate(task.schema, task.data, answer);
    if (p) {
      setProblem(p);
      return;
    }
    onDone(mod.toAnswer(task.schema, task.data, answer), comment.trim());
  }
  function onKeyDown(e: RKeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
      return;
    }
    if (isTypingTarget(e.target)) return;
    const tag = (e.target as HTMLElement).tagName;
    if (e.key === 'Enter' && !e.shiftKey) {
      if (tag === 'BUTTON' || tag === 'A') return;
      e.preventDefault();
      save();
      return;
    }
    if (keyRef.current?.(e.nativeEvent)) {
      e.preventDefault();
      setProblem('');
    }
  }
  return (
    <Dialog title={`Correct submission ${task.submissions.findIndex((s) => s.id === sub.id) + 1}`} onClose={onCancel}>
      <div className="rv-correct" onKeyDown={onKeyDown}>
        <p className="hint">Fix the answer with the task's own keys; your answer is checked like a submission. Enter (Ctrl+Enter in a text box) saves; Esc cancels.</p>
        <ErrorAlert error={loadError ? 'The editor could not be loaded. Reload the page and try again.' : null} />
        {!mod && !loadError && <p className="muted">Loading the editor…</p>}
        {mod && answer && (
          <div className="task-editor" tabIndex={-1} ref={editorRef} role="group" aria-label="Corrected answer">
            <TaskEditor mod={mod} schema={task.schema} data={task.data} answer={answer} onChange={(a) => {
              setAnswer(a);
              setProblem('');
            }} keyRef={keyRef} />
          </div>
        )}
        <div className="field">
          <label htmlFor="correct-comment">Comment for the labeller (optional)</label>
          <input id="correct-comment" value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
        </div>
        {problem && (
          <p className="alert alert-error" role="alert">
            {problem}
          </p>
        )}
        <div className="task-actions">
          <button type="button" className="btn btn-primary" disabled={!answer} onClick={save}>
            Use this correction <Kbd k="Enter" />
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

