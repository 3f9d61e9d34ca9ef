// The coop channel's proposal events applied to the lists on screen. Pure,
// so the page's live behaviour is tested without a socket. Payloads carry no
// identities and never a secret ballot's choice.
import type { LiveEvent } from '../live/client';
import type { Proposal, Tally } from './api';

export interface Lists {
  open: Proposal[];
  closed: Proposal[];
}

export interface Applied extends Lists {
  /** Fetch this proposal for its full state (opened, closed). */
  fetch: number | null;
  /** Within 24 hours of closing. */
  soon: number | null;
  /** A sentence for the polite live region, or ''. */
  say: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function applyProposalEvent(l: Lists, e: Pick<LiveEvent, 'type' | 'payload'>): Applied {
  const out: Applied = { open: l.open, closed: l.closed, fetch: null, soon: null, say: '' };
  const id = num(e.payload?.id);
  if (id === null) return out;
  const patch = (fn: (p: Proposal) => Proposal) => (ps: Proposal[]) => ps.map((p) => (p.id === id ? fn(p) : p));
  switch (e.type) {
    case 'proposal.opened': {
      out.fetch = id;
      const title = str(e.payload.title);
      out.say = title ? `New proposal open for voting: ${title}.` : 'A new proposal is open for voting.';
      return out;
    }
    case 'proposal.voted': {
      const voted = num(e.payload.voted);
      const eligible = num(e.payload.eligible);
      out.open = patch((p) => ({ ...p, voted: voted ?? p.voted, eligible: eligible ?? p.eligible }))(l.open);
      return out;
    }
    case 'proposal.closing_soon': {
      const closes = str(e.payload.closes_at);
      out.open = patch((p) => ({ ...p, closes_at: closes ?? p.closes_at }))(l.open);
      out.soon = id;
      const p = l.open.find((x) => x.id === id);
      out.say = p ? `Voting on “${p.title}” closes soon.` : '';
      return out;
    }
    case 'proposal.closed': {
      const status = str(e.payload.status);
      const tally = (e.payload.tally && typeof e.payload.tally === 'object' ? e.payload.tally : null) as Tally | null;
      const was = l.open.find((p) => p.id === id) ?? l.closed.find((p) => p.id === id);
      out.open = l.open.filter((p) => p.id !== id);
      if (was) {
        const closedNow = { ...was, status: status ?? was.status, tally: tally ?? was.tally };
        out.closed = [closedNow, ...l.closed.filter((p) => p.id !== id)];
      }
      out.fetch = id;
      out.say = `Voting closed on ${was ? `“${was.title}”` : `proposal #${id}`}${status ? `: ${status.replace(/_/g, ' ')}` : ''}.`;
      return out;
    }
    default:
      return out;
  }
}

/** Puts a freshly fetched proposal in the right list (open ones first, newest first). */
export function placeProposal(l: Lists, p: Proposal): Lists {
  const open = l.open.filter((x) => x.id !== p.id);
  const closed = l.closed.filter((x) => x.id !== p.id);
  if (p.status === 'open' || p.status === 'seeking_sponsors') {
    const i = l.open.findIndex((x) => x.id === p.id);
    if (i >= 0) open.splice(i, 0, p);
    else open.unshift(p);
    return { open, closed };
  }
  const j = l.closed.findIndex((x) => x.id === p.id);
  if (j >= 0) closed.splice(j, 0, p);
  else closed.unshift(p);
  return { open, closed };
}
