// My statement for one model and period: opening, movements by kind, closing,
// with "opening + movements = closing" checked here too, every line drilling
// down to the contribution that caused it; CSV download and print to PDF.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, PAGE_MAX, type Page } from '../api';
import { useSession } from '../auth';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, formatDate } from '../ui';
import { useChannel } from '../live/live';
import { labelApi } from '../labeling/api';
import type { MySubmission } from '../labeling/types';
import { equityApi, statementPath, type Statement, type StatementLine } from './api';
import { fmtAmount, isZero, signedAmount } from './decimal';
import { checkStatement, describeLine, TOTAL_ROWS } from './shape';
import { EquityTabs, HeadHash, positiveInt, useModels, useQuery } from './common';
import { LineProofTag } from './roll/RollStatus';
import { DetailsToggle, GroupedLines, GroupingPicker, Units } from './StatementRows';
import { groupingOf, type StatementGrouping } from './statementRows';

/** "2026-01-31" (inclusive end date) → the next day, the server's exclusive end. */
export function dayAfter(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return day;
  return new Date(t + 86_400_000).toISOString().slice(0, 10);
}

export function dayBefore(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t - 1).toISOString().slice(0, 10);
}

export function StatementPage() {
  const { me } = useSession();
  const { models } = useModels();
  const [q, setQ] = useQuery();
  const modelId = positiveInt(q.get('model')) ?? models?.[0]?.id ?? null;
  const from = q.get('from') ?? '';
  const until = q.get('until') ?? '';
  const member = me?.roles.includes('coordinator') ? positiveInt(q.get('member')) : null;
  const [st, setSt] = useState<Statement | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const query = { from: from || undefined, to: until ? dayAfter(until) : undefined, member: member ?? undefined };
  const qkey = JSON.stringify([modelId, query]);

  const load = useCallback(() => {
    if (modelId === null) return;
    setLoading(true);
    const [m, qq] = JSON.parse(qkey) as [number, typeof query];
    equityApi.statement(m, qq).then(
      (s) => {
        if (!alive.current) return;
        setSt(s);
        setError(null);
        setLoading(false);
      },
      (e) => {
        if (!alive.current) return;
        setError(e as ApiError);
        setSt(null);
        setLoading(false);
      },
    );
  }, [qkey, modelId]);
  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  const later = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(load, 200);
  };
  useChannel(me ? `member:${me.id}` : null, (e) => e.type.startsWith('equity.') && later(), { onReset: load });
  useChannel('coop', (e) => e.type.startsWith('equity.') && later(), { onReset: load });

  const modelName = models?.find((m) => m.id === modelId)?.name ?? (modelId ? `Model ${modelId}` : '');
  return (
    <>
      <PageHeading title="Statement" lead="Every movement of your units in one model over a period, each with the contribution that caused it." />
      <EquityTabs current="statement" />
      <StatementForm
        models={models ?? []}
        modelId={modelId}
        from={from}
        until={until}
        member={member}
        coordinator={!!me?.roles.includes('coordinator')}
        onChange={(v) => setQ(v)}
      />
      <ErrorAlert error={error} />
      {loading && !st && <p className="muted">Loading the statement…</p>}
      {models && models.length === 0 && <p className="muted">The co-op has no models yet.</p>}
      {st && modelId !== null && (
        <StatementView st={st} modelName={modelName} csvHref={statementPath(modelId, query, true)} grouping={groupingOf(q.get('view'))} onGrouping={(g) => setQ({ view: g === 'item' ? null : g })} />
      )}
    </>
  );
}

function StatementForm({
  models,
  modelId,
  from,
  until,
  member,
  coordinator,
  onChange,
}: {
  models: { id: number; name: string }[];
  modelId: number | null;
  from: string;
  until: string;
  member: number | null;
  coordinator: boolean;
  onChange: (v: Record<string, string | null>) => void;
}) {
  const [m, setM] = useState(modelId ? String(modelId) : '');
  const [f, setF] = useState(from);
  const [u, setU] = useState(until);
  const [who, setWho] = useState(member ? String(member) : '');
  useEffect(() => setM(modelId ? String(modelId) : ''), [modelId]);
  function submit(e: FormEvent) {
    e.preventDefault();
    onChange({ model: m, from: f, until: u, member: coordinator ? who.trim() : null });
  }
  return (
    <form className="inline-form eq-period no-print" onSubmit={submit} aria-label="Choose the statement">
      <div className="field">
        <label htmlFor="st-model">Model</label>
        <select id="st-model" value={m} onChange={(e) => setM(e.target.value)}>
          {models.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="st-from">From (UTC)</label>
        <input id="st-from" type="date" value={f} onChange={(e) => setF(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="st-until">Until, inclusive (UTC)</label>
        <input id="st-until" type="date" value={u} onChange={(e) => setU(e.target.value)} />
      </div>
      {coordinator && (
        <div className="field">
          <label htmlFor="st-member">Member number (coordinators)</label>
          <input id="st-member" inputMode="numeric" value={who} onChange={(e) => setWho(e.target.value)} placeholder="me" />
        </div>
      )}
      <button type="submit" className="btn btn-primary">
        Show statement
      </button>
    </form>
  );
}

export function StatementView({
  st,
  modelName,
  csvHref,
  grouping = 'item',
  onGrouping,
}: {
  st: Statement;
  modelName: string;
  csvHref: string;
  grouping?: StatementGrouping;
  onGrouping?: (g: StatementGrouping) => void;
}) {
  const check = checkStatement(st);
  const lines = st.lines ?? [];
  const payouts = st.payouts ?? [];
  const openedAt = st.from.startsWith('1970-01-01') ? 'the start' : formatDate(st.from);
  return (
    <article className="statement" aria-labelledby="st-title">
      <header className="st-head">
        <h2 id="st-title">
          {modelName} <span className="muted">· member {st.member_id}</span>
        </h2>
        <p className="muted">
          Period: from {openedAt} until {dayBefore(st.to)} (UTC, inclusive). Units show two decimals; hover for all six.
        </p>
        <div className="task-actions no-print">
          <a className="btn" href={csvHref} download>
            Download CSV
          </a>
          <button type="button" className="btn" onClick={() => window.print()}>
            Print or save as PDF
          </button>
        </div>
      </header>

      <section aria-labelledby="st-summary">
        <h3 id="st-summary">Summary</h3>
        <div className="table-wrap">
          <table className="table eq-table st-summary">
            <caption className="visually-hidden">Opening, movements and closing holding</caption>
            <tbody>
              <tr className="st-strong">
                <th scope="row">Opening holding</th>
                <td className="num mono">
                  <Units value={st.opening} signed={false} testId="st-opening" />
                </td>
              </tr>
              {TOTAL_ROWS.map((r) => {
                const v = st.totals?.[r.key] ?? '0.000000';
                return (
                  <tr key={r.key} className={isZero(v) ? 'st-zero' : undefined}>
                    <th scope="row">{r.label}</th>
                    <td className="num mono">
                      <Units value={v} testId={`st-total-${r.key}`} />
                    </td>
                  </tr>
                );
              })}
              <tr>
                <th scope="row">Net movements</th>
                <td className="num mono">
                  <Units value={check.movements} />
                </td>
              </tr>
              <tr className="st-strong">
                <th scope="row">Closing holding</th>
                <td className="num mono">
                  <Units value={st.closing} signed={false} testId="st-closing" />
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <p className={check.balanced ? 'st-check st-ok' : 'st-check st-bad'} data-testid="st-check">
          Opening {fmtAmount(check.opening)} + movements {signedAmount(check.movements)} = closing {fmtAmount(check.computed)}{' '}
          {check.balanced ? '✓ matches the register' : `✗ the register says ${fmtAmount(check.closing)}`}
        </p>
        <p className="small">
          Awaiting review: {fmtAmount(st.pending_opening)} at the start, {fmtAmount(st.pending_closing)} at the end
          {!check.pendingBalanced && <strong> (does not add up)</strong>}.
        </p>
      </section>

      {payouts.length > 0 && (
        <section aria-labelledby="st-payouts">
          <h3 id="st-payouts">Payouts</h3>
          <ul className="plain-list">
            {payouts.map((p) => (
              <li key={p.tx_id}>
                {formatDate(p.at)}: <strong className="mono">{fmtAmount(p.amount)}</strong> {p.currency} <span className="muted small">(transaction {p.tx_id})</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="st-lines">
        <h3 id="st-lines">Movements</h3>
        {onGrouping && lines.length > 0 && <GroupingPicker value={grouping} onChange={onGrouping} />}
        {lines.length === 0 ? (
          <p className="muted">No movements in this period.</p>
        ) : grouping !== 'entry' ? (
          <GroupedLines lines={lines} by={grouping} details={(l) => <Contribution line={l} />} />
        ) : (
          <div className="table-wrap">
            <table className="table eq-table st-lines">
              <caption className="visually-hidden">Every movement in the period, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col" className="num">
                    Units
                  </th>
                  <th scope="col">Caused by</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l, i) => (
                  <LineRow key={`${l.tx_id}-${i}`} line={l} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <HeadHash seq={st.head_seq} hash={st.head_hash} />
    </article>
  );
}

function causeText(l: StatementLine): string {
  const c = l.cause ?? {};
  const parts: string[] = [];
  if (c.submission_id) parts.push(`submission ${c.submission_id}`);
  if (c.item_id) parts.push(`item ${c.item_id}`);
  if (c.review_id) parts.push(`review ${c.review_id}`);
  if (c.project_id) parts.push(`project ${c.project_id}`);
  return parts.length ? parts.join(' · ') : `transaction ${l.tx_id}`;
}

function LineRow({ line }: { line: StatementLine }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const c = line.cause ?? {};
  const drill = !!c.submission_id;
  return (
    <>
      <tr className={line.book === 'pending' ? 'st-pending' : undefined} data-testid={`line-${line.tx_id}`}>
        <td className="nowrap">{formatDate(line.at)}</td>
        <td>
          {describeLine(line)}
          {line.book === 'pending' && <span className="tag st-tag">awaiting review</span>}
          <LineProofTag index={line.register_index} txId={line.tx_id} />
        </td>
        <td className="num mono">{signedAmount(line.amount)}</td>
        <td>
          <span className="small">{causeText(line)}</span>
          {drill && (
            <>
              {' '}
              <DetailsToggle open={open} onToggle={() => setOpen((o) => !o)} controls={`${id}-d`} submission={c.submission_id ?? 0} />
            </>
          )}
        </td>
      </tr>
      {drill && open && (
        <tr className="st-drill no-print">
          <td colSpan={4} id={`${id}-d`}>
            <Contribution line={line} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Finds one of my submissions by id, paging through My work (newest first). */
async function findMySubmission(projectId: number | undefined, id: number): Promise<MySubmission | null> {
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const subs: Page<MySubmission> = await labelApi.mySubmissions({ project_id: projectId, limit: PAGE_MAX, cursor });
    const hit = subs.items.find((s) => s.id === id);
    if (hit) return hit;
    const oldest = subs.items[subs.items.length - 1];
    if (!subs.next_cursor || !oldest || oldest.id <= id) return null;
    cursor = subs.next_cursor;
  }
  return null;
}

const STATUS_TEXT: Record<string, string> = {
  submitted: 'Waiting for review',
  accepted: 'Accepted',
  rejected: 'Rejected',
  corrected: 'Corrected by a reviewer',
  disputed: 'Disputed',
};

function Contribution({ line }: { line: StatementLine }) {
  const { me } = useSession();
  const c = line.cause ?? {};
  const mine = line.category !== 'review' && !!me?.roles.includes('labeller');
  const [sub, setSub] = useState<MySubmission | null | undefined>(mine ? undefined : null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!mine || !c.submission_id) return;
    let live = true;
    findMySubmission(c.project_id, c.submission_id).then(
      (s) => live && setSub(s),
      (e) => live && setError(e as ApiError),
    );
    return () => {
      live = false;
    };
  }, [mine, c.project_id, c.submission_id]);
  return (
    <div className="st-contribution" data-testid={`contribution-${c.submission_id}`}>
      <dl className="facts">
        <dt>Submission</dt>
        <dd className="mono">{c.submission_id}</dd>
        {c.item_id ? (
          <>
            <dt>Item</dt>
            <dd className="mono">{c.item_id}</dd>
          </>
        ) : null}
        {c.review_id ? (
          <>
            <dt>Review</dt>
            <dd className="mono">{c.review_id}</dd>
          </>
        ) : null}
        {sub && (
          <>
            <dt>Project</dt>
            <dd>{sub.project_name}</dd>
            <dt>Status</dt>
            <dd data-testid="contribution-status">{STATUS_TEXT[sub.status] ?? sub.status}</dd>
            <dt>Submitted</dt>
            <dd>{formatDate(sub.created_at)}</dd>
          </>
        )}
        <dt>Ledger entry</dt>
        <dd className="mono small">
          transaction {line.tx_id} · {line.idempotency_key}
        </dd>
      </dl>
      <ErrorAlert error={error} />
      {sub === undefined && !error && <p className="muted small">Looking up the submission…</p>}
      {sub && (
        <>
          <h4 className="item-label">Your answer</h4>
          <pre className="answer-pre">{JSON.stringify(sub.answer, null, 2)}</pre>
        </>
      )}
      {line.category === 'review' && <p className="small">Credited for your review decision on this submission.</p>}
      {mine && (
        <p className="small">
          <Link to="/work/mine">Open My work</Link> to see all your submissions and their reviews.
        </p>
      )}
    </div>
  );
}
