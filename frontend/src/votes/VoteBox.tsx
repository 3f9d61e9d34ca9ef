// The member's vote on one proposal: three big buttons (Tab to reach them,
// Enter or Space to press; y / n / a anywhere in the proposal), the member's
// own vote, changeable until the close. A secret ballot's receipt and choice
// are kept in this browser only and sent back only to change the vote.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { ApiError } from '../api';
import { isTypingTarget, plainKey } from '../labeling/keys';
import { formatDate } from '../ui';
import { CHOICES, votesApi, type Choice, type Proposal, type VoteResult } from './api';
import { loadBallot, markNotEligible, saveBallot, type StoredBallot } from './receipts';
import { noteMyVote } from './openVotes';
import { H } from './Heading';

export const CHOICE_LABEL: Record<Choice, string> = { yes: 'Yes', no: 'No', abstain: 'Abstain' };
export const CHOICE_KEY: Record<Choice, string> = { yes: 'y', no: 'n', abstain: 'a' };
const KEY_CHOICE: Record<string, Choice> = { y: 'yes', n: 'no', a: 'abstain' };

/** The choice a key press stands for, or null (typing in a field, modifiers, other keys). */
export function choiceForKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null; repeat?: boolean }): Choice | null {
  if (e.repeat || isTypingTarget(e.target)) return null;
  const k = plainKey(e);
  return k ? (KEY_CHOICE[k] ?? null) : null;
}

export type MyVoteState =
  | { kind: 'none' }
  /** Voted, and this browser knows the choice (and, for a secret ballot, the receipt). */
  | { kind: 'known'; choice: Choice; receipt: string | null }
  /** Voted secretly from another browser: the choice and receipt are not here. */
  | { kind: 'elsewhere' }
  /** This browser holds a ballot the server no longer has (the proposal was amended). */
  | { kind: 'discarded'; stored: StoredBallot };

export function myVoteState(p: Pick<Proposal, 'my_vote'>, secret: boolean, stored: StoredBallot | null): MyVoteState {
  if (!p.my_vote?.voted) return stored ? { kind: 'discarded', stored } : { kind: 'none' };
  if (!secret && p.my_vote.choice) return { kind: 'known', choice: p.my_vote.choice, receipt: stored?.receipt ?? null };
  if (stored) return { kind: 'known', choice: stored.choice, receipt: stored.receipt };
  return { kind: 'elsewhere' };
}

export interface VoteBoxProps {
  proposal: Proposal;
  memberId: number;
  secret: boolean;
  /** Called after the server accepted the vote. */
  onVoted: (id: number, r: VoteResult, wasVoted: boolean) => void;
  /** The proposal closed meanwhile (409 proposal_closed): reload it. */
  onClosed?: (id: number) => void;
  /**
   * Where y / n / a vote: 'page' anywhere on the page (the proposal's own
   * page), or inside an element (its card in a list, so several open
   * proposals do not share the keys).
   */
  keys?: 'page' | RefObject<HTMLElement | null>;
  /** Level of the "Your vote" heading. */
  level?: number;
}

export function VoteBox({ proposal: p, memberId, secret, onVoted, onClosed, keys, level = 3 }: VoteBoxProps) {
  const [stored, setStored] = useState<StoredBallot | null>(() => loadBallot(memberId, p.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const busyRef = useRef(false);
  const state = myVoteState(p, secret, stored);
  const open = p.status === 'open';
  const mine = state.kind === 'known' ? state.choice : null;
  const headingId = `vote-h-${p.id}`;

  useEffect(() => setStored(loadBallot(memberId, p.id)), [memberId, p.id]);

  async function cast(choice: Choice) {
    if (!open || busyRef.current) return;
    setError(null);
    if (state.kind === 'elsewhere') {
      setError('You voted from another browser or device. Your receipt is kept there: change your vote from there.');
      return;
    }
    if (mine === choice) {
      setSaid(`Your vote is already ${CHOICE_LABEL[choice]}.`);
      return;
    }
    // The receipt goes back (to this route only) to change one's own ballot, and only while the server holds it.
    const receipt = p.my_vote?.voted && state.kind === 'known' ? (state.receipt ?? undefined) : undefined;
    busyRef.current = true;
    setBusy(true);
    try {
      const r = await votesApi.vote(p.id, choice, receipt);
      const b: StoredBallot = { receipt: r.receipt, choice: r.choice ?? choice, at: new Date().toISOString(), opened_at: p.opened_at };
      saveBallot(memberId, p.id, b);
      setStored(b);
      setSaid(`${r.changed || p.my_vote?.voted ? 'Vote changed' : 'Vote recorded'}: ${CHOICE_LABEL[b.choice]}.`);
      noteMyVote(p.id);
      onVoted(p.id, r, !!p.my_vote?.voted);
    } catch (e) {
      const err = e as ApiError;
      if (err.code === 'proposal_closed') {
        setError('Voting has closed on this proposal.');
        onClosed?.(p.id);
      } else if (err.code === 'not_eligible') {
        markNotEligible(memberId, p.id);
        setError(err.message || 'You may not vote on this proposal: only members admitted before it opened may vote.');
      } else if (err.code === 'already_voted') {
        setError('You have already voted on this proposal from another browser or device; change it from there, where your receipt is kept.');
      } else setError(err.message);
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }

  const castRef = useRef(cast);
  castRef.current = cast;

  // y / n / a: on the page, or within the proposal's card.
  useEffect(() => {
    if (!keys) return;
    const target: HTMLElement | Window | null = keys === 'page' ? window : keys.current;
    if (!target) return;
    const onKey = (e: Event) => {
      const k = e as KeyboardEvent;
      if (k.defaultPrevented) return;
      const c = choiceForKey(k);
      if (!c) return;
      k.preventDefault();
      void castRef.current(c);
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }, [keys]);

  if (p.status === 'seeking_sponsors') return null;

  return (
    <div className="vt-vote" role="group" aria-labelledby={headingId}>
      <H level={level} id={headingId} className="vt-vote-h">
        {open ? 'Your vote' : 'Your vote (voting has closed)'}
      </H>
      {open && (
        <div className="vt-buttons">
          {CHOICES.map((c) => (
            <button
              key={c}
              type="button"
              className={`btn vt-btn vt-btn-${c}${mine === c ? ' vt-btn-on' : ''}`}
              aria-pressed={mine === c}
              aria-keyshortcuts={CHOICE_KEY[c]}
              // Not disabled while sending: a disabled button would drop the keyboard focus.
              aria-disabled={busy || undefined}
              disabled={state.kind === 'elsewhere'}
              onClick={() => void cast(c)}
            >
              {CHOICE_LABEL[c]}
              <kbd className="kbd" aria-hidden="true">
                {CHOICE_KEY[c].toUpperCase()}
              </kbd>
            </button>
          ))}
        </div>
      )}
      <p className="vt-mine" data-testid={`my-vote-${p.id}`}>
        {state.kind === 'none' && (open ? 'You have not voted yet. Press Y, N or A, or choose a button.' : 'You did not vote.')}
        {state.kind === 'known' && (
          <>
            You voted <strong>{CHOICE_LABEL[state.choice]}</strong>
            {open && p.closes_at ? `; you can change it until ${formatDate(p.closes_at)}.` : '.'}
            {secret && state.receipt && (
              <>
                {' '}
                Your receipt (kept in this browser only): <code className="vt-receipt">{state.receipt}</code>
              </>
            )}
          </>
        )}
        {state.kind === 'elsewhere' && 'You voted from another browser or device; your choice and receipt are kept there.'}
        {state.kind === 'discarded' &&
          (open
            ? `The proposal was amended after you voted ${CHOICE_LABEL[state.stored.choice]}, so every vote was discarded: vote again.`
            : 'You did not vote on the final version.')}
      </p>
      <p className="vt-said" role="status" aria-live="polite">
        {said}
      </p>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
