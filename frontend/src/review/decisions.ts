// The reviewer's decision state, kept apart from React so it can be tested:
// which submissions still need a verdict, what the keyboard does, and the
// decisions request with ONE idempotency key per review and body, retried
// like labelling submits (labeling/submitQueue.ts) and kept in localStorage
// until the server answers.
import type { Answer } from '../labeling/types';
import { newIdempotencyKey, retryUntilAnswered, storedList, type RetryControl } from '../labeling/submitQueue';
import type { DecisionInput, DecisionsBody, ReviewKind, ReviewSubmission, Verdict } from './api';

export type DraftDecision =
  | { decision: 'accept'; comment?: string }
  | { decision: 'reject'; reason: string; comment?: string }
  | { decision: 'correct'; corrected_answer: Answer; comment?: string };

/** submission id → the reviewer's decision so far. */
export type DecisionMap = Readonly<Record<number, DraftDecision | undefined>>;

export function pendingIds(subs: readonly Pick<ReviewSubmission, 'id' | 'pending'>[]): number[] {
  return subs.filter((s) => s.pending).map((s) => s.id);
}

export function undecidedIds(subs: readonly Pick<ReviewSubmission, 'id' | 'pending'>[], map: DecisionMap): number[] {
  return pendingIds(subs).filter((id) => !map[id]);
}

/** Enter sends only when every pending submission has a verdict (and there is at least one). */
export function allDecided(subs: readonly Pick<ReviewSubmission, 'id' | 'pending'>[], map: DecisionMap): boolean {
  const p = pendingIds(subs);
  return p.length > 0 && p.every((id) => !!map[id]);
}

/** A dispute is accepted or rejected, never corrected. */
export function verdictsFor(kind: ReviewKind): Verdict[] {
  return kind === 'dispute' ? ['accept', 'reject'] : ['accept', 'reject', 'correct'];
}

/** The decisions of the request body, in submission order, pending submissions only. */
export function buildDecisions(subs: readonly Pick<ReviewSubmission, 'id' | 'pending'>[], map: DecisionMap): DecisionInput[] {
  const out: DecisionInput[] = [];
  for (const id of pendingIds(subs)) {
    const d = map[id];
    if (!d) throw new Error(`submission ${id} has no decision`);
    const x: DecisionInput = { submission_id: id, decision: d.decision };
    if (d.decision === 'reject') x.reason = d.reason;
    if (d.decision === 'correct') x.corrected_answer = d.corrected_answer;
    const c = d.comment?.trim();
    if (c) x.comment = c;
    out.push(x);
  }
  return out;
}

export function describeDecision(d: DraftDecision | undefined, humanReason: (r: string) => string = (r) => r): string {
  if (!d) return 'Not decided yet';
  if (d.decision === 'accept') return 'Accept';
  if (d.decision === 'reject') return `Reject: ${humanReason(d.reason)}`;
  return 'Correct (your answer replaces it)';
}

// ---- keyboard ----

export type ReviewAction =
  | { type: 'move'; delta: 1 | -1 }
  | { type: 'verdict'; verdict: Verdict }
  | { type: 'undo' }
  | { type: 'send' }
  | { type: 'help' };

/** Maps a key press (outside text boxes and dialogs) to a reviewer action. */
export function keyAction(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; shiftKey?: boolean }): ReviewAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case 'ArrowDown':
    case 'j':
    case 'J':
      return { type: 'move', delta: 1 };
    case 'ArrowUp':
    case 'k':
    case 'K':
      return { type: 'move', delta: -1 };
    case 'a':
    case 'A':
      return { type: 'verdict', verdict: 'accept' };
    case 'r':
    case 'R':
      return { type: 'verdict', verdict: 'reject' };
    case 'c':
    case 'C':
      return { type: 'verdict', verdict: 'correct' };
    case 'u':
    case 'U':
    case 'Backspace':
    case 'Delete':
      return { type: 'undo' };
    case 'Enter':
      return e.shiftKey ? null : { type: 'send' };
    case '?':
      return { type: 'help' };
  }
  return null;
}

/** Moves the focus index by delta within [0, count), clamped. */
export function moveIndex(current: number, delta: number, count: number): number {
  if (count <= 0) return 0;
  return Math.max(0, Math.min(count - 1, current + delta));
}

/** After a verdict: the next undecided pending submission after `from` (wrapping), else `from`. */
export function nextUndecided(ids: readonly number[], map: DecisionMap, from: number): number {
  for (let step = 1; step <= ids.length; step++) {
    const i = (from + step) % ids.length;
    if (!map[ids[i]]) return i;
  }
  return from;
}

/** "1".."9" picks the n-th reject reason. */
export function reasonForKey(key: string, reasons: readonly string[]): string | null {
  if (!/^[1-9]$/.test(key)) return null;
  return reasons[Number(key) - 1] ?? null;
}

// ---- sending with one idempotency key, retried ----

/**
 * One key per review and body: a retry of the same decisions reuses the key
 * (the server replays the stored result); changed decisions get a new key
 * (reusing it would be a 409 idempotency_conflict).
 */
export class IdempotencyKeys {
  private byReview = new Map<number, { body: string; key: string }>();
  constructor(private mint: () => string = newIdempotencyKey) {}
  keyFor(reviewId: number, decisions: DecisionInput[]): string {
    const body = JSON.stringify(decisions);
    const hit = this.byReview.get(reviewId);
    if (hit && hit.body === body) return hit.key;
    const key = this.mint();
    this.byReview.set(reviewId, { body, key });
    return key;
  }
}

export interface PendingDecisions {
  review_id: number;
  project_id: number;
  body: DecisionsBody;
  saved_at: number;
}

const stored = storedList<PendingDecisions>('copyhold.pendingReviews');
const readAll = stored.read;
const writeAll = stored.write;

export function savePendingDecisions(p: PendingDecisions) {
  writeAll([...readAll().filter((x) => x.review_id !== p.review_id), p]);
}

export function removePendingDecisions(reviewId: number) {
  writeAll(readAll().filter((x) => x.review_id !== reviewId));
}

export function pendingDecisionsFor(projectId: number): PendingDecisions[] {
  return readAll().filter((x) => x.project_id === projectId);
}

export interface SendOptions<T> extends RetryControl {
  send: (body: DecisionsBody) => Promise<T>;
}

/**
 * Sends the decisions until the server answers. Network failures and 5xx are
 * retried with the SAME body and key; the stored copy is dropped on success
 * and on a definite refusal (lease lost, invalid), which the caller shows.
 */
export function sendDecisionsWithRetry<T>(p: PendingDecisions, opts: SendOptions<T>): Promise<T> {
  return retryUntilAnswered(() => opts.send(p.body), () => removePendingDecisions(p.review_id), opts, 'Sending');
}
