// Witness cosignatures on a checkpoint (C2SP tlog-cosignature, algorithm
// 0x04 "cosignature/v1"), as filippo.io/torchwood makes them and the server
// appends them to the checkpoint note (docs/LEDGER.md, "Witnesses"):
//
//   — <witness name> <base64(4-byte key hash ‖ 8-byte big-endian time ‖ 64-byte Ed25519 signature)>
//
// The Ed25519 signature covers "cosignature/v1\ntime <time>\n" followed by
// the checkpoint body (the note text). A witness verifier key is
// "<name>+<8 hex key hash>+<base64(0x04 ‖ 32-byte public key)>", the key hash
// being the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { b64decode, NoteError, splitNote } from './note';

export const ALG_COSIGNATURE_V1 = 0x04;

export interface WitnessKey {
  name: string;
  hash: number;
  publicKey: Uint8Array;
  text: string;
}

function witnessKeyHash(name: string, publicKey: Uint8Array): number {
  const n = utf8ToBytes(name);
  const b = new Uint8Array(n.length + 2 + publicKey.length);
  b.set(n, 0);
  b[n.length] = 0x0a;
  b[n.length + 1] = ALG_COSIGNATURE_V1;
  b.set(publicKey, n.length + 2);
  const h = sha256(b);
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/** Parses a witness verifier key and checks its hash. Throws NoteError. */
export function parseWitnessKey(text: string): WitnessKey {
  const t = text.trim();
  const i = t.indexOf('+');
  const j = t.indexOf('+', i + 1);
  if (i <= 0 || j < 0) throw new NoteError('malformed witness key');
  const name = t.slice(0, i);
  const hex = t.slice(i + 1, j);
  if (/[\s+]/u.test(name) || !/^[0-9a-f]{8}$/.test(hex)) throw new NoteError('malformed witness key');
  const key = b64decode(t.slice(j + 1));
  if (key.length !== 33 || key[0] !== ALG_COSIGNATURE_V1) throw new NoteError('not a cosignature/v1 witness key');
  const publicKey = key.slice(1);
  const hash = parseInt(hex, 16);
  if (witnessKeyHash(name, publicKey) !== hash) throw new NoteError('the witness key’s hash does not match its name and key');
  return { name, hash, publicKey, text: t };
}

export type WitnessState =
  | { state: 'cosigned'; time: Date } // a valid cosignature
  | { state: 'absent' } // no cosignature line by this witness
  | { state: 'invalid'; detail: string }; // a line by this witness that does not verify

export interface WitnessCheck {
  name: string;
  key: string;
  result: WitnessState;
}

/**
 * Checks the cosignature of every listed witness on a signed checkpoint.
 * Lines by keys not listed are ignored. A listed witness whose key does not
 * parse is reported invalid. Throws NoteError for a malformed note.
 */
export function checkCosignatures(msg: string, witnesses: { name: string; key: string }[]): WitnessCheck[] {
  const { text, sigs } = splitNote(msg);
  // Like the Go verifier: only a plain checkpoint (three lines) is cosigned.
  const plain = text.split('\n').length === 4;
  return witnesses.map(({ name, key }) => {
    let w: WitnessKey;
    try {
      w = parseWitnessKey(key);
    } catch (e) {
      return { name, key, result: { state: 'invalid', detail: `the co-op lists a malformed key for this witness (${(e as Error).message})` } };
    }
    const mine = sigs.filter((s) => s.name === w.name && s.hash === w.hash);
    if (mine.length === 0) return { name: w.name, key: w.text, result: { state: 'absent' } };
    let time: Date | null = null;
    for (const s of mine) {
      const t = s.sig.length === 72 ? new DataView(s.sig.buffer, s.sig.byteOffset, 8).getBigUint64(0) : -1n;
      const ok = plain && t >= 0n && t <= 8_640_000_000_000n && verify(s.sig.slice(8), utf8ToBytes(`cosignature/v1\ntime ${t}\n${text}`), w.publicKey);
      if (!ok) return { name: w.name, key: w.text, result: { state: 'invalid', detail: 'the cosignature does not verify for this checkpoint' } };
      time = new Date(Number(t) * 1000);
    }
    return { name: w.name, key: w.text, result: { state: 'cosigned', time: time as Date } };
  });
}

function verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}
