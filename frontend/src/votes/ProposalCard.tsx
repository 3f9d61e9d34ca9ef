// One proposal: what it changes (the rule in force against the proposed
// one), why, its preview chart, the deadline, the turnout against the
// quorum, and the member's vote; or, once closed, its tally and what was
// executed. Every text from members (title, reason, motion) is rendered as
// React text or through the untrusted-markdown renderer, never as HTML.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import { Markdown } from '../labeling/markdown';
import { Link } from '../router';
import { formatDate } from '../ui';
import { votesApi, type Preview, type Proposal, type VoteResult } from './api';
import { closingSoon, KIND_SHORT, ruleRows, statusClass, statusText, tallyText, untilText, type Names } from './format';
import { H } from './Heading';
import { PreviewChart } from './PreviewChart';
import { VoteBox } from './VoteBox';

export function RuleTable({ p, names, level }: { p: Proposal; names?: Names; level: number }) {
  const rows = ruleRows(p.kind, p.change, p.current, names);
  if (rows.length === 0) return null;
  if (p.kind === 'motion') {
    return (
      <div className="vt-motion">
        <H level={level}>The motion</H>
        <Markdown source={String((p.change as { text?: string }).text ?? '')} className="markdown" />
      </div>
    );
  }
  const hasCurrent = !!p.current;
  const open = p.status === 'open' || p.status === 'seeking_sponsors';
  const mono = (t: string) => ['bp', 'units', 'amount', 'count', 'hours', 'date', 'currency'].includes(t);
  return (
    <div className="table-wrap">
      <table className="table vt-rule" data-testid={`rule-${p.id}`}>
        <caption>The rule it changes</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            {hasCurrent && <th scope="col">{open ? 'In force now' : 'Before'}</th>}
            <th scope="col">Proposed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={hasCurrent && r.changed ? 'vt-changed' : undefined}>
              <th scope="row">
                {r.label}
                {hasCurrent && r.changed && <span className="visually-hidden"> (changed)</span>}
              </th>
              {hasCurrent && <td className={mono(r.type) ? 'mono' : undefined}>{r.current}</td>}
              <td className={mono(r.type) ? 'mono' : undefined}>
                {r.type === 'longtext' ? <Markdown source={r.proposed === '—' ? '' : r.proposed} className="markdown" /> : r.proposed}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Turnout({ p }: { p: Proposal }) {
  const needed = p.quorum_needed ?? 0;
  const met = p.voted >= needed;
  const w = 200;
  const x = (n: number) => (p.eligible > 0 ? Math.min(w, (n / p.eligible) * w) : 0);
  return (
    <div className="vt-turnout">
      <p data-testid={`turnout-${p.id}`}>
        <strong>{p.voted}</strong> of {p.eligible} eligible member{p.eligible === 1 ? ' has' : 's have'} voted · quorum {needed}:{' '}
        {met ? <span className="vt-met">reached</span> : <span>{needed - p.voted} more needed</span>}
      </p>
      <svg viewBox={`0 0 ${w + 2} 16`} className="vt-turnout-svg" aria-hidden="true">
        <rect x={1} y={3} width={w} height={10} className="vt-bar-track" />
        <rect x={1} y={3} width={x(p.voted)} height={10} className="vt-bar-new" />
        <line x1={1 + x(needed)} x2={1 + x(needed)} y1={0} y2={16} className="vt-quorum-tick" />
      </svg>
    </div>
  );
}

export function Outcome({ p }: { p: Proposal }) {
  if (p.status === 'withdrawn') return <p className="muted">Withdrawn by the proposer before anyone voted.</p>;
  const t = p.tally;
  return (
    <div className="vt-outcome" data-testid={`outcome-${p.id}`}>
      {t ? (
        <p>
          <strong>{statusText(p)}</strong> — {tallyText(t)}; {t.yes + t.no + t.abstain} of {t.eligible} eligible voted (quorum {t.quorum_met ? 'met' : 'not met'}).
        </p>
      ) : (
        <p>
          <strong>{statusText(p)}</strong>
        </p>
      )}
      {p.closed_at && <p className="small muted">Closed {formatDate(p.closed_at)}.</p>}
      {p.executed && (
        <p className="small" data-testid={`executed-${p.id}`}>
          Executed: new {KIND_SHORT[p.executed.what]?.toLowerCase() ?? p.executed.what} version {p.executed.version}, {formatDate(p.executed.at)}.
        </p>
      )}
      {p.status === 'passed_not_executable' && (
        <p className="alert alert-warn">
          Passed, but it could not be executed{p.execution_error ? `: ${p.execution_error}` : '.'} Nothing of it was applied.
        </p>
      )}
    </div>
  );
}

export interface ProposalCardProps {
  p: Proposal;
  memberId: number;
  secret: boolean;
  /** The title's heading level, or 0 when the page's h1 is the title. */
  level: number;
  names?: Names;
  /** Sponsors the constitution asks for. */
  cosponsorsNeeded?: number;
  onVoted: (id: number, r: VoteResult, wasVoted: boolean) => void;
  onClosed?: (id: number) => void;
  onChanged?: (p: Proposal) => void;
  /** y / n / a anywhere on the page (the proposal's own page). */
  pageKeys?: boolean;
  /** Fetch and show the preview chart (open proposals). */
  withPreview?: boolean;
  soon?: boolean;
}

export function ProposalCard({ p, memberId, secret, level, names, cosponsorsNeeded, onVoted, onClosed, onChanged, pageKeys, withPreview = true, soon }: ProposalCardProps) {
  const ref = useRef<HTMLElement>(null);
  const sub = level === 0 ? 2 : level + 1;
  const titleId = `p-${p.id}-h`;
  const open = p.status === 'open';
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [sponsorError, setSponsorError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!withPreview) return;
    let live = true;
    votesApi.preview(p.id).then(
      (x) => live && setPreview(x),
      (e) => live && setPreviewError(e as ApiError),
    );
    return () => {
      live = false;
    };
    // The preview changes when the proposal is amended (the period restarts).
  }, [p.id, p.opened_at, withPreview]);

  async function sponsor() {
    setBusy(true);
    setSponsorError(null);
    try {
      onChanged?.(await votesApi.sponsor(p.id));
    } catch (e) {
      setSponsorError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article ref={ref} className="card vt-card" aria-labelledby={level === 0 ? undefined : titleId} aria-label={level === 0 ? 'The proposal' : undefined} data-testid={`proposal-${p.id}`}>
      {level > 0 && (
        <H level={level} id={titleId} className="vt-title">
          <Link to={`/votes/${p.id}`}>{p.title}</Link>
        </H>
      )}
      <p className="small muted vt-meta">
        <span className={`tag ${statusClass(p.status)}`}>{statusText(p)}</span> #{p.id} · {KIND_SHORT[p.kind] ?? p.kind} · {p.special ? 'special resolution' : 'ordinary resolution'} · proposed
        by {p.proposer?.name ?? 'a member'}
        {(soon || (open && closingSoon(p.closes_at))) && <span className="tag status-paused vt-soon">Closes soon</span>}
      </p>
      <div className="vt-reason">
        <Markdown source={p.reason} className="markdown" />
      </div>
      <RuleTable p={p} names={names} level={sub} />
      {p.status === 'seeking_sponsors' && (
        <div className="vt-sponsors">
          <p>
            This proposal opens for voting when {cosponsorsNeeded ?? 'enough'} member{cosponsorsNeeded === 1 ? '' : 's'} co-sponsor it; it has {p.sponsors}.
          </p>
          {p.proposer?.id !== memberId && (
            <button type="button" className="btn" disabled={busy} onClick={() => void sponsor()}>
              Co-sponsor this proposal
            </button>
          )}
          {sponsorError && (
            <div className="alert alert-error" role="alert">
              {sponsorError.message}
            </div>
          )}
        </div>
      )}
      {open && (
        <>
          <p className="vt-deadline">
            Voting closes <time dateTime={p.closes_at ?? undefined}>{formatDate(p.closes_at)}</time> ({untilText(p.closes_at)}).
          </p>
          <Turnout p={p} />
        </>
      )}
      {withPreview && (
        <section className="vt-preview-wrap" aria-labelledby={`${titleId}-pv`}>
          <H level={sub} id={`${titleId}-pv`}>
            What it would have meant for members
          </H>
          {previewError ? (
            <p className="muted small">The preview could not be loaded: {previewError.message}</p>
          ) : preview ? (
            <PreviewChart preview={preview} level={sub + 1} />
          ) : (
            <p className="muted small">Computing the preview from the register…</p>
          )}
        </section>
      )}
      {(open || p.my_vote?.voted) && p.status !== 'seeking_sponsors' && (
        <VoteBox proposal={p} memberId={memberId} secret={secret} onVoted={onVoted} onClosed={onClosed} keys={pageKeys ? 'page' : ref} level={sub} />
      )}
      {!open && p.status !== 'seeking_sponsors' && <Outcome p={p} />}
      {!open && p.status !== 'seeking_sponsors' && p.status !== 'withdrawn' && level > 0 && (
        <p className="small">
          <Link to={`/votes/${p.id}`}>Published ballots and recount</Link>
        </p>
      )}
    </article>
  );
}
