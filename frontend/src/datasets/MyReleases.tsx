// The releases a member's accepted work is in, and "download my data":
// everything they contributed and their ledger history, at any time.
import { useEffect, useState } from 'react';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, formatDate } from '../ui';
import { datasetsApi, shortHash, type Release } from './api';

/** The list alone, for embedding next to the Equity pages. */
export function MyReleasesList() {
  const [releases, setReleases] = useState<Release[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    datasetsApi.myReleases().then(setReleases).catch(setError);
  }, []);
  if (error) return <ErrorAlert error={error as { message: string }} />;
  if (!releases) return <p className="muted">Loading…</p>;
  if (releases.length === 0) return <p className="muted">None of the registered releases is trained on your work yet.</p>;
  return (
    <ul className="my-releases" aria-label="Releases with my work">
      {releases.map((r) => (
        <li key={r.id}>
          <strong>{r.model_name} {r.version}</strong> — trained on {r.my_annotations} of your accepted annotations
          {r.base_model ? `, from ${r.base_model}` : ''}; registered {formatDate(r.created_at)} <code title={r.hash}>{shortHash(r.hash)}</code>
        </li>
      ))}
    </ul>
  );
}

export function MyReleasesPage() {
  return (
    <>
      <PageHeading title="My releases and data" lead="The model releases your work went into, and everything you contributed." />
      <section className="card" aria-labelledby="mr-h">
        <h2 id="mr-h">Releases with my work</h2>
        <MyReleasesList />
      </section>
      <section className="card" aria-labelledby="md-h">
        <h2 id="md-h">Download my data</h2>
        <p>Your submissions with the items they answer and their review outcomes, and your full ledger history.</p>
        <p>
          <a className="btn" href="/api/me/export?format=json" download>Download JSON</a>{' '}
          <a className="btn" href="/api/me/export?format=csv" download>Download CSV</a>
        </p>
      </section>
      <p><Link to="/datasets/leaderboard">Leaderboard</Link> · <Link to="/equity">Equity</Link></p>
    </>
  );
}

export default MyReleasesPage;
