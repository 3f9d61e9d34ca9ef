// The reviewer's home (/review): every project with its waiting count, most
// waiting first; "Review next" opens the project of the oldest review the
// reviewer may take; disputes and failed gold checks are listed apart, each
// saying whether it is the reviewer's to take and, if not, why.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api';
import { labelApi } from '../labeling/api';
import { TASK_TYPE_LABELS, type Project } from '../labeling/types';
import { ReviewQueueCount } from '../live/reviewQueue';
import { PageHeading } from '../pages/PageHeading';
import { Link, navigate } from '../router';
import { ErrorAlert } from '../ui';
import { reviewHomeApi, type ReviewerHome, type WaitingReview } from './api';

/** How often the home is counted again while it is open. */
const REFRESH_MS = 15_000;

const WHY: Record<string, string> = {
  you_rejected: 'You rejected it: another reviewer decides',
  you_answered: 'You answered this item',
  held: 'Another reviewer has it open',
};

export interface HomeCard {
  id: number;
  name: string;
  taskType: string;
  status: string;
  waiting: number;
  forYou: number;
  disputes: number;
  goldFailures: number;
}

/** Every non-draft project, with its waiting figures, most waiting first (then by id). */
export function homeCards(projects: readonly Project[], home: ReviewerHome | null): HomeCard[] {
  const byId = new Map((home?.projects ?? []).map((p) => [p.project_id, p]));
  return projects
    .filter((p) => p.status !== 'draft' || byId.has(p.id))
    .map((p) => {
      const h = byId.get(p.id);
      return {
        id: p.id,
        name: p.name,
        taskType: p.task_type,
        status: p.status,
        waiting: h?.waiting ?? 0,
        forYou: h?.for_you ?? 0,
        disputes: h?.disputes ?? 0,
        goldFailures: h?.gold_failures ?? 0,
      };
    })
    .sort((a, b) => b.waiting - a.waiting || a.id - b.id);
}

export function ReviewerHomePage() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [home, setHome] = useState<ReviewerHome | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(() => {
    reviewHomeApi.home().then(
      (h) => {
        setHome(h);
        setError(null);
      },
      (e) => setError(e as ApiError),
    );
  }, []);
  useEffect(() => {
    let live = true;
    labelApi.projects().then(
      (ps) => live && setProjects(ps),
      (e) => live && setError(e as ApiError),
    );
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [load]);

  const cards = projects ? homeCards(projects, home) : null;
  const next = home?.next_project_id ?? null;
  return (
    <>
      <PageHeading title="Review" lead="Check labellers' work before it is accepted. Accepted work earns equity units." />
      <ErrorAlert error={error} />
      <section className="card rv-home-next" aria-labelledby="rv-next-heading">
        <h2 id="rv-next-heading">Your queue</h2>
        {home === null && !error && <p className="muted">Counting what waits…</p>}
        {home && (
          <p data-testid="for-you">
            {home.for_you === 0
              ? 'Nothing waits for you across the projects right now.'
              : `${home.for_you} ${home.for_you === 1 ? 'review waits' : 'reviews wait'} for you across the projects.`}
          </p>
        )}
        <p>
          <button type="button" className="btn btn-primary" disabled={next === null} onClick={() => next !== null && navigate(`/review/p/${next}`)}>
            Review next
          </button>
          <span className="muted"> the oldest review you may take, in any project</span>
        </p>
      </section>

      {home && home.disputes.length > 0 && (
        <WaitingTable id="rv-disputes" title="Disputes" caption="Rejections the labeller disputed, oldest first" rows={home.disputes} />
      )}
      {home && home.gold_failures.length > 0 && (
        <WaitingTable
          id="rv-gold"
          title="Failed gold checks"
          caption="Items whose labeller missed a gold answer, oldest first"
          rows={home.gold_failures}
        />
      )}

      {cards === null && !error && <p className="muted">Loading projects…</p>}
      {cards && cards.length === 0 && (
        <section className="empty-state" aria-labelledby="review-empty">
          <h2 id="review-empty">Nothing to review yet</h2>
          <p>No project has been opened for labelling.</p>
        </section>
      )}
      {cards && cards.length > 0 && (
        <ul className="project-cards" aria-label="Projects to review">
          {cards.map((p) => (
            <li key={p.id} className="card" data-testid={`rv-card-${p.id}`}>
              <h2>{p.name}</h2>
              <p className="muted">
                {TASK_TYPE_LABELS[p.taskType as keyof typeof TASK_TYPE_LABELS] ?? p.taskType}
                {p.status !== 'open' ? ` · ${p.status}` : ''}
              </p>
              <p data-testid={`queue-${p.id}`}>
                <ReviewQueueCount projectId={p.id} initial={home ? p.waiting : undefined} />
              </p>
              {home && p.waiting > 0 && (
                <p className="muted">
                  {p.forYou} for you
                  {p.disputes > 0 && ` · ${p.disputes} ${p.disputes === 1 ? 'dispute' : 'disputes'}`}
                  {p.goldFailures > 0 && ` · ${p.goldFailures} failed gold ${p.goldFailures === 1 ? 'check' : 'checks'}`}
                </p>
              )}
              <p className="rv-card-actions">
                <Link to={`/review/p/${p.id}`} className="btn btn-primary" aria-label={`Start reviewing ${p.name}`}>
                  Start reviewing
                </Link>
                <Link to={`/quality/${p.id}`} className="btn" aria-label={`Quality of ${p.name}`}>
                  Quality
                </Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function WaitingTable({ id, title, caption, rows }: { id: string; title: string; caption: string; rows: WaitingReview[] }) {
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>
        {title} <span className="muted">({rows.length})</span>
      </h2>
      <div className="table-wrap">
        <table className="table" data-testid={id}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Item</th>
              <th scope="col">Waiting since</th>
              <th scope="col">Who takes it</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.review_id}>
                <td>{r.project_name}</td>
                <td>#{r.item_id}</td>
                <td>{new Date(r.waiting_since).toLocaleString()}</td>
                <td>
                  {r.for_you ? (
                    <Link to={`/review/p/${r.project_id}`} aria-label={`You can take it: ${title.toLowerCase()}, ${r.project_name}, item ${r.item_id}`}>
                      You can take it
                    </Link>
                  ) : (
                    <span className="muted">{WHY[r.why ?? ''] ?? 'Not yours to take'}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
