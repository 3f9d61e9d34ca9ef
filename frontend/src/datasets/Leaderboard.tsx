// Per-model leaderboard from blind evaluation projects: Bradley–Terry
// ratings with 95% bootstrap intervals, the win-rate matrix and rubric means.
import { useEffect, useState } from 'react';
import { labelApi } from '../labeling/api';
import type { Model } from '../labeling/types';
import { PageHeading } from '../pages/PageHeading';
import { ErrorAlert } from '../ui';
import { datasetsApi, type Leaderboard } from './api';
import { RatingChart, RubricChart, WinMatrix } from './Charts';

export function LeaderboardPage() {
  const [models, setModels] = useState<Model[]>([]);
  const [modelId, setModelId] = useState(0);
  const [lb, setLb] = useState<Leaderboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    labelApi.models().then((m) => { setModels(m); if (m.length) setModelId(m[0].id); }).catch(setError);
  }, []);
  useEffect(() => {
    if (!modelId) return;
    let current = true; // a slow answer for the model chosen before is dropped
    datasetsApi
      .leaderboard(modelId)
      .then((b) => current && setLb(b))
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [modelId]);
  const bt = lb?.bradley_terry;
  return (
    <>
      <PageHeading title="Leaderboard" lead="Releases judged blind by members in evaluation projects." />
      <ErrorAlert error={error as { message: string } | null} />
      <label htmlFor="lb-model">Model</label>{' '}
      <select id="lb-model" value={modelId} onChange={(e) => setModelId(Number(e.target.value))}>
        {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
      </select>
      {lb && (
        <>
          <p className="muted">
            {plural(lb.releases?.length ?? 0, 'release')}, {plural(lb.evaluations?.length ?? 0, 'evaluation project')}, {plural(lb.comparisons, 'accepted comparison')}.
          </p>
          {bt ? (
            <section className="card" aria-labelledby="lb-ratings">
              <h2 id="lb-ratings">Ratings</h2>
              <RatingChart ratings={bt.ratings ?? []} />
              {inconclusive(bt.ratings ?? []) && (
                <p className="alert" role="note" data-testid="lb-inconclusive">
                  The leading intervals overlap: the order at the top is not yet conclusive. More comparisons will settle it.
                </p>
              )}
              <div className="table-wrap">
                <table className="table">
                  <thead><tr><th>Release</th><th>Score</th><th>95% interval</th><th>Wins</th><th>Losses</th><th>Ties</th></tr></thead>
                  <tbody>
                    {(bt.ratings ?? []).map((r) => (
                      <tr key={r.player}><td>{r.player}</td><td>{r.score.toFixed(1)}</td><td>{r.lower.toFixed(1)} – {r.upper.toFixed(1)}</td><td>{r.wins}</td><td>{r.losses}</td><td>{r.ties}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <h2>Win rates</h2>
              <WinMatrix m={bt.win_rates} />
            </section>
          ) : <p>No accepted pairwise judgements yet.</p>}
          {lb.rubric && lb.rubric.length > 0 && (
            <section className="card" aria-labelledby="lb-rubric">
              <h2 id="lb-rubric">Rubric means</h2>
              <RubricChart means={lb.rubric} />
            </section>
          )}
        </>
      )}
    </>
  );
}

export default LeaderboardPage;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The best two ratings' intervals overlap: the leader is not yet known. */
export function inconclusive(ratings: readonly { score: number; lower: number; upper: number }[]): boolean {
  if (ratings.length < 2) return false;
  const [a, b] = [...ratings].sort((x, y) => y.score - x.score);
  return a.lower <= b.upper;
}
