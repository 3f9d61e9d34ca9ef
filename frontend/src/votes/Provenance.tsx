// "Changed by proposal #7 (3 yes / 1 no / 1 abstain), 5 Mar 2026": shown
// wherever a rule that members vote on is displayed, when its version was
// made by a proposal (the version's proposal_id).
import { useEffect, useState } from 'react';
import { Link } from '../router';
import { formatDate } from '../ui';
import { votesApi, type Proposal } from './api';
import { countsText } from './tally';

const cache = new Map<number, Promise<Proposal>>();

/** A closed proposal does not change: fetch each one once per page load. */
export function proposalOnce(id: number): Promise<Proposal> {
  let p = cache.get(id);
  if (!p) {
    p = votesApi.proposal(id);
    cache.set(id, p);
    p.catch(() => cache.delete(id));
  }
  return p;
}

export function useProposalOnce(id: number | null | undefined): Proposal | null {
  const [p, setP] = useState<Proposal | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    proposalOnce(id).then(
      (x) => live && setP(x),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [id]);
  return id && p?.id === id ? p : null;
}

export function ChangedBy({ proposalId, at, className }: { proposalId: number | null | undefined; at?: string | null; className?: string }) {
  const p = useProposalOnce(proposalId);
  if (!proposalId) return null;
  const when = at && !at.startsWith('0001') ? at : (p?.executed?.at ?? p?.closed_at ?? null);
  return (
    <span className={`vt-changed-by ${className ?? ''}`} data-testid={`changed-by-${proposalId}`}>
      Changed by <Link to={`/votes/${proposalId}`}>proposal #{proposalId}</Link>
      {p && <> “{p.title}”</>} ({p?.tally ? countsText(p.tally) : p ? 'tally not published' : 'loading the tally…'})
      {when && <>, {formatDate(when)}</>}
    </span>
  );
}
