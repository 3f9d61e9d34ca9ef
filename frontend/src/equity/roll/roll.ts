// The member's side of the court roll: the verifier key pinned on first use,
// the last checkpoint this browser verified (localStorage, one record per
// co-op), and the checks made on every visit: the new checkpoint's signature
// against the pinned key, then a consistency proof from the stored checkpoint.
// The stored checkpoint is replaced only by one that was proven to extend it.
import { b64decode, NoteError, parseVerifierKey, verifyCheckpoint, type Checkpoint, type VerifierKey } from './note';
import { equalBytes, leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { checkCosignatures, type WitnessCheck } from './cosign';

/** What the server publishes (server/…: GET /api/register/*; see PLAN-issue13). */
export interface RollSource {
  key(): Promise<string>;
  checkpoint(): Promise<string>;
  consistency(from: number, to: number): Promise<{ from: number; to: number; proof: string[] }>;
  inclusion(index: number, size: number): Promise<{ index: number; size: number; leaf_hash: string; proof: string[] }>;
  entry(index: number): Promise<{ index: number; kind: string; ref_id: number; leaf: string; leaf_hash?: string }>;
  /** The witnesses the co-op trusts (GET /api/register/witnesses). */
  witnesses?(): Promise<{ witnesses: { name: string; key: string }[] }>;
}

export interface RollStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What this browser remembers for one co-op. */
export interface Remembered {
  /** The verifier key, pinned the first time this browser saw the court roll. */
  key: string;
  /** The last signed checkpoint this browser verified (null before the first). */
  checkpoint: string | null;
}

export const STORAGE_PREFIX = 'copyhold.courtroll.v1:';

export function loadRemembered(storage: RollStorage, coop: string): Remembered | null {
  try {
    const raw = storage.getItem(STORAGE_PREFIX + coop);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Remembered>;
    if (typeof v.key !== 'string') return null;
    return { key: v.key, checkpoint: typeof v.checkpoint === 'string' ? v.checkpoint : null };
  } catch {
    return null;
  }
}

function remember(storage: RollStorage, coop: string, r: Remembered) {
  storage.setItem(STORAGE_PREFIX + coop, JSON.stringify(r));
}

export type Problem =
  | 'key_changed' // the server presents a different key than the one pinned
  | 'bad_key' // the served key is not a valid verifier key
  | 'bad_signature' // the checkpoint is not validly signed by the pinned key
  | 'other_log' // the checkpoint names another log (origin)
  | 'smaller' // the tree is smaller than the one this browser verified
  | 'fork' // same size, different root
  | 'inconsistent' // the consistency proof does not check
  | 'bad_entry'; // an entry's inclusion proof does not check

export type RollResult =
  | {
      state: 'verified';
      checkpoint: Checkpoint;
      key: VerifierKey;
      firstUse: boolean;
      previousSize: number | null;
      /** Each trusted witness's cosignature on the checkpoint; null when the list could not be fetched. */
      witnesses: WitnessCheck[] | null;
    }
  | {
      state: 'failed';
      problem: Problem;
      detail: string;
      /** The checkpoint this browser verified before (kept), as text. */
      stored: string | null;
      /** The checkpoint the server sent now (refused), as text. */
      received: string | null;
      pinnedKey: string | null;
      servedKey: string | null;
    }
  | { state: 'unavailable'; detail: string };

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * One visit's check. Never throws; never replaces the stored checkpoint
 * unless the new one is validly signed and consistent with it.
 */
export async function checkRoll(source: RollSource, storage: RollStorage, coop: string): Promise<RollResult> {
  let servedKey: string;
  let note: string;
  try {
    servedKey = (await source.key()).trim();
    note = await source.checkpoint();
  } catch (e) {
    return { state: 'unavailable', detail: msg(e) };
  }
  const before = loadRemembered(storage, coop);
  const stored = before?.checkpoint ?? null;
  const fail = (problem: Problem, detail: string): RollResult => ({
    state: 'failed',
    problem,
    detail,
    stored,
    received: note,
    pinnedKey: before?.key ?? null,
    servedKey,
  });

  // The key: pinned on first use, and must never change afterwards.
  let key: VerifierKey;
  try {
    key = parseVerifierKey(before?.key ?? servedKey);
  } catch (e) {
    return fail('bad_key', msg(e));
  }
  if (before && before.key !== servedKey) return fail('key_changed', 'The server now presents a different signing key than the one this browser pinned.');

  // The signature.
  let cp: Checkpoint;
  try {
    cp = verifyCheckpoint(note, key);
  } catch (e) {
    return fail('bad_signature', msg(e));
  }

  // Consistency with what this browser verified before.
  let previousSize: number | null = null;
  if (stored) {
    let old: Checkpoint;
    try {
      old = verifyCheckpoint(stored, key);
    } catch (e) {
      return fail('bad_signature', `the stored checkpoint no longer verifies: ${msg(e)}`);
    }
    previousSize = old.size;
    if (old.origin !== cp.origin) return fail('other_log', `the checkpoint is for “${cp.origin}”, not “${old.origin}”.`);
    if (cp.size < old.size) return fail('smaller', `the court roll now has ${cp.size} entries, but this browser already saw ${old.size}.`);
    if (cp.size === old.size) {
      if (!equalBytes(cp.root, old.root)) return fail('fork', `the court roll has the same ${cp.size} entries as before but a different root hash.`);
    } else if (old.size > 0) {
      let proof: Uint8Array[];
      try {
        const p = await source.consistency(old.size, cp.size);
        if (p.from !== old.size || p.to !== cp.size) return fail('inconsistent', 'the server answered with a proof for other sizes.');
        proof = (p.proof ?? []).map((h) => b64decode(h));
      } catch (e) {
        if (e instanceof NoteError) return fail('inconsistent', 'the consistency proof is malformed.');
        return { state: 'unavailable', detail: msg(e) };
      }
      if (!verifyConsistency(old.size, cp.size, proof, old.root, cp.root)) {
        return fail('inconsistent', `the court roll of ${cp.size} entries does not extend the one of ${old.size} entries this browser verified.`);
      }
    }
  }
  remember(storage, coop, { key: key.text, checkpoint: note });
  return { state: 'verified', checkpoint: cp, key, firstUse: !before, previousSize, witnesses: await witnessChecks(source, note) };
}

/** The trusted witnesses' cosignatures on a verified checkpoint. */
async function witnessChecks(source: RollSource, note: string): Promise<WitnessCheck[] | null> {
  if (!source.witnesses) return null;
  try {
    const { witnesses } = await source.witnesses();
    return checkCosignatures(note, Array.isArray(witnesses) ? witnesses : []);
  } catch {
    return null;
  }
}

export type EntryResult = { state: 'in' } | { state: 'pending' } | { state: 'failed'; detail: string } | { state: 'unavailable'; detail: string };

export const LEAF_PREFIX = 'copyhold-register-entry/v1\n';

/**
 * Is transaction `txId` at leaf `index` of the verified checkpoint? Hashes the
 * leaf bytes here (never trusting the server's leaf hash), checks that they
 * name the transaction, and checks the inclusion proof against the root.
 */
export async function checkEntry(source: RollSource, cp: Checkpoint, index: number, txId: number): Promise<EntryResult> {
  if (index >= cp.size) return { state: 'pending' };
  let leaf: Uint8Array;
  let proof: Uint8Array[];
  try {
    const e = await source.entry(index);
    const p = await source.inclusion(index, cp.size);
    leaf = b64decode(e.leaf);
    if (p.index !== index || p.size !== cp.size) return { state: 'failed', detail: `the server answered with a proof for entry ${p.index} of ${p.size}.` };
    proof = (p.proof ?? []).map((h) => b64decode(h));
  } catch (e) {
    if (e instanceof NoteError) return { state: 'failed', detail: 'the proof is malformed.' };
    return { state: 'unavailable', detail: msg(e) };
  }
  const head = new TextDecoder().decode(leaf.slice(0, 200)).split('\n');
  if (`${head[0]}\n` !== LEAF_PREFIX || head[1] !== `tx ${txId}`) {
    return { state: 'failed', detail: `entry ${index} of the court roll is not transaction ${txId}.` };
  }
  if (!verifyInclusion(index, cp.size, leafHash(leaf), proof, cp.root)) {
    return { state: 'failed', detail: `the proof that transaction ${txId} is entry ${index} of the court roll does not check.` };
  }
  return { state: 'in' };
}
