// Quality pages for reviewers and coordinators: every labeller's stats,
// agreement over time, the metrics per label, the pairwise heatmap, reviewer
// workload; coordinators edit the review settings and recompute consensus.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { labelApi } from '../labeling/api';
import { TASK_TYPE_LABELS, type Project } from '../labeling/types';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, Notice, formatDate } from '../ui';
import {
  duration,
  humanize,
  pct,
  reviewApi,
  type ConsensusReport,
  type LabellerStats,
  type ProjectAgreement,
  type ProjectQuality,
  type ReviewQueueView,
  type ReviewSettings,
} from '../review/api';
import { NoEligibleReviewer } from '../review/QueueWhy';
import { AnchoringSection } from './Anchoring';
import { AgreementChart, PairHeatmap } from './Charts';
import { fmtValue, topReasons } from './charts';
import { FEW_ITEMS, WIDE_INTERVAL, intervalText } from './interval';

export function QualityHomePage() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    labelApi.projects().then(setProjects, setError);
  }, []);
  const shown = projects?.filter((p) => p.status !== 'draft') ?? [];
  return (
    <>
      <PageHeading title="Quality" lead="How consistent the co-op's labels are, project by project." />
      <ErrorAlert error={error} />
      {projects === null && !error && <p className="muted">Loading projects…</p>}
      {projects && shown.length === 0 && (
        <section className="empty-state" aria-labelledby="q-empty">
          <h2 id="q-empty">No projects yet</h2>
          <p>Quality figures appear once a project is open and work has been submitted.</p>
        </section>
      )}
      {shown.length > 0 && (
        <ul className="project-cards" aria-label="Projects">
          {shown.map((p) => (
            <li key={p.id} className="card">
              <h2>{p.name}</h2>
              <p className="muted">
                {TASK_TYPE_LABELS[p.task_type] ?? p.task_type} · {p.status}
              </p>
              <Link to={`/quality/${p.id}`} className="btn btn-primary" aria-label={`See quality of ${p.name}`}>
                See quality
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function ProjectQualityPage({ projectId }: { projectId: number }) {
  const { me } = useSession();
  const isCoordinator = !!me?.roles.includes('coordinator');
  const isReviewer = !!me?.roles.includes('reviewer');
  const [project, setProject] = useState<Project | null>(null);
  const [quality, setQuality] = useState<ProjectQuality | null>(null);
  const [agreement, setAgreement] = useState<ProjectAgreement | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [agreementError, setAgreementError] = useState<ApiError | null>(null);
  const [view, setView] = useState<ReviewQueueView | null>(null);

  const load = useCallback(() => {
    labelApi.project(projectId).then(setProject, () => {});
    reviewApi.queueView(projectId).then(setView, () => {});
    reviewApi.quality(projectId).then(setQuality, setError);
    reviewApi.agreement(projectId).then(setAgreement, setAgreementError);
  }, [projectId]);
  useEffect(load, [load]);

  const labellers = quality?.labellers ?? [];
  const probation = new Set(quality?.on_probation ?? []);
  const queue = quality?.queue ?? {};

  return (
    <>
      <PageHeading title={project ? `Quality: ${project.name}` : 'Quality'} lead="Agreement, acceptance and check-item accuracy for this project." />
      <p className="rv-card-actions">
        <Link to="/quality">All projects</Link>
        {isReviewer && <Link to={`/review/p/${projectId}`}>Review this project</Link>}
      </p>
      <ErrorAlert error={error} />
      {!quality && !error && <p className="muted">Loading quality figures…</p>}
      {quality && (
        <>
          <section className="card" aria-labelledby="q-queue">
            <h2 id="q-queue">Review queue</h2>
            <NoEligibleReviewer view={view} />
            <dl className="q-stats">
              <Stat label="Waiting for review" value={queue.queued ?? 0} testid="q-queued" />
              <Stat label="Being reviewed now" value={queue.leased ?? 0} />
              <Stat label="Decided by a reviewer" value={queue.decided ?? 0} />
              <Stat label="Accepted automatically" value={queue.auto_accepted ?? 0} />
              <Stat label="Labellers on probation" value={probation.size} />
            </dl>
          </section>

          <section className="card" aria-labelledby="q-labellers">
            <h2 id="q-labellers">Labellers</h2>
            {labellers.length === 0 ? (
              <p className="muted">No submissions yet.</p>
            ) : (
              <div className="table-wrap" role="region" aria-label="Labellers table (scrolls sideways)" tabIndex={0}>
                <table className="table q-table">
                  <caption className="visually-hidden">Every labeller's figures in this project</caption>
                  <thead>
                    <tr>
                      <th scope="col">Labeller</th>
                      <th scope="col">Submitted</th>
                      <th scope="col">Per active day</th>
                      <th scope="col">Median time</th>
                      <th scope="col">Accepted</th>
                      <th scope="col">Agreement with consensus</th>
                      <th scope="col">Check items</th>
                      <th scope="col">Outcomes</th>
                      <th scope="col">Rejection reasons</th>
                    </tr>
                  </thead>
                  <tbody>
                    {labellers.map((l) => (
                      <LabellerRow key={l.member_id} l={l} probation={probation.has(l.member_id)} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="q-time">
            <h2 id="q-time">Agreement over time</h2>
            <AgreementChart days={quality.agreement_by_day} title="Project agreement by day" />
          </section>
          {quality.anchoring && <AnchoringSection a={quality.anchoring} />}
        </>
      )}

      <section className="card" aria-labelledby="q-metrics">
        <h2 id="q-metrics">Agreement metrics</h2>
        <ErrorAlert error={agreementError} />
        {!agreement && !agreementError && <p className="muted">Computing agreement…</p>}
        {agreement && <Metrics a={agreement} />}
      </section>

      {agreement && (
        <section className="card" aria-labelledby="q-pairs">
          <h2 id="q-pairs">Labeller against labeller</h2>
          <p className="hint">
            {humanize(agreement.primary_metric)} between each pair of labellers over the items both answered. Higher is better; n/a means it cannot be computed
            for that pair.
          </p>
          <PairHeatmap pairs={agreement.pairwise} labellers={quality?.labellers} metric={humanize(agreement.primary_metric)} />
        </section>
      )}

      {quality && (
        <section className="card" aria-labelledby="q-reviewers">
          <h2 id="q-reviewers">Reviewer workload</h2>
          {(quality.reviewers ?? []).length === 0 ? (
            <p className="muted">No reviews yet.</p>
          ) : (
            <div className="table-wrap" role="region" aria-label="Reviewer workload table (scrolls sideways)" tabIndex={0}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Reviewer</th>
                    <th scope="col">Items reviewed</th>
                    <th scope="col">Submissions decided</th>
                    <th scope="col">Rejections</th>
                    <th scope="col">Holding now</th>
                  </tr>
                </thead>
                <tbody>
                  {(quality.reviewers ?? []).map((r) => (
                    <tr key={r.reviewer_id}>
                      <th scope="row">{r.login}</th>
                      <td>{r.reviews}</td>
                      <td>{r.decisions}</td>
                      <td>{r.rejections}</td>
                      <td>{r.holding}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      {quality && (
        <section className="card" aria-labelledby="q-settings">
          <h2 id="q-settings">Review settings</h2>
          {isCoordinator ? <SettingsForm projectId={projectId} initial={quality.settings} onSaved={load} /> : <SettingsView s={quality.settings} />}
        </section>
      )}

      {isCoordinator && project && (
        <section className="card" aria-labelledby="q-consensus">
          <h2 id="q-consensus">Consensus</h2>
          <Consensus projectId={projectId} taskType={project.task_type} labellers={labellers} />
        </section>
      )}
    </>
  );
}

function Stat({ label, value, testid }: { label: string; value: number | string; testid?: string }) {
  return (
    <div className="q-stat">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value}</dd>
    </div>
  );
}

function LabellerRow({ l, probation }: { l: LabellerStats; probation: boolean }) {
  const reasons = topReasons(l.rejection_reasons);
  return (
    <tr>
      <th scope="row">
        {l.display_name || l.login}
        {probation && <span className="tag status-rejected q-probation">on probation</span>}
      </th>
      <td>{l.submissions}</td>
      <td>{l.per_active_day}</td>
      <td>{duration(l.median_lead_time_ms)}</td>
      <td>{pct(l.acceptance_bp)}</td>
      <td>{pct(l.consensus_agreement_bp)}</td>
      <td>{l.gold.checked ? `${pct(l.gold.accuracy_bp)} (${l.gold.correct}/${l.gold.checked})` : 'none yet'}</td>
      <td className="small">
        {l.accepted} accepted · {l.corrected} corrected · {l.rejected} rejected · {l.disputed} disputed · {l.pending} waiting
      </td>
      <td className="small">{reasons.length ? reasons.map(([r, n]) => `${humanize(r)} (${n})`).join(', ') : '—'}</td>
    </tr>
  );
}

/** The 95% interval of a metric, marked "inconclusive" with the reason in words. */
function IntervalCell({ m }: { m: NonNullable<ProjectAgreement['metrics']>[number] }) {
  const t = intervalText(m);
  if (!t) return <td>—</td>;
  return (
    <td data-testid={`interval-${m.metric}`}>
      <span className="mono">{t.range}</span>
      {t.inconclusive && (
        <>
          {' '}
          <span className="tag status-rejected">inconclusive</span>
        </>
      )}
      {t.why && <span className="muted small"> — {t.why}</span>}
    </td>
  );
}

function Metrics({ a }: { a: ProjectAgreement }) {
  const metrics = a.metrics ?? [];
  const perLabel = a.per_label ?? [];
  const unsure = metrics.some((m) => intervalText(m)?.inconclusive);
  return (
    <>
      <p>
        Over <strong>{a.items}</strong> items with at least two answers ({a.annotations} answers). Main metric: <strong>{humanize(a.primary_metric)}</strong>.
      </p>
      {unsure && (
        <p className="alert" role="note" data-testid="agreement-inconclusive">
          Some values are inconclusive: with these items, agreement could plausibly lie anywhere in the 95% interval beside it. A value is called inconclusive
          when its interval is wider than {WIDE_INTERVAL} or it rests on fewer than {FEW_ITEMS} items. More items will settle it.
        </p>
      )}
      {metrics.length > 0 && (
        <div className="table-wrap" role="region" aria-label="Metrics table (scrolls sideways)" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">Project-wide agreement metrics</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
                <th scope="col">95% interval</th>
                <th scope="col">Items</th>
                <th scope="col">Labellers</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.metric}>
                  <th scope="row">
                    {humanize(m.metric)}
                    {m.result?.level ? <span className="muted small"> ({m.result.level})</span> : null}
                  </th>
                  {m.result ? (
                    <>
                      <td className="mono">{fmtValue(m.result.value, 3)}</td>
                      <IntervalCell m={m} />
                      <td>{m.result.units}</td>
                      <td>{m.result.annotators}</td>
                    </>
                  ) : (
                    <td colSpan={4}>
                      <span title={m.reason}>n/a</span> <span className="muted small">— {m.reason}</span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {perLabel.length > 0 && (
        <>
          <h3>Per label or criterion</h3>
          <div className="table-wrap" role="region" aria-label="Per label table (scrolls sideways)" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Metric</th>
                  <th scope="col">Value</th>
                  <th scope="col">Items</th>
                </tr>
              </thead>
              <tbody>
                {perLabel.map((p) => (
                  <tr key={`${p.label}:${p.metric}`}>
                    <th scope="row">{p.label}</th>
                    <td>{humanize(p.metric)}</td>
                    <td className="mono">
                      {p.value === null ? (
                        <>
                          <span title={p.reason}>n/a</span> <span className="muted small">— {p.reason}</span>
                        </>
                      ) : (
                        fmtValue(p.value, 3)
                      )}
                    </td>
                    <td>{p.units}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function SettingsView({ s }: { s: ReviewSettings }) {
  return (
    <dl className="facts">
      <dt>Auto-accept</dt>
      <dd>{s.auto_accept ? `on, at agreement ${pct(s.auto_accept_bp)} or more` : 'off: everything is reviewed'}</dd>
      <dt>Random sample</dt>
      <dd>{pct(s.sample_rate_bp)} of auto-accepted items are still reviewed</dd>
      <dt>Check items</dt>
      <dd>{s.gold_threshold_bp ? `labellers below ${pct(s.gold_threshold_bp)} over their last ${s.gold_window} check items have all their work reviewed` : 'not used for routing'}</dd>
      <dt>Reject reasons</dt>
      <dd>{s.reject_reasons.map(humanize).join(', ')}</dd>
      <dt>Ties</dt>
      <dd>{humanize(s.tie_policy)}</dd>
      <dt>Changed</dt>
      <dd>{s.updated_at && !s.updated_at.startsWith('0001-') ? formatDate(s.updated_at) : 'Never changed: the defaults'}</dd>
    </dl>
  );
}

/** "87.5" → 8750 basis points; null when not a number in 0–100. */
export function percentToBp(s: string): number | null {
  const t = s.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const v = Math.round(Number(t) * 100);
  return v >= 0 && v <= 10_000 ? v : null;
}

export function reasonsFromText(s: string): string[] {
  const seen = new Set<string>();
  return s
    .split(/[\n,]/)
    .map((x) => x.trim().toLowerCase().replace(/\s+/g, '_'))
    .filter((x) => x && !seen.has(x) && (seen.add(x), true));
}

function SettingsForm({ projectId, initial, onSaved }: { projectId: number; initial: ReviewSettings; onSaved: () => void }) {
  const id = useId();
  const [autoAccept, setAutoAccept] = useState(initial.auto_accept);
  const [auto, setAuto] = useState(String(initial.auto_accept_bp / 100));
  const [sample, setSample] = useState(String(initial.sample_rate_bp / 100));
  const [gold, setGold] = useState(String(initial.gold_threshold_bp / 100));
  const [win, setWin] = useState(String(initial.gold_window));
  const [reasons, setReasons] = useState(initial.reject_reasons.join('\n'));
  const [tie, setTie] = useState(initial.tie_policy);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaved('');
    const a = percentToBp(auto);
    const s = percentToBp(sample);
    const g = percentToBp(gold);
    const w = Number(win);
    const rs = reasonsFromText(reasons);
    if (a === null || s === null || g === null) return setError('Percentages are numbers from 0 to 100 (up to two decimals).');
    if (!Number.isInteger(w) || w < 1 || w > 1000) return setError('The window is a whole number of check items from 1 to 1000.');
    if (rs.length === 0) return setError('Give at least one reject reason.');
    setBusy(true);
    setError(null);
    try {
      await reviewApi.updateSettings(projectId, {
        auto_accept: autoAccept,
        auto_accept_bp: a,
        sample_rate_bp: s,
        gold_threshold_bp: g,
        gold_window: w,
        reject_reasons: rs,
        tie_policy: tie,
      });
      setReasons(rs.join('\n'));
      setSaved('Saved. New settings apply to items scored from now on.');
      onSaved();
    } catch (x) {
      setError(x as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="q-settings">
      <div className="check">
        <input id={`${id}-aa`} type="checkbox" checked={autoAccept} onChange={(e) => setAutoAccept(e.target.checked)} />
        <label htmlFor={`${id}-aa`}>Accept automatically when labellers agree enough</label>
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-a`}>Auto-accept threshold (%)</label>
          <input id={`${id}-a`} inputMode="decimal" value={auto} disabled={!autoAccept} onChange={(e) => setAuto(e.target.value)} aria-describedby={`${id}-ah`} />
          <p className="hint" id={`${id}-ah`}>
            Items whose agreement reaches this are accepted without a reviewer.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-s`}>Sample rate (%)</label>
          <input id={`${id}-s`} inputMode="decimal" value={sample} onChange={(e) => setSample(e.target.value)} aria-describedby={`${id}-sh`} />
          <p className="hint" id={`${id}-sh`}>
            Share of auto-accepted items still sent to review, as a check.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-g`}>Check-item threshold (%)</label>
          <input id={`${id}-g`} inputMode="decimal" value={gold} onChange={(e) => setGold(e.target.value)} aria-describedby={`${id}-gh`} />
          <p className="hint" id={`${id}-gh`}>
            Labellers below this accuracy have all their work reviewed (0 turns it off). They are told why.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-w`}>Window (check items)</label>
          <input id={`${id}-w`} type="number" min={1} max={1000} value={win} onChange={(e) => setWin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-t`}>When the vote is tied</label>
          <select id={`${id}-t`} value={tie} onChange={(e) => setTie(e.target.value)}>
            <option value="undecided">Leave undecided</option>
            <option value="schema_order">First tied label in the schema</option>
            <option value="seeded">Reproducible pick from the project seed</option>
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-r`}>Reject reasons (one per line)</label>
        <textarea id={`${id}-r`} rows={5} value={reasons} onChange={(e) => setReasons(e.target.value)} />
      </div>
      <ErrorAlert error={error} />
      {saved && <Notice>{saved}</Notice>}
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save review settings'}
      </button>
    </form>
  );
}

function Consensus({ projectId, taskType, labellers }: { projectId: number; taskType: string; labellers: LabellerStats[] }) {
  const dsOk = taskType === 'classification' || taskType === 'pairwise';
  const [method, setMethod] = useState<'dawid_skene' | 'majority'>(dsOk ? 'dawid_skene' : 'majority');
  const [report, setReport] = useState<ConsensusReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const names = new Map(labellers.map((l) => [String(l.member_id), l.display_name || l.login]));
  async function run() {
    setBusy(true);
    setError(null);
    try {
      setReport(await reviewApi.recomputeConsensus(projectId, method));
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <p className="hint">
        Consensus is each item's agreed answer, used by exports. Dawid–Skene weighs labellers by their estimated accuracy; majority counts votes. Items a
        reviewer corrected keep the correction.
      </p>
      <div className="inline-form">
        <div className="field">
          <label htmlFor={`${id}-m`}>Method</label>
          <select id={`${id}-m`} value={method} onChange={(e) => setMethod(e.target.value as 'dawid_skene' | 'majority')}>
            <option value="dawid_skene" disabled={!dsOk}>
              Dawid–Skene{dsOk ? '' : ' (classification and pairwise only)'}
            </option>
            <option value="majority">Majority vote</option>
          </select>
        </div>
        <button type="button" className="btn" disabled={busy} onClick={() => void run()}>
          {busy ? 'Recomputing…' : 'Recompute consensus'}
        </button>
      </div>
      <ErrorAlert error={error} />
      {report && (
        <div role="status">
          <p>
            {humanize(report.method)}: <strong>{report.items}</strong> items
            {report.iterations ? `, ${report.iterations} iterations, ${report.converged ? 'converged' : 'did not converge'}` : ''}.
          </p>
          {report.annotator_accuracy_bp && Object.keys(report.annotator_accuracy_bp).length > 0 && (
            <ul className="plain-list">
              {Object.entries(report.annotator_accuracy_bp).map(([m, bp]) => (
                <li key={m}>
                  {names.get(m) ?? `#${m}`}: estimated accuracy {pct(bp)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

export default QualityHomePage;
