// Coordinator: the co-op's equity rules. The register rules and rate cards
// change only by the members' vote (a link proposes the change; the server
// answers 403 needs_vote to a direct change); each version that a vote made
// names its proposal. Coordinators still prepare distributions (a link proposes
// them), settle exits and set a new project's first card within the approved band.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from '../router';
import { ChangedBy } from '../votes/Provenance';
import { ApiError } from '../api';
import { PageHeading } from '../pages/PageHeading';
import { ErrorAlert, Notice, formatDate } from '../ui';
import { labelApi } from '../labeling/api';
import type { Project } from '../labeling/types';
import { equityApi, type GovernanceView, type RateCardView } from './api';
import { bpToPercent, fmtAmount, formatDecimal, parseDecimal } from './decimal';
import { EquityTabs, positiveInt, useModels } from './common';
import { EXIT_RULE_TEXT } from './Register';

/** Parses "hard=15000, easy=8000" into difficulty multipliers (basis points). */
export function parseDifficulty(s: string): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const part of s.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=\s]{1,40})\s*=\s*(\d{1,6})$/.exec(p);
    if (!m) return `“${p}” is not name=basis points (e.g. hard=15000).`;
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The server reads "0" (or "") as zero but refuses "0.000000" (a non-positive amount), so zero goes as "0". */
export function wireUnits(v: bigint): string {
  return v === 0n ? '0' : formatDecimal(v);
}

function bpField(v: string): number | null {
  return /^\d{1,5}$/.test(v.trim()) && Number(v) <= 10000 ? Number(v) : null;
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function GovernPage() {
  return (
    <>
      <PageHeading
        title="Equity governance"
        lead="The rules in force and how they were made. Members change what they earn and pay by vote; coordinators prepare distributions and new projects' cards."
      />
      <EquityTabs current="govern" />
      <GovernancePanel />
      <RateCardPanel />
      <DistributionForm />
      <ExitForm />
    </>
  );
}

function GovernancePanel() {
  const [cur, setCur] = useState<GovernanceView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    equityApi.governance().then(setCur, setError);
  }, []);
  const since = cur?.created_at && !cur.created_at.startsWith('0001') ? cur.created_at : null;
  return (
    <Section id="gv-h" title="Register rules">
      <ErrorAlert error={error} />
      {cur && (
        <>
          <dl className="facts" data-testid="governance-in-force">
            <dt>Transfer fee</dt>
            <dd>{bpToPercent(cur.transfer_fee_bp)}</dd>
            <dt>Holding cap</dt>
            <dd>
              {bpToPercent(cur.holding_cap_bp)} of issued units, from {fmtAmount(cur.cap_floor)} units issued
            </dd>
            <dt>Reserve share of revenue</dt>
            <dd>{bpToPercent(cur.reserve_share_bp)}</dd>
            <dt>On exit, units go</dt>
            <dd>{EXIT_RULE_TEXT[cur.exit_rule] ?? cur.exit_rule}</dd>
          </dl>
          <p className="small vt-after-facts">
            {cur.version ? `Version ${cur.version}` : 'The co-op’s defaults'}
            {since ? ` since ${formatDate(since)}` : ''}.{' '}
            {cur.proposal_id ? <ChangedBy proposalId={cur.proposal_id} at={since} /> : cur.version ? <>Reason recorded: “{cur.reason}”.</> : null}
          </p>
        </>
      )}
      <p>These rules decide what members earn and pay, so only the members’ vote changes them.</p>
      <p>
        <Link className="btn btn-primary" to="/votes/new?kind=governance">
          Propose a change to these rules
        </Link>
      </p>
    </Section>
  );
}

function BpInput({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (e: { target: { value: string } }) => void }) {
  const ok = bpField(value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} inputMode="numeric" value={value} onChange={onChange} aria-describedby={`${id}-hint`} />
      <p className="hint" id={`${id}-hint`}>
        {ok === null ? '0 to 10000' : `= ${bpToPercent(ok)}`}
      </p>
    </div>
  );
}

/** The proposal form, prefilled with a rate card (for a change that needs the members' vote). */
export function proposeCardPath(projectId: number, f?: { ann: string; corr: string; rev: string; keep: string; diff: string }): string {
  const q = new URLSearchParams({ kind: 'rate_card', project_id: String(projectId) });
  if (f) {
    q.set('annotation_accepted', f.ann);
    q.set('correction', f.corr);
    q.set('review_decision', f.rev);
    q.set('correction_labeller_bp', f.keep);
    if (f.diff.trim()) q.set('difficulty', f.diff);
  }
  return `/votes/new?${q.toString()}`;
}

function RateCardPanel() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [pid, setPid] = useState<number | null>(null);
  const [card, setCard] = useState<RateCardView | null>(null);
  const [f, setF] = useState({ ann: '1', corr: '0', rev: '0.1', keep: '5000', diff: '', reason: '' });
  const [error, setError] = useState<ApiError | string | null>(null);
  const [needsVote, setNeedsVote] = useState(false);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    labelApi.projects().then((ps) => {
      setProjects(ps);
      setPid((p) => p ?? ps[0]?.id ?? null);
    }, setError);
  }, []);
  const load = (id: number) =>
    equityApi.rateCard(id).then(
      (c) => {
        setCard(c);
        setF({
          ann: c.annotation_accepted,
          corr: c.correction,
          rev: c.review_decision,
          keep: String(c.correction_labeller_bp),
          diff: Object.entries(c.difficulty ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
          reason: '',
        });
      },
      () => setCard(null),
    );
  useEffect(() => {
    if (pid !== null) void load(pid);
  }, [pid]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNeedsVote(false);
    setNotice('');
    if (pid === null) return;
    const amounts = [f.ann, f.corr, f.rev].map((v) => parseDecimal(v || '0'));
    if (amounts.some((a) => a === null || a < 0n)) return setError('Rates are units, zero or more, with at most 6 decimals.');
    const keep = bpField(f.keep);
    if (keep === null) return setError('The share a labeller keeps is 0 to 10000 basis points.');
    const diff = parseDifficulty(f.diff);
    if (typeof diff === 'string') return setError(diff);
    if (!f.reason.trim()) return setError('Say why: the reason is recorded on the register.');
    setBusy(true);
    try {
      const c = await equityApi.setRateCard(pid, {
        annotation_accepted: wireUnits(amounts[0]!),
        correction: wireUnits(amounts[1]!),
        review_decision: wireUnits(amounts[2]!),
        correction_labeller_bp: keep,
        difficulty: diff,
        reason: f.reason.trim(),
      });
      setNotice(`Rate card version ${c.version} is in force for new work.`);
      await load(pid);
    } catch (err) {
      const a = err as ApiError;
      setError(a);
      setNeedsVote(a instanceof ApiError && a.code === 'needs_vote');
    } finally {
      setBusy(false);
    }
  }
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const name = projects?.find((p) => p.id === pid)?.name ?? '';
  return (
    <Section id="rc-h" title="Project rate cards">
      {projects && projects.length === 0 && <p className="muted">No projects yet.</p>}
      {projects && projects.length > 0 && (
        <>
          <div className="field eq-inline-field">
            <label htmlFor="rc-project">Project</label>
            <select id="rc-project" value={pid ?? ''} onChange={(e) => setPid(Number(e.target.value))}>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          {card ? (
            <>
              <dl className="facts" data-testid="rate-card-in-force">
                <dt>Accepted annotation</dt>
                <dd className="mono">{fmtAmount(card.annotation_accepted)} units</dd>
                <dt>Correction (to the reviewer)</dt>
                <dd className="mono">{fmtAmount(card.correction)} units</dd>
                <dt>Review decision</dt>
                <dd className="mono">{fmtAmount(card.review_decision)} units</dd>
                <dt>Labeller keeps when corrected</dt>
                <dd>{bpToPercent(card.correction_labeller_bp)}</dd>
                {card.difficulty && Object.keys(card.difficulty).length > 0 && (
                  <>
                    <dt>Difficulty</dt>
                    <dd>
                      {Object.entries(card.difficulty)
                        .map(([k, v]) => `${k} ×${bpToPercent(v)}`)
                        .join(', ')}
                    </dd>
                  </>
                )}
              </dl>
              <p className="small vt-after-facts">
                Version {card.version} since {formatDate(card.created_at)}.{' '}
                {card.proposal_id ? <ChangedBy proposalId={card.proposal_id} at={card.created_at} /> : <>Reason recorded: “{card.reason}”.</>}
              </p>
            </>
          ) : (
            <p className="muted">No rate card yet for {name || 'this project'}.</p>
          )}
          <p>A project’s rates decide what its members earn, so changing them takes the members’ vote.</p>
          <p className="task-actions">
            {pid !== null && (
              <Link className="btn btn-primary" to={proposeCardPath(pid)}>
                Propose a new rate card for {name || `project ${pid}`}
              </Link>
            )}{' '}
            <Link className="btn" to="/votes/new?kind=default_rate_card">
              Propose the default card and band
            </Link>
          </p>
          <details className="eq-data">
            <summary>A new project’s first card, within the band the members approved</summary>
            <p className="small muted">
              Before a project has accepted work, a coordinator may set its card alone if every rate lies within the band of the default rate card. Otherwise the server answers that it
              needs a vote.
            </p>
            <ErrorAlert error={error} />
            {needsVote && pid !== null && (
              <p>
                <Link to={proposeCardPath(pid, f)}>Propose this rate card to the members instead</Link>
              </p>
            )}
            {notice && <Notice>{notice}</Notice>}
            <form onSubmit={submit} className="form-grid">
              <div className="field">
                <label htmlFor="rc-ann">Units per accepted annotation</label>
                <input id="rc-ann" inputMode="decimal" value={f.ann} onChange={set('ann')} />
              </div>
              <div className="field">
                <label htmlFor="rc-corr">Units to the reviewer per correction</label>
                <input id="rc-corr" inputMode="decimal" value={f.corr} onChange={set('corr')} />
              </div>
              <div className="field">
                <label htmlFor="rc-rev">Units to the reviewer per decision</label>
                <input id="rc-rev" inputMode="decimal" value={f.rev} onChange={set('rev')} />
              </div>
              <BpInput id="rc-keep" label="Labeller keeps when corrected (basis points)" value={f.keep} onChange={set('keep')} />
              <div className="field">
                <label htmlFor="rc-diff">Difficulty multipliers</label>
                <input id="rc-diff" value={f.diff} onChange={set('diff')} placeholder="hard=15000, easy=8000" aria-describedby="rc-diff-hint" />
                <p className="hint" id="rc-diff-hint">
                  name=basis points, 10000 = ×1. Optional.
                </p>
              </div>
              <div className="field">
                <label htmlFor="rc-reason">Reason (required)</label>
                <input id="rc-reason" value={f.reason} onChange={set('reason')} maxLength={500} />
              </div>
              <div>
                <button type="submit" className="btn" disabled={busy || pid === null}>
                  Set the new project’s card
                </button>
              </div>
            </form>
          </details>
        </>
      )}
      {!projects && error && <ErrorAlert error={error} />}
    </Section>
  );
}

/** The address of the proposal form, prefilled with a prepared distribution. */
export function distributionProposalHref(d: { model: number | null; amount: string; currency: string; source: string; date: string }): string {
  const q = new URLSearchParams({ kind: 'distribution' });
  if (d.model !== null) q.set('model_id', String(d.model));
  if (d.amount.trim()) q.set('amount', d.amount.trim());
  if (d.currency.trim()) q.set('currency', d.currency.trim());
  if (d.source.trim()) q.set('source', d.source.trim());
  if (d.date) q.set('record_date', d.date);
  return `/votes/new?${q.toString()}`;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

// Coordinators prepare a distribution; the members approve it by a
// distribution proposal (a direct distribution is 403 needs_vote).
function DistributionForm() {
  const { models } = useModels();
  const [gov, setGov] = useState<GovernanceView | null>(null);
  const [f, setF] = useState({ model: '', amount: '', currency: 'EUR', source: '', date: today() });
  const id = useId();
  useEffect(() => {
    equityApi.governance().then(setGov, () => {});
  }, []);
  const modelId = positiveInt(f.model) ?? models?.[0]?.id ?? null;
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  return (
    <Section id="ds-h" title="Prepare a distribution of revenue">
      <p className="small muted">
        The reserve share ({bpToPercent(gov?.reserve_share_bp ?? 0)}) goes to the co-op reserve; the rest is split over members' vested units at the record date.
        Revenue is distributed only when the members approve it: prepare it here and put it to the vote.
      </p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-m`}>Model</label>
          <select id={`${id}-m`} value={modelId ?? ''} onChange={set('model')}>
            {(models ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-a`}>Revenue</label>
          <input id={`${id}-a`} inputMode="decimal" value={f.amount} onChange={set('amount')} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-c`}>Currency</label>
          <input id={`${id}-c`} value={f.currency} onChange={set('currency')} maxLength={8} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-src`}>Source</label>
          <input id={`${id}-src`} value={f.source} onChange={set('source')} maxLength={200} placeholder="e.g. API licence, March" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-d`}>Record date</label>
          <input id={`${id}-d`} type="date" value={f.date} onChange={set('date')} />
        </div>
      </div>
      <p>
        <Link className="btn btn-primary" to={distributionProposalHref({ ...f, model: modelId })}>
          Propose this distribution
        </Link>
      </p>
    </Section>
  );
}

function ExitForm() {
  const [member, setMember] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice('');
    const id = positiveInt(member.trim());
    if (!id) return setError('Enter the member number.');
    setBusy(true);
    try {
      const r = await equityApi.exit(id);
      setNotice('moved' in r && r.moved === false ? `Member ${id} held no units: nothing moved.` : `Member ${id}'s units passed on by the exit rule.`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="ex-h" title="A member's exit">
      <p className="small muted">For a member who has left (deactivated): pass their vested units to their successor or the reserve, as the exit rule says.</p>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      <form onSubmit={submit} className="inline-form">
        <div className="field">
          <label htmlFor="ex-member">Member number</label>
          <input id="ex-member" inputMode="numeric" value={member} onChange={(e) => setMember(e.target.value)} />
        </div>
        <button type="submit" className="btn" disabled={busy}>
          Settle exit
        </button>
      </form>
    </Section>
  );
}
