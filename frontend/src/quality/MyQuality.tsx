// My quality: a labeller's own figures in a project and, first and plainly,
// their check-item standing: if all their work is being reviewed, they are
// told so and why. Nothing here is a hidden penalty.
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../api';
import { labelApi } from '../labeling/api';
import type { Project } from '../labeling/types';
import { PageHeading } from '../pages/PageHeading';
import { Link, navigate, useLocation } from '../router';
import { ErrorAlert } from '../ui';
import { duration, humanize, pct, reviewApi, type GoldStanding, type MyQuality } from '../review/api';
import { topReasons } from './charts';

/** The standing in kind, plain words. Exported for tests. */
export function standingText(g: GoldStanding): { title: string; body: string; tone: 'ok' | 'warn' | 'info' } {
  const acc = g.recent.accuracy_bp;
  if (g.on_probation) {
    return {
      tone: 'warn',
      title: 'For now, a reviewer checks all your work in this project',
      body:
        `Your accuracy on your last ${g.recent.checked} check item${g.recent.checked === 1 ? '' : 's'} is ${pct(acc)}; the project asks for ${pct(g.threshold_bp)}. ` +
        `Until it is back at ${pct(g.threshold_bp)} over your last ${g.window} check items, nothing you submit is accepted automatically — a reviewer looks at each answer, ` +
        `and you see their decision and any comment in My work. Your work still counts once accepted. Reading the instructions again and the reviewers' comments usually helps.`,
    };
  }
  if (g.threshold_bp === 0) {
    return { tone: 'info', title: 'Check items do not affect how your work is reviewed here', body: 'This project does not route work by check-item accuracy.' };
  }
  if (!g.recent.checked) {
    return {
      tone: 'info',
      title: 'No check items answered yet',
      body: `Some items have a known answer. If your accuracy on your last ${g.window} of them falls below ${pct(g.threshold_bp)}, a reviewer checks all your work for a while — you will see it here.`,
    };
  }
  return {
    tone: 'ok',
    title: 'You are in good standing',
    body: `Your accuracy on your last ${g.recent.checked} check item${g.recent.checked === 1 ? '' : 's'} is ${pct(acc)}; the project asks for ${pct(g.threshold_bp)}.`,
  };
}

export function MyQualityPage() {
  const { search } = useLocation();
  const wanted = Number(new URLSearchParams(search).get('project') ?? '') || null;
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [q, setQ] = useState<MyQuality | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();
  useEffect(() => {
    labelApi.projects().then(
      (ps) => setProjects(ps.filter((p) => p.status !== 'draft')),
      setError,
    );
  }, []);
  const projectId = wanted ?? projects?.find((p) => p.status === 'open')?.id ?? projects?.[0]?.id ?? null;
  useEffect(() => {
    if (!projectId) return;
    let live = true;
    setQ(null);
    setError(null);
    reviewApi.myQuality(projectId).then(
      (r) => live && setQ(r),
      (e) => live && setError(e as ApiError),
    );
    return () => {
      live = false;
    };
  }, [projectId]);
  const st = q ? standingText(q.gold_standing) : null;
  const s = q?.stats;
  const reasons = topReasons(s?.rejection_reasons);
  const confusion = s?.confusion ?? {};
  const expected = Object.keys(confusion).sort();
  const given = [...new Set(expected.flatMap((e) => Object.keys(confusion[e])))].sort();
  return (
    <>
      <PageHeading title="My quality" lead="How your work is doing, in your own numbers." />
      <p className="rv-card-actions">
        <Link to="/work">Projects</Link>
        <Link to="/work/mine">My work</Link>
      </p>
      {projects && projects.length > 1 && (
        <div className="field narrow">
          <label htmlFor={`${id}-p`}>Project</label>
          <select id={`${id}-p`} value={projectId ?? ''} onChange={(e) => navigate(`/work/quality?project=${encodeURIComponent(e.target.value)}`, { replace: true })}>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <ErrorAlert error={error} />
      {projects && projects.length === 0 && (
        <section className="empty-state" aria-labelledby="mq-empty">
          <h2 id="mq-empty">No projects yet</h2>
          <p>Your figures appear here once you work in a project.</p>
        </section>
      )}
      {projectId && !q && !error && <p className="muted">Loading your figures…</p>}
      {q && st && s && (
        <>
          <section className={`card mq-standing mq-${st.tone}`} aria-labelledby="mq-standing" data-testid="gold-standing">
            <h2 id="mq-standing">{st.title}</h2>
            <p>{st.body}</p>
            {q.gold_standing.reason && q.gold_standing.on_probation && <p className="muted small">In the project's words: {q.gold_standing.reason}</p>}
          </section>

          <section className="card" aria-labelledby="mq-stats">
            <h2 id="mq-stats">Your figures</h2>
            <dl className="q-stats">
              <div className="q-stat">
                <dt>Submitted</dt>
                <dd>{s.submissions}</dd>
              </div>
              <div className="q-stat">
                <dt>Per active day</dt>
                <dd>{s.per_active_day}</dd>
              </div>
              <div className="q-stat">
                <dt>Median time per item</dt>
                <dd>{duration(s.median_lead_time_ms)}</dd>
              </div>
              <div className="q-stat">
                <dt>Accepted</dt>
                <dd data-testid="mq-acceptance">{pct(s.acceptance_bp)}</dd>
              </div>
              <div className="q-stat">
                <dt>Agreement with consensus</dt>
                <dd>{pct(s.consensus_agreement_bp)}</dd>
              </div>
              <div className="q-stat">
                <dt>Check-item accuracy</dt>
                <dd>{s.gold.checked ? `${pct(s.gold.accuracy_bp)} (${s.gold.correct} of ${s.gold.checked})` : 'none yet'}</dd>
              </div>
            </dl>
            <p className="small muted">
              {s.accepted} accepted · {s.corrected} corrected · {s.rejected} rejected · {s.disputed} disputed · {s.pending} waiting for review
            </p>
          </section>

          <section className="card" aria-labelledby="mq-reasons">
            <h2 id="mq-reasons">Why work was rejected</h2>
            {reasons.length === 0 ? (
              <p className="muted">Nothing of yours has been rejected here.</p>
            ) : (
              <ul className="plain-list">
                {reasons.map(([r, n]) => (
                  <li key={r}>
                    {humanize(r)}: <strong>{n}</strong>
                  </li>
                ))}
              </ul>
            )}
          </section>

          {expected.length > 0 && (
            <section className="card" aria-labelledby="mq-confusion">
              <h2 id="mq-confusion">Check items: expected and your answers</h2>
              <div className="table-wrap" role="region" aria-label="Check items table (scrolls sideways)" tabIndex={0}>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Expected</th>
                      {given.map((g) => (
                        <th scope="col" key={g}>
                          You: {g}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {expected.map((e) => (
                      <tr key={e}>
                        <th scope="row">{e}</th>
                        {given.map((g) => (
                          <td key={g} className={e === g ? 'mq-diag' : undefined}>
                            {confusion[e][g] ?? 0}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </>
  );
}

export default MyQualityPage;
