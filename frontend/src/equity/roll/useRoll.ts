// One court-roll check per visit to an equity page, shared by the status line,
// the statement lines and the register page's key panel.
import { useEffect, useSyncExternalStore } from 'react';
import { checkEntry, checkRoll, type EntryResult, type RollResult, type RollSource, type RollStorage } from './roll';
import { httpRollSource } from './source';

export type RollState = { state: 'checking' } | RollResult;

export interface EntryFailure {
  index: number;
  txId: number;
  detail: string;
}

interface Snapshot {
  roll: RollState;
  entries: Map<string, EntryResult | { state: 'checking' }>;
  entryFailures: EntryFailure[];
}

let source: RollSource = httpRollSource;
let storage: () => RollStorage | null = () => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
};
let snap: Snapshot = { roll: { state: 'checking' }, entries: new Map(), entryFailures: [] };
let inflight: Promise<void> | null = null;
const listeners = new Set<() => void>();

function set(patch: Partial<Snapshot>) {
  snap = { ...snap, ...patch };
  listeners.forEach((l) => l());
}

/** The co-op this browser talks to: one server, one court roll. */
export function coopId(): string {
  return window.location.origin;
}

/** Starts a check unless one is running. Every equity page calls it when shown. */
export function startRollCheck(): Promise<void> {
  if (inflight) return inflight;
  const st = storage();
  // Entries that could not be fetched last time are tried again on this visit.
  const entries = new Map([...snap.entries].filter(([, r]) => r.state !== 'unavailable' && r.state !== 'checking'));
  set({ roll: { state: 'checking' }, entries });
  if (!st) {
    set({ roll: { state: 'unavailable', detail: 'this browser does not let the page keep the checkpoint (local storage is off).' } });
    return Promise.resolve();
  }
  inflight = checkRoll(source, st, coopId()).then((r) => {
    inflight = null;
    set({ roll: r });
  });
  return inflight;
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useRollSnapshot(): Snapshot {
  return useSyncExternalStore(
    subscribe,
    () => snap,
    () => snap,
  );
}

/** Runs the visit's check on mount and returns its state. */
export function useRollCheck(): RollState {
  useEffect(() => {
    void startRollCheck();
  }, []);
  return useRollSnapshot().roll;
}

export type LineProof = 'none' | 'pending' | 'checking' | 'in' | 'failed' | 'unavailable';

/**
 * Whether a statement line's transaction is in the verified court roll:
 * 'none' when the server does not report register indexes, 'pending' while it
 * is not yet in a checkpoint.
 */
export function useLineProof(index: number | null | undefined, txId: number): LineProof {
  const { roll, entries } = useRollSnapshot();
  const cp = roll.state === 'verified' ? roll.checkpoint : null;
  const k = cp && typeof index === 'number' ? `${index}@${cp.size}:${cp.note}` : null;
  useEffect(() => {
    if (!cp || typeof index !== 'number' || !k || snap.entries.has(k)) return;
    const next = new Map(snap.entries);
    next.set(k, { state: 'checking' });
    set({ entries: next });
    void checkEntry(source, cp, index, txId).then((r) => {
      const m = new Map(snap.entries);
      m.set(k, r);
      const patch: Partial<Snapshot> = { entries: m };
      if (r.state === 'failed') patch.entryFailures = [...snap.entryFailures, { index, txId, detail: r.detail }];
      set(patch);
    });
  }, [cp, index, txId, k]);
  if (index === undefined) return 'none';
  if (index === null) return 'pending';
  if (roll.state === 'checking') return 'checking';
  if (roll.state !== 'verified' || !k) return 'unavailable';
  const r = entries.get(k);
  return r ? r.state : 'checking';
}

/** Tests: swap the server and the storage, and forget everything. */
export function resetRollForTests(s: RollSource, st: RollStorage | null) {
  source = s;
  storage = () => st;
  inflight = null;
  snap = { roll: { state: 'checking' }, entries: new Map(), entryFailures: [] };
}
