// Signed notes (golang.org/x/mod/sumdb/note, C2SP signed-note) carrying a
// C2SP tlog-checkpoint, verified with Ed25519 (@noble/curves):
//
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]
//   \n
//   — <key name> <base64(4-byte key hash ‖ 64-byte signature)>\n
//
// The signature covers the note text: everything before the blank line,
// including the last line's "\n". The verifier key is
// "<name>+<8 hex digits key hash>+<base64(0x01 ‖ 32-byte public key)>", and the
// key hash is the first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { HASH_SIZE, type Hash } from './merkle';

export const ALG_ED25519 = 0x01;

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}

export interface VerifierKey {
  name: string;
  hash: number; // uint32
  publicKey: Uint8Array; // 32 bytes
  text: string;
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  /** The signed note exactly as received (what a member copies to report). */
  note: string;
}

/** Strict standard base64 (with padding), as Go's encoding/base64.StdEncoding writes it. */
export function b64decode(s: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new NoteError('not base64');
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new NoteError('not base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  // Reject non-canonical encodings (stray bits in the last character).
  if (b64encode(out) !== s) throw new NoteError('not canonical base64');
  return out;
}

export function b64encode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

/** Key names as the note package allows them: non-empty, no spaces, no '+'. */
function isKeyName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20);
}

/** First 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key). */
export function keyHash(name: string, publicKey: Uint8Array): number {
  const n = utf8ToBytes(name);
  const b = new Uint8Array(n.length + 2 + publicKey.length);
  b.set(n, 0);
  b[n.length] = 0x0a;
  b[n.length + 1] = ALG_ED25519;
  b.set(publicKey, n.length + 2);
  const h = sha256(b);
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/** Parses "name+hexhash+base64(0x01 ‖ pubkey)" and checks that the hash matches. */
export function parseVerifierKey(text: string): VerifierKey {
  const t = text.trim();
  const i = t.indexOf('+');
  const j = t.indexOf('+', i + 1);
  if (i <= 0 || j < 0) throw new NoteError('malformed verifier key');
  const name = t.slice(0, i);
  const hex = t.slice(i + 1, j);
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(hex)) throw new NoteError('malformed verifier key');
  const key = b64decode(t.slice(j + 1));
  if (key.length !== 33 || key[0] !== ALG_ED25519) throw new NoteError('the verifier key is not an Ed25519 key');
  const publicKey = key.slice(1);
  const hash = parseInt(hex, 16);
  if (keyHash(name, publicKey) !== hash) throw new NoteError('the verifier key’s hash does not match its name and key');
  return { name, hash, publicKey, text: t };
}

export interface Signature {
  name: string;
  hash: number;
  sig: Uint8Array; // without the 4-byte key hash
}

/** Splits a signed note into its text (signed bytes) and signature lines. */
export function splitNote(msg: string): { text: string; sigs: Signature[] } {
  if (msg.length > 1 << 20) throw new NoteError('note too large');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no blank line before the signatures');
  const text = msg.slice(0, split + 1);
  const rest = msg.slice(split + 2);
  if (!rest.endsWith('\n')) throw new NoteError('malformed note: the signatures do not end with a newline');
  // Control characters other than newline are not allowed in a note.
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(msg)) throw new NoteError('malformed note: control characters');
  const sigs: Signature[] = [];
  for (const line of rest.slice(0, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || !isKeyName(m[1])) throw new NoteError('malformed note: bad signature line');
    const raw = b64decode(m[2]);
    if (raw.length < 5) throw new NoteError('malformed note: signature too short');
    const hash = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
    sigs.push({ name: m[1], hash, sig: raw.slice(4) });
  }
  if (sigs.length === 0) throw new NoteError('the note has no signatures');
  return { text, sigs };
}

/**
 * Verifies the note's signature by `key` (other signatures, e.g. witnesses'
 * cosignatures, are ignored) and returns the note text. Throws NoteError.
 */
export function openNote(msg: string, key: VerifierKey): string {
  const { text, sigs } = splitNote(msg);
  const mine = sigs.filter((s) => s.name === key.name && s.hash === key.hash);
  if (mine.length === 0) throw new NoteError(`the checkpoint is not signed by the key ${key.name}+${key.hash.toString(16).padStart(8, '0')}`);
  for (const s of mine) {
    // RFC 8032 (not ZIP-215) rules, as Go's crypto/ed25519 applies them.
    const ok = s.sig.length === 64 && safeVerify(s.sig, utf8ToBytes(text), key.publicKey);
    if (!ok) throw new NoteError('the checkpoint’s signature is not valid');
  }
  return text;
}

function safeVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}

/** Parses a C2SP tlog-checkpoint body (the note text). */
export function parseCheckpointText(text: string): Omit<Checkpoint, 'note'> {
  const lines = text.split('\n');
  // text ends with "\n", so the last element is "".
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('malformed checkpoint');
  const [origin, sizeText, rootText] = lines;
  if (origin === '') throw new NoteError('malformed checkpoint: empty origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new NoteError('malformed checkpoint: bad tree size');
  const root = b64decode(rootText);
  if (root.length !== HASH_SIZE) throw new NoteError('malformed checkpoint: bad root hash');
  if (lines.slice(3, -1).some((l) => l === '')) throw new NoteError('malformed checkpoint: empty extension line');
  return { origin, size: Number(sizeText), root };
}

/** Verifies a signed checkpoint against the verifier key and parses it. */
export function verifyCheckpoint(msg: string, key: VerifierKey): Checkpoint {
  const text = openNote(msg, key);
  return { ...parseCheckpointText(text), note: msg };
}
