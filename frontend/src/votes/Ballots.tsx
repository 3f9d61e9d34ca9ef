// A closed proposal's published ballots (receipt, choice; names only for an
// open ballot), the member's own receipt highlighted, and a recount done
// here in the browser from the published ballots.
import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { ErrorAlert } from '../ui';
import { votesApi, type Ballots, type Proposal } from './api';
import { loadBallot, receiptHash } from './receipts';
import { recount, type CountRules, type Recount } from './tally';
import { CHOICE_LABEL } from './VoteBox';
import { tallyText } from './format';

function choiceText(c: string): string {
  return c === 'yes' || c === 'no' || c === 'abstain' ? CHOICE_LABEL[c] : c;
}

export function PublishedBallots({ proposal: p, memberId, rules }: { proposal: Proposal; memberId: number; rules: CountRules | null }) {
  const [data, setData] = useState<Ballots | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<Recount | null>(null);
  useEffect(() => {
    let live = true;
    votesApi.ballots(p.id).then(
      (b) => live && setData(b),
      (e) => live && setError(e as ApiError),
    );
    return () => {
      live = false;
    };
  }, [p.id]);
  const mine = loadBallot(memberId, p.id);
  if (error) return <ErrorAlert error={error.code === 'proposal_open' ? 'The ballots are published when voting closes.' : error} />;
  if (!data) return <p className="muted">Loading the published ballots…</p>;
  const tally = data.tally ?? p.tally;
  // The server publishes the SHA-256 of each receipt, never the receipt itself.
  const mineHash = mine ? receiptHash(mine.receipt) : '';
  const found = mine ? data.ballots.find((b) => b.receipt === mineHash) : undefined;
  const open = data.ballots.some((b) => b.member !== undefined);
  return (
    <section className="card" aria-labelledby={`ballots-${p.id}`}>
      <h2 id={`ballots-${p.id}`}>Published ballots</h2>
      <p className="small muted">
        {open
          ? 'This was an open ballot: each ballot is published with the member’s name.'
          : 'Each ballot is published with the SHA-256 of its random receipt and no name. Only the voter knows which receipt is theirs.'}
      </p>
      {mine && (
        <p className={found && found.choice === mine.choice ? 'st-check st-ok' : 'st-check st-bad'} data-testid="my-receipt-check">
          {found
            ? found.choice === mine.choice
              ? `Your receipt ${mine.receipt} is in the published ballots, counted as ${choiceText(found.choice)}. ✓`
              : `Your receipt ${mine.receipt} is published with ${choiceText(found.choice)}, but this browser recorded ${choiceText(mine.choice)}.`
            : `Your receipt ${mine.receipt} is not among the published ballots.`}
        </p>
      )}
      {tally && (
        <div className="vt-recount">
          <button type="button" className="btn" onClick={() => setResult(recount(data.ballots, tally, rules, p.special))}>
            Recount from the published ballots
          </button>
          <p role="status" aria-live="polite" data-testid="recount">
            {result &&
              (result.matches
                ? `Recount: ${tallyText(result.counted)} from ${data.ballots.length} ballot${data.ballots.length === 1 ? '' : 's'} — matches the recorded tally${result.result ? ` (${result.result.passed ? 'passed' : 'failed'})` : ''}. ✓`
                : `Recount does not match the recorded tally: ${result.differences.join('; ')}.`)}
          </p>
        </div>
      )}
      {data.ballots.length === 0 ? (
        <p className="muted">No ballots were cast.</p>
      ) : (
        <div className="table-wrap vt-ballots">
          <table className="table eq-table" data-testid="ballots">
            <caption className="visually-hidden">Published ballots</caption>
            <thead>
              <tr>
                <th scope="col">Receipt</th>
                {open && <th scope="col">Member</th>}
                <th scope="col">Choice</th>
              </tr>
            </thead>
            <tbody>
              {data.ballots.map((b, i) => {
                const own = !!mine && b.receipt === mineHash;
                return (
                  <tr key={`${b.receipt}-${i}`} className={own ? 'eq-me' : undefined} data-own={own || undefined}>
                    <td className="mono vt-receipt">
                      {b.receipt}
                      {own && <span className="tag tag-self">your ballot</span>}
                    </td>
                    {open && <td>{b.member ?? ''}</td>}
                    <td>{choiceText(b.choice)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
