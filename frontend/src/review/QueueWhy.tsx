// Why a reviewer's queue is empty while reviews wait: a dispute never goes
// back to the reviewer who rejected, nor an item to someone who answered it.
// Says who can take them, or that nobody can.
import type { ReviewQueueView } from './api';

type Blocked = NonNullable<ReviewQueueView['not_for_you']>[number];

const GROUPS: { why: Blocked['why']; kind?: Blocked['kind']; one: string; many: string; because: string }[] = [
  { why: 'you_rejected', kind: 'dispute', one: 'dispute waits', many: 'disputes wait', because: 'you made the rejection it disputes' },
  { why: 'you_answered', kind: 'dispute', one: 'dispute waits', many: 'disputes wait', because: 'you answered the item' },
  { why: 'you_answered', kind: 'item', one: 'item waits', many: 'items wait', because: 'you answered it' },
  { why: 'not_reviewer', one: 'review waits', many: 'reviews wait', because: 'you do not hold the reviewer role' },
];

export function describeBlocked(view: ReviewQueueView): string[] {
  const out: string[] = [];
  for (const g of GROUPS) {
    const list = (view.not_for_you ?? []).filter((b) => b.why === g.why && (g.kind === undefined || b.kind === g.kind));
    if (list.length === 0) continue;
    const n = list.length;
    const it = n === 1 ? 'it' : 'them';
    const names = [...new Set(list.flatMap((b) => (b.eligible ?? []).map((e) => e.display_name)))];
    const nobody = list.filter((b) => (b.eligible ?? []).length === 0).length;
    let who: string;
    if (nobody === n) who = `No other reviewer can take ${it}: a coordinator has to give the reviewer role to a member who did not answer the item.`;
    else who = `Who can take ${it}: ${names.join(', ')}.${nobody ? ` Nobody can take ${nobody} of them yet.` : ''}`;
    out.push(`${n} ${n === 1 ? g.one : g.many} for another reviewer (${g.because}). ${who}`);
  }
  return out;
}

export function QueueWhy({ view }: { view: ReviewQueueView | null }) {
  if (!view || (view.not_for_you ?? []).length === 0) return null;
  return (
    <div className="alert" data-testid="queue-not-for-you">
      {describeBlocked(view).map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

/** For coordinators: reviews that no active reviewer may take. */
export function NoEligibleReviewer({ view }: { view: ReviewQueueView | null }) {
  if (!view || view.no_eligible_reviewer === 0) return null;
  const n = view.no_eligible_reviewer;
  return (
    <div className="alert alert-warn" role="status" data-testid="no-eligible-reviewer">
      <p>
        <strong>
          {n} {n === 1 ? 'item waits' : 'items wait'} with no reviewer who may take {n === 1 ? 'it' : 'them'}.
        </strong>{' '}
        Everyone with the reviewer role answered the item or made the rejection being disputed. Give the reviewer role to another member in Co-op admin.
      </p>
    </div>
  );
}
