// My work as a table: one row per submission (date, project and item, the
// item's text, the answer in one line, status with the reason, units), each
// row opening to the full detail: the item and answer as given, the review,
// the correction and its diff, the dispute history and form, amending.
import type { KeyboardEvent, ReactNode } from 'react';
import { formatDate } from '../ui';
import { humanize } from '../review/api';
import { DisputeForm } from '../review/DisputeForm';
import { isZero } from '../equity/decimal';
import { Units } from '../equity/StatementRows';
import { DiffView } from './editors/Rewrite';
import { answerSummary, itemSummary } from './answerSummary';
import { MyWorkAnswer } from './MyWorkAnswer';
import { Amend } from './MyWorkAmend';
import type { Answer, MySubmission, Project, TaskType } from './types';

/** One step of a submission's review: a decision, or the labeller's dispute. */
export interface HistoryStep {
  kind: 'decision' | 'dispute';
  decision?: 'accept' | 'reject' | 'correct';
  reason?: string;
  comment?: string;
  final?: boolean;
  automatic?: boolean;
  at: string;
}

/** A submission with its latest review outcome and its history (docs/WORK.md, "My work"). */
export type Outcome = Omit<MySubmission, 'status'> & {
  status: MySubmission['status'] | 'disputed';
  review_comment?: string | null;
  decision_final?: boolean;
  history?: HistoryStep[];
};

const VERB: Record<string, string> = { accept: 'Accepted', reject: 'Rejected', correct: 'Corrected' };

export const STATUS_LABEL: Record<string, string> = {
  submitted: 'Waiting for review',
  accepted: 'Accepted',
  rejected: 'Rejected',
  corrected: 'Corrected by a reviewer',
  disputed: 'Disputed — waiting for a final decision',
};

/** The ids of open rows with id opened or closed. */
export function toggled(open: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(open);
  if (!next.delete(id)) next.add(id);
  return next;
}

export function pretty(a: unknown): string {
  if (a && typeof a === 'object' && 'text' in a && typeof (a as { text: unknown }).text === 'string' && Object.keys(a).length === 1) return (a as { text: string }).text;
  return JSON.stringify(a, null, 2);
}

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

/** J and K on a row's disclosure button move to the next or previous row's (nowhere else: typing stays typing). */
function moveBetweenRows(e: KeyboardEvent<HTMLTableElement>) {
  const t = e.target as HTMLElement;
  if (!t.classList.contains('mw-disclose') || e.altKey || e.ctrlKey || e.metaKey) return;
  const dir = e.key === 'j' || e.key === 'J' ? 1 : e.key === 'k' || e.key === 'K' ? -1 : 0;
  if (!dir) return;
  const all = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button.mw-disclose')];
  const next = all[all.indexOf(t as HTMLButtonElement) + dir];
  if (next) {
    e.preventDefault();
    next.focus();
  }
}

const COLUMNS = ['Submitted', 'Project · item', 'Item', 'Your answer', 'Status', 'Units'];

/** The table of submissions; detail(s) renders an open row's detail. */
export function MyWorkTable({
  subs,
  viewOf,
  open,
  onToggle,
  detail,
}: {
  subs: Outcome[];
  viewOf: (s: Outcome) => Project | undefined;
  open: ReadonlySet<number>;
  onToggle: (id: number) => void;
  detail: (s: Outcome) => ReactNode;
}) {
  return (
    <table className="table mw-table" aria-label="My submissions" onKeyDown={moveBetweenRows}>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Details</span>
          </th>
          {COLUMNS.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      {subs.map((s) => {
        const view = viewOf(s);
        const schema = view?.schema ?? {};
        const name = `${s.project_name} · item ${s.item_id}`;
        const isOpen = open.has(s.id);
        return (
          <tbody key={s.id} className={`sub${isOpen ? ' sub-open' : ''}`}>
            <tr className="sub-row">
              <td className="mw-toggle">
                <button type="button" className="btn btn-small mw-disclose" aria-expanded={isOpen} aria-controls={`sub-detail-${s.id}`} onClick={() => onToggle(s.id)}>
                  <span aria-hidden="true">{isOpen ? '▾' : '▸'}</span>
                  <span className="visually-hidden">
                    {isOpen ? 'Hide' : 'Show'} details of {name}
                  </span>
                </button>
              </td>
              <td data-label="Submitted" className="mw-date">
                {formatDate(s.created_at)}
                {s.revisions > 1 && <span className="muted small"> · amended {s.revisions - 1 === 1 ? 'once' : `${s.revisions - 1} times`}</span>}
              </td>
              <th scope="row" data-label="Project · item">
                {name}
              </th>
              <td data-label="Item" className="mw-clip">
                {itemSummary(s.task_type as TaskType, schema, s.data)}
              </td>
              <td data-label="Your answer" className="mw-clip mw-summary">
                {answerSummary(s.task_type as TaskType, schema, s.data, s.answer)}
              </td>
              <td data-label="Status">
                <span className={`tag status-${s.status}`}>{STATUS_LABEL[s.status] ?? s.status}</span>
                {s.reason && (s.status === 'rejected' || s.status === 'disputed') && <span className="mw-reason small"> {humanize(s.reason)}</span>}
              </td>
              <td data-label="Units">{s.units !== undefined ? <EarnedUnits units={s.units} pending={s.units_pending ?? '0'} id={s.id} /> : '—'}</td>
            </tr>
            {isOpen && (
              <tr className="sub-detail" id={`sub-detail-${s.id}`}>
                <td colSpan={COLUMNS.length + 1}>
                  <section aria-label={`Details of ${name}`}>{detail(s)}</section>
                </td>
              </tr>
            )}
          </tbody>
        );
      })}
    </table>
  );
}

/** An open row: everything the review said, the answer as given, and what can still be done. */
export function Detail({
  s,
  view,
  editing,
  onEdit,
  onAmended,
  onDisputed,
}: {
  s: Outcome;
  view: Project | undefined;
  editing: boolean;
  onEdit: () => void;
  onAmended: (a: Answer | null) => void;
  onDisputed: (comment: string) => void;
}) {
  return (
    <div className="mw-detail">
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
            <DisputeForm submissionId={s.id} onDisputed={onDisputed} />
          )}
        </div>
      )}
      {(s.history?.length ?? 0) > 1 && <History steps={s.history ?? []} />}
      {(s.status === 'accepted' || s.status === 'corrected') && s.review_comment && (
        <p className="outcome-comment">
          <strong>Reviewer’s comment:</strong> {s.review_comment}
        </p>
      )}
      {editing ? (
        <Amend sub={s as MySubmission} onDone={onAmended} />
      ) : (
        <>
          {view ? (
            <MyWorkAnswer label="Your answer" taskType={view.task_type} schema={view.schema} data={s.data} answer={s.answer} />
          ) : (
            <>
              <h3 className="item-label">Your answer</h3>
              <pre className="answer-pre">{pretty(s.answer)}</pre>
            </>
          )}
          {s.status === 'corrected' && s.corrected_answer && (
            <>
              {view && <MyWorkAnswer item={false} label="The reviewer’s answer" taskType={s.task_type as TaskType} schema={view.schema} data={s.data} answer={s.corrected_answer} />}
              <DiffView label="Reviewer’s correction (your answer → theirs)" before={pretty(s.answer)} after={pretty(s.corrected_answer)} />
            </>
          )}
          {s.status === 'submitted' && (
            <button type="button" className="btn btn-small" onClick={onEdit}>
              Reopen and amend
            </button>
          )}
        </>
      )}
    </div>
  );
}
