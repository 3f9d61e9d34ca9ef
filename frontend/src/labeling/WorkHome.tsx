// Work area home: the projects this labeller belongs to.
import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { Link } from '../router';
import { ErrorAlert } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { labelApi } from './api';
import { LiveEarnings } from '../live/LiveEarnings';
import { TASK_TYPE_LABELS, type Project } from './types';
import { ProjectPay } from './ProjectPay';

export function WorkHomePage() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    labelApi.myProjects().then(setProjects, setError);
  }, []);
  const open = projects?.filter((p) => p.status === 'open') ?? [];
  const other = projects?.filter((p) => p.status !== 'open' && p.status !== 'draft') ?? [];
  return (
    <>
      <PageHeading title="Work" lead="Label data for the co-op's models. Accepted work earns equity units." />
      <p>
        <Link to="/work/mine">My work</Link> — your submissions and their review status.
      </p>
      <LiveEarnings />
      <ErrorAlert error={error} />
      {projects === null && !error && <p className="muted">Loading your projects…</p>}
      {projects && open.length === 0 && (
        <section className="empty-state" aria-labelledby="work-empty">
          <h2 id="work-empty">Nothing to label yet</h2>
          <p>No open project has you as a member. A coordinator adds labellers to projects.</p>
        </section>
      )}
      {open.length > 0 && (
        <ul className="project-cards" aria-label="Open projects">
          {open.map((p) => (
            <li key={p.id} className="card">
              <h2>{p.name}</h2>
              <p className="muted">{TASK_TYPE_LABELS[p.task_type] ?? p.task_type}</p>
              <ProjectPay projectId={p.id} />
              <Link to={`/work/p/${p.id}`} className="btn btn-primary" aria-label={`Start labelling ${p.name}`}>
                Start labelling
              </Link>
            </li>
          ))}
        </ul>
      )}
      {other.length > 0 && (
        <section className="card" aria-labelledby="work-other">
          <h2 id="work-other">Paused or closed</h2>
          <ul>
            {other.map((p) => (
              <li key={p.id}>
                {p.name} <span className="muted">({p.status})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

export default WorkHomePage;
