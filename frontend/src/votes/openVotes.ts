// The navigation's "N open votes": open proposals this member has not voted
// on yet, kept live from the coop channel. Small on purpose: it is in every
// member's first download (the Votes pages themselves load on demand).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useChannel } from '../live/live';
import { votesApi, type Proposal } from './api';
import { notEligible } from './receipts';

type Waiting = Pick<Proposal, 'id' | 'status' | 'my_vote'>;

/** Open proposals (voting under way) the member has not voted on and may vote on. */
export function unvotedCount(ps: readonly Waiting[], skip: readonly number[] = []): number {
  return ps.filter((p) => p.status === 'open' && !p.my_vote?.voted && !skip.includes(p.id)).length;
}

export function openVotesLabel(n: number): string {
  return n === 1 ? '1 open vote' : `${n} open votes`;
}

// This tab's own votes, so the count drops at once (the coop channel's
// proposal.voted carries no identities).
const voted = new Set<(id: number) => void>();
export function noteMyVote(id: number) {
  voted.forEach((fn) => fn(id));
}

const PROPOSAL_EVENTS = new Set(['proposal.opened', 'proposal.voted', 'proposal.closed', 'proposal.closing_soon']);

/** null until known (or when the proposals cannot be read). */
export function useOpenVoteCount(memberId: number | null): number | null {
  const [list, setList] = useState<Waiting[] | null>(null);
  const listRef = useRef<Waiting[] | null>(null);
  listRef.current = list;
  const alive = useRef(true);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const load = useCallback(() => {
    if (memberId === null) return;
    votesApi.allProposals({ status: 'open', limit: 100 }).then(
      (ps) => alive.current && setList(ps.map(({ id, status, my_vote }) => ({ id, status, my_vote }))),
      () => alive.current && setList((l) => l ?? null),
    );
  }, [memberId]);

  const refreshOne = useCallback((id: number) => {
    const t = timers.current.get(id);
    if (t) clearTimeout(t);
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        votesApi.proposal(id).then(
          (p) =>
            alive.current &&
            setList((l) => {
              const rest = (l ?? []).filter((x) => x.id !== id);
              return p.status === 'open' || p.status === 'seeking_sponsors' ? [...rest, { id: p.id, status: p.status, my_vote: p.my_vote }] : rest;
            }),
          () => {},
        );
      }, 300),
    );
  }, []);

  useEffect(() => {
    alive.current = true;
    const pending = timers.current;
    load();
    const onMine = (id: number) => setList((l) => l && l.map((p) => (p.id === id ? { ...p, my_vote: { ...p.my_vote, voted: true } } : p)));
    voted.add(onMine);
    return () => {
      alive.current = false;
      voted.delete(onMine);
      pending.forEach((t) => clearTimeout(t));
      pending.clear();
    };
  }, [load]);

  useChannel(
    memberId === null ? null : 'coop',
    (e) => {
      if (!PROPOSAL_EVENTS.has(e.type)) return;
      const id = typeof e.payload.id === 'number' ? e.payload.id : null;
      if (id === null) return;
      if (e.type === 'proposal.closed') setList((l) => l && l.filter((p) => p.id !== id));
      else if (e.type === 'proposal.opened') refreshOne(id);
      else if (e.type === 'proposal.voted') {
        // Maybe this member, from another tab or device: check only proposals still waiting for them.
        if (listRef.current?.some((p) => p.id === id && !p.my_vote?.voted)) refreshOne(id);
      }
    },
    { onReset: load },
  );

  if (list === null || memberId === null) return null;
  return unvotedCount(list, notEligible(memberId));
}
