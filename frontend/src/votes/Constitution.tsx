// The constitution in force and its versions, each with the proposal (and
// tally) that made it.
import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { bpToPercent } from '../equity/decimal';
import { Link } from '../router';
import { ErrorAlert, formatDate } from '../ui';
import { votesApi, type Constitution, type ConstitutionVersion } from './api';
import { BALLOT_TEXT, ELIGIBILITY_TEXT, hoursText, tallyText } from './format';

export function ConstitutionFacts({ c }: { c: Constitution }) {
  return (
    <dl className="facts" data-testid="constitution">
      <dt>Who may vote</dt>
      <dd>{ELIGIBILITY_TEXT[c.eligibility] ?? c.eligibility}</dd>
      <dt>Quorum</dt>
      <dd>{bpToPercent(c.quorum_bp)} of eligible members cast a ballot (abstentions count)</dd>
      <dt>Ordinary resolution</dt>
      <dd>passes with more than {bpToPercent(c.ordinary_majority_bp)} of the yes and no votes</dd>
      <dt>Special resolution</dt>
      <dd>passes with at least {bpToPercent(c.special_majority_bp)} of the yes and no votes (changes to the constitution)</dd>
      <dt>Voting period</dt>
      <dd>
        {hoursText(c.default_period_hours)} by default; from {hoursText(c.min_period_hours)} to {hoursText(c.max_period_hours)}
      </dd>
      <dt>Co-sponsors needed</dt>
      <dd>{c.cosponsors === 0 ? 'none: any member’s proposal opens at once' : c.cosponsors}</dd>
      <dt>Ballot</dt>
      <dd>{BALLOT_TEXT[c.ballot] ?? c.ballot}</dd>
    </dl>
  );
}

export function ConstitutionView() {
  const [c, setC] = useState<Constitution | null>(null);
  const [history, setHistory] = useState<ConstitutionVersion[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    votesApi.constitution().then(
      (x) => live && setC(x),
      (e) => live && setError(e as ApiError),
    );
    votesApi.constitutionHistory().then(
      (h) => live && setHistory([...h].sort((a, b) => b.version - a.version)),
      (e) => live && setError(e as ApiError),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <ErrorAlert error={error} />
      <section className="card" aria-labelledby="cn-now">
        <h2 id="cn-now">In force{c ? `: version ${c.version}` : ''}</h2>
        {c ? (
          <>
            <ConstitutionFacts c={c} />
            <p className="small vt-after-facts">
              {c.proposal_id ? (
                <>
                  Made by <Link to={`/votes/${c.proposal_id}`}>proposal #{c.proposal_id}</Link>, {formatDate(c.created_at)}.
                </>
              ) : (
                'The defaults the co-op started with.'
              )}{' '}
              <Link to="/votes/new?kind=constitution">Propose a change to the constitution</Link>
            </p>
          </>
        ) : (
          !error && <p className="muted">Loading…</p>
        )}
      </section>
      <section className="card" aria-labelledby="cn-hist">
        <h2 id="cn-hist">Versions</h2>
        {!history ? (
          !error && <p className="muted">Loading…</p>
        ) : history.length === 0 ? (
          <p className="muted">No version is recorded yet.</p>
        ) : (
          <ol className="eq-history" data-testid="constitution-history">
            {history.map((v) => (
              <li key={v.version}>
                <p>
                  <strong>Version {v.version}</strong> · {formatDate(v.created_at)} ·{' '}
                  {v.proposal_id ? (
                    <>
                      by <Link to={`/votes/${v.proposal_id}`}>proposal #{v.proposal_id}</Link>
                      {v.tally && <> ({tallyText(v.tally)})</>}
                    </>
                  ) : (
                    'shipped defaults'
                  )}
                </p>
                <p className="small">
                  Quorum {bpToPercent(v.quorum_bp)} · ordinary majority over {bpToPercent(v.ordinary_majority_bp)} · special majority {bpToPercent(v.special_majority_bp)} · period{' '}
                  {v.min_period_hours}–{v.max_period_hours} h (default {v.default_period_hours} h) · co-sponsors {v.cosponsors} · {v.ballot} ballot
                </p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
