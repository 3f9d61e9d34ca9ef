// A member's own ballots, kept in this browser only. With a secret ballot the
// server stores just that the member voted and returns a receipt once; the
// receipt and the choice live here, per member and proposal, so the member
// can see their vote, change it (the receipt goes back to the vote route and
// nowhere else) and find it among the published ballots after the close.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Choice } from './api';

export interface StoredBallot {
  receipt: string;
  choice: Choice;
  /** When this browser cast or changed the vote. */
  at: string;
  /** The proposal's opened_at at the time: an amendment restarts the vote and voids the ballot. */
  opened_at?: string | null;
}

type KV = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'copyhold.ballot';

function local(): KV | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function ballotKey(memberId: number, proposalId: number): string {
  return `${PREFIX}.${memberId}.${proposalId}`;
}

function isChoice(v: unknown): v is Choice {
  return v === 'yes' || v === 'no' || v === 'abstain';
}

export function loadBallot(memberId: number, proposalId: number, store: KV | null = local()): StoredBallot | null {
  try {
    const raw = store?.getItem(ballotKey(memberId, proposalId));
    if (!raw) return null;
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (!v || typeof v.receipt !== 'string' || !v.receipt || !isChoice(v.choice)) return null;
    return {
      receipt: v.receipt,
      choice: v.choice,
      at: typeof v.at === 'string' ? v.at : '',
      opened_at: typeof v.opened_at === 'string' ? v.opened_at : null,
    };
  } catch {
    return null;
  }
}

export function saveBallot(memberId: number, proposalId: number, b: StoredBallot, store: KV | null = local()): boolean {
  try {
    if (!store) return false;
    store.setItem(ballotKey(memberId, proposalId), JSON.stringify(b));
    return true;
  } catch {
    return false; // storage full or disabled
  }
}

export function forgetBallot(memberId: number, proposalId: number, store: KV | null = local()): void {
  try {
    store?.removeItem(ballotKey(memberId, proposalId));
  } catch {
    // nothing to do
  }
}

// Proposals this member was told they may not vote on (403 not_eligible), so
// the navigation stops counting them as waiting for a vote.
const NOT_ELIGIBLE = 'copyhold.ballot.not-eligible';

export function markNotEligible(memberId: number, proposalId: number, store: KV | null = local()): void {
  try {
    const set = new Set(notEligible(memberId, store));
    set.add(proposalId);
    store?.setItem(`${NOT_ELIGIBLE}.${memberId}`, JSON.stringify([...set].slice(-200)));
  } catch {
    // ignore
  }
}

export function notEligible(memberId: number, store: KV | null = local()): number[] {
  try {
    const raw = store?.getItem(`${NOT_ELIGIBLE}.${memberId}`);
    const v: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  } catch {
    return [];
  }
}

/** receiptHash is how the server publishes a receipt: SHA-256 of its UTF-8 bytes, in hex. */
export function receiptHash(receipt: string): string {
  return bytesToHex(sha256(utf8ToBytes(receipt)));
}
