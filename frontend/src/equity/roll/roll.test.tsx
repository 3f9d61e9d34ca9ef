// Signed checkpoints and the member's stored checkpoint.
//
// The notes below were signed by golang.org/x/mod/sumdb/note v0.43.0 (the
// package the server signs with) in a throwaway program, with a deterministic
// key: note.GenerateKey over a reader yielding 0x00, 0x01, 0x02, … (the
// "other" key: 0x64, 0x65, …), name "copyhold.test/register". The trees are
// the RFC 6962 reference leaves of merkle.test.ts (roots 4e3bbb1f… for 5
// leaves, 5dc9da79… for 8); FORGED8 is the 8-leaf tree with leaf 2 rewritten.
import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { b64encode, keyHash, NoteError, parseVerifierKey, splitNote, verifyCheckpoint } from './note';
import { checkEntry, checkRoll, loadRemembered, STORAGE_PREFIX, type RollSource } from './roll';
import { leafHash, nodeHash } from './merkle';
import { RollStatus, LineProofTag, VerifierKeyPanel } from './RollStatus';
import { resetRollForTests, startRollCheck } from './useRoll';

const SKEY = 'PRIVATE+KEY+copyhold.test/register+3a5de3ef+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f'; // for the record; never used here
const VKEY = 'copyhold.test/register+3a5de3ef+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4';
const VKEY_OTHER = 'copyhold.test/register+215efaa6+AQu8NGpXZnw4ASC9nH/X5R0sX9/qN80vW/QFssa/by14';

const NOTE5 =
  'copyhold.test/register\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n\n— copyhold.test/register Ol3j732YtcBQHxx+jaMy9K6B2rm0TYISJCxmO6ngqyl/2W7EfJUD5eNH5mMDaoWXLeyyu4fVKcbL3mM+IirT0Uh+RAg=\n';
const NOTE8 =
  'copyhold.test/register\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— copyhold.test/register Ol3j7/00jnXGhDfPj7DMgrDnk5AuloSPw9wNFFhxcjthHx1MEZjBLymG8aXZdQWYMiBoXndUMiUR6lRPk8W22LAAmQ8=\n';
const FORGED8 =
  'copyhold.test/register\n8\n2oQY99XttIyBeyIZA/iC3LGZv3GlJ658XNly1Wk0VHM=\n\n— copyhold.test/register Ol3j78o7hVM3pXPtZe8dQOLvAKNBIl080XWL+1SEtiyeU/GP5pzeN1lckmTxJH1P5wRgUvpzyacB6V42+1SVWMJzFw0=\n';
const NOTE8_OTHER_KEY =
  'copyhold.test/register\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— copyhold.test/register IV76phdfPR6C6j0EqCB3DesN2mQq7eKZlVRsVjTehLYNTwXykkzjWOjCcpfpo2UPhOIYtfIhqKMVA8X34lGEKzuaMAI=\n';

// tlog.ProveTree(8, 5, …) over the real and the forged tree.
const CONS_5_8 = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
];
const CONS_5_8_FORGED = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  '9e255e214c4cfe5fa0ad3c38ff3b25eb2f9e2121bc9a79f5645a12f63a007d80',
];

const b64 = (hex: string) => b64encode(hexToBytes(hex));

/** The private key behind VKEY: note.GenerateKey read the seed 0x00, 0x01, …, 0x1f. */
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);

/** Signs a note body as golang.org/x/mod/sumdb/note does, with SEED. */
function signNote(text: string): string {
  const k = parseVerifierKey(VKEY);
  const sig = ed25519.sign(utf8ToBytes(text), SEED);
  const raw = new Uint8Array(68);
  new DataView(raw.buffer).setUint32(0, k.hash);
  raw.set(sig, 4);
  return `${text}\n\u2014 ${k.name} ${b64encode(raw)}\n`;
}

function tamperSig(note: string): string {
  // Flip one bit inside the Ed25519 signature (after the 4-byte key hash).
  const i = note.lastIndexOf(' ') + 12;
  const c = note[i];
  return note.slice(0, i) + (c === 'A' ? 'B' : 'A') + note.slice(i + 1);
}

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

/** A fake court roll server: a key, a checkpoint, and consistency proofs by (from, to). */
function server(key: string, note: string, proofs: Record<string, string[]> = {}, extra: Partial<RollSource> = {}): RollSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    key: async () => (calls.push('key'), key + '\n'),
    checkpoint: async () => (calls.push('checkpoint'), note),
    consistency: async (from, to) => {
      calls.push(`consistency ${from} ${to}`);
      const p = proofs[`${from}-${to}`];
      if (!p) throw new Error('no proof');
      return { from, to, proof: p.map(b64) };
    },
    inclusion: async () => {
      throw new Error('unused');
    },
    entry: async () => {
      throw new Error('unused');
    },
    ...extra,
  };
}

const COOP = 'https://coop.example';

describe('verifier keys and signed notes', () => {
  it('parses the verifier key and computes its key hash like the note package', () => {
    const k = parseVerifierKey(VKEY);
    expect(k.name).toBe('copyhold.test/register');
    expect(k.hash).toBe(0x3a5de3ef);
    expect(keyHash(k.name, k.publicKey)).toBe(0x3a5de3ef);
    expect(SKEY.startsWith('PRIVATE+KEY+' + k.name + '+3a5de3ef+')).toBe(true);
    expect(() => parseVerifierKey(VKEY.replace('3a5de3ef', '3a5de3ee'))).toThrow(NoteError);
    expect(() => parseVerifierKey(VKEY.replace('+AQ', '+Ag'))).toThrow(NoteError); // not algorithm 0x01
    expect(() => parseVerifierKey('copyhold.test/register+3a5de3ef')).toThrow(NoteError);
  });

  it('verifies a checkpoint signed by the Go note package', () => {
    const cp = verifyCheckpoint(NOTE8, parseVerifierKey(VKEY));
    expect(cp.origin).toBe('copyhold.test/register');
    expect(cp.size).toBe(8);
    expect(bytesToHex(cp.root)).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    const { text, sigs } = splitNote(NOTE5);
    expect(text).toBe('copyhold.test/register\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n');
    expect(sigs).toHaveLength(1);
    expect(sigs[0].sig).toHaveLength(64);
  });

  it('reproduces the Go note package’s signature byte for byte (Ed25519 is deterministic)', () => {
    expect(bytesToHex(ed25519.getPublicKey(SEED))).toBe(bytesToHex(parseVerifierKey(VKEY).publicKey));
    expect(signNote(NOTE8.slice(0, NOTE8.indexOf('\n\n') + 1))).toBe(NOTE8);
  });

  it('ignores signatures by other keys (witness cosignatures) next to the co-op’s', () => {
    const both = NOTE8 + NOTE8_OTHER_KEY.slice(NOTE8_OTHER_KEY.indexOf('—'));
    expect(verifyCheckpoint(both, parseVerifierKey(VKEY)).size).toBe(8);
    expect(verifyCheckpoint(both, parseVerifierKey(VKEY_OTHER)).size).toBe(8);
  });

  it('rejects a bad signature, the wrong key, a changed body and malformed notes', () => {
    const key = parseVerifierKey(VKEY);
    expect(() => verifyCheckpoint(tamperSig(NOTE8), key)).toThrow(/not valid/);
    expect(() => verifyCheckpoint(NOTE8_OTHER_KEY, key)).toThrow(/not signed by the key/);
    expect(() => verifyCheckpoint(NOTE8, parseVerifierKey(VKEY_OTHER))).toThrow(/not signed by the key/);
    expect(() => verifyCheckpoint(NOTE8.replace('\n8\n', '\n9\n'), key)).toThrow(/not valid/);
    // Another note's signature line under this body.
    expect(() => verifyCheckpoint(NOTE8.slice(0, NOTE8.indexOf('—')) + NOTE5.slice(NOTE5.indexOf('—')), key)).toThrow(/not valid/);
    expect(() => verifyCheckpoint(NOTE8.replace('\n\n', '\n'), key)).toThrow(NoteError);
    expect(() => verifyCheckpoint(NOTE8.slice(0, -1), key)).toThrow(NoteError);
    expect(() => verifyCheckpoint(NOTE8.replace('—', '-'), key)).toThrow(NoteError);
    expect(() => verifyCheckpoint('copyhold.test/register\n8\n\n— x AAAA\n', key)).toThrow(NoteError);
  });
});

describe('the stored checkpoint', () => {
  it('pins the key and stores the first checkpoint, then accepts a consistent larger one', async () => {
    const st = new MemStorage();
    const r1 = await checkRoll(server(VKEY, NOTE5), st, COOP);
    expect(r1.state).toBe('verified');
    if (r1.state === 'verified') expect(r1.firstUse).toBe(true);
    expect(loadRemembered(st, COOP)).toEqual({ key: VKEY, checkpoint: NOTE5 });

    const s2 = server(VKEY, NOTE8, { '5-8': CONS_5_8 });
    const r2 = await checkRoll(s2, st, COOP);
    expect(r2.state).toBe('verified');
    if (r2.state === 'verified') expect([r2.checkpoint.size, r2.previousSize, r2.firstUse]).toEqual([8, 5, false]);
    expect(s2.calls).toContain('consistency 5 8');
    expect(loadRemembered(st, COOP)?.checkpoint).toBe(NOTE8);

    // The same checkpoint again needs no proof.
    const s3 = server(VKEY, NOTE8);
    expect((await checkRoll(s3, st, COOP)).state).toBe('verified');
    expect(s3.calls).not.toContain('consistency 8 8');
    // Another co-op has its own record.
    expect(loadRemembered(st, 'https://other.example')).toBeNull();
  });

  async function failsKeeping(stored: string, src: RollSource, problem: string) {
    const st = new MemStorage();
    st.setItem(STORAGE_PREFIX + COOP, JSON.stringify({ key: VKEY, checkpoint: stored }));
    const r = await checkRoll(src, st, COOP);
    expect(r.state).toBe('failed');
    if (r.state === 'failed') {
      expect(r.problem).toBe(problem);
      expect(r.stored).toBe(stored);
    }
    expect(loadRemembered(st, COOP)).toEqual({ key: VKEY, checkpoint: stored }); // never replaced
    return r;
  }

  it('refuses a smaller tree', async () => {
    const r = await failsKeeping(NOTE8, server(VKEY, NOTE5), 'smaller');
    if (r.state === 'failed') expect(r.received).toBe(NOTE5);
  });

  it('refuses an inconsistent root: history rewritten and re-signed', async () => {
    await failsKeeping(NOTE5, server(VKEY, FORGED8, { '5-8': CONS_5_8_FORGED }), 'inconsistent');
    // …even with the honest tree's proof.
    await failsKeeping(NOTE5, server(VKEY, FORGED8, { '5-8': CONS_5_8 }), 'inconsistent');
  });

  it('refuses a fork of the same size', async () => {
    await failsKeeping(NOTE8, server(VKEY, FORGED8), 'fork');
  });

  it('refuses a tampered proof', async () => {
    const bad = CONS_5_8.slice();
    bad[1] = bad[1].replace(/^42/, '43');
    await failsKeeping(NOTE5, server(VKEY, NOTE8, { '5-8': bad }), 'inconsistent');
    await failsKeeping(NOTE5, server(VKEY, NOTE8, { '5-8': CONS_5_8.slice(0, 3) }), 'inconsistent');
    // A proof for other sizes.
    await failsKeeping(
      NOTE5,
      server(VKEY, NOTE8, {}, { consistency: async () => ({ from: 4, to: 8, proof: CONS_5_8.map(b64) }) }),
      'inconsistent',
    );
  });

  it('refuses a bad signature and a changed key', async () => {
    await failsKeeping(NOTE5, server(VKEY, tamperSig(NOTE8), { '5-8': CONS_5_8 }), 'bad_signature');
    await failsKeeping(NOTE5, server(VKEY, NOTE8_OTHER_KEY, { '5-8': CONS_5_8 }), 'bad_signature');
    // The server swapped its key (and signs with the new one): the pinned key wins.
    const r = await failsKeeping(NOTE5, server(VKEY_OTHER, NOTE8_OTHER_KEY, { '5-8': CONS_5_8 }), 'key_changed');
    if (r.state === 'failed') expect([r.pinnedKey, r.servedKey]).toEqual([VKEY, VKEY_OTHER]);
  });

  it('does not store a badly signed first checkpoint', async () => {
    const st = new MemStorage();
    const r = await checkRoll(server(VKEY, tamperSig(NOTE5)), st, COOP);
    expect(r.state).toBe('failed');
    expect(loadRemembered(st, COOP)?.checkpoint ?? null).toBeNull();
  });

  it('reports an unreachable server without touching the stored checkpoint', async () => {
    const st = new MemStorage();
    st.setItem(STORAGE_PREFIX + COOP, JSON.stringify({ key: VKEY, checkpoint: NOTE5 }));
    const r = await checkRoll(server(VKEY, NOTE8), st, COOP); // no proof served
    expect(r.state).toBe('unavailable');
    expect(loadRemembered(st, COOP)?.checkpoint).toBe(NOTE5);
  });
});

// An entry of the 8-leaf tree, as the server would send it: leaf i names
// transaction 100 + i. The tree is built here with the RFC's definitions.
function entryTree() {
  const leaves = Array.from({ length: 8 }, (_, i) => new TextEncoder().encode(`copyhold-register-entry/v1\ntx ${100 + i}\n{"id":${100 + i}}`));
  const h = leaves.map(leafHash);
  const n01 = nodeHash(h[0], h[1]);
  const n23 = nodeHash(h[2], h[3]);
  const n45 = nodeHash(h[4], h[5]);
  const n67 = nodeHash(h[6], h[7]);
  const root = nodeHash(nodeHash(n01, n23), nodeHash(n45, n67));
  // PATH(2, D[8]) = [h3, n01, n4567]
  const proof2 = [h[3], n01, nodeHash(n45, n67)];
  return { leaves, root, proof2 };
}

describe('inclusion of a statement line', () => {
  const { leaves, root, proof2 } = entryTree();
  const cp = { origin: 'o', size: 8, root, note: '' };
  const src = (proof = proof2, leaf = leaves[2]): RollSource => ({
    ...server(VKEY, NOTE8),
    entry: async (index) => ({ index, kind: 'tx', ref_id: 102, leaf: b64encode(leaf) }),
    inclusion: async (index, size) => ({ index, size, leaf_hash: b64encode(leafHash(leaf)), proof: proof.map(b64encode) }),
  });

  it('proves a transaction in the checkpoint; later entries are pending', async () => {
    expect(await checkEntry(src(), cp, 2, 102)).toEqual({ state: 'in' });
    expect(await checkEntry(src(), cp, 8, 108)).toEqual({ state: 'pending' });
  });

  it('fails for a tampered proof, another transaction, or a rewritten leaf', async () => {
    const bad = proof2.slice();
    bad[0] = leafHash(new Uint8Array([1]));
    expect((await checkEntry(src(bad), cp, 2, 102)).state).toBe('failed');
    expect((await checkEntry(src(), cp, 2, 103)).state).toBe('failed');
    const rewritten = new TextEncoder().encode('copyhold-register-entry/v1\ntx 102\n{"id":102,"amount":"9"}');
    expect((await checkEntry(src(proof2, rewritten), cp, 2, 102)).state).toBe('failed');
  });
});

describe('the court roll status', () => {
  it('shows "verified up to entry N ✓", the pinned key and "in the register ✓"', async () => {
    const st = new MemStorage();
    st.setItem(STORAGE_PREFIX + window.location.origin, JSON.stringify({ key: VKEY, checkpoint: NOTE5 }));
    resetRollForTests(server(VKEY, NOTE8, { '5-8': CONS_5_8 }), st);
    render(
      <>
        <RollStatus />
        <VerifierKeyPanel />
        <LineProofTag index={null} txId={1} />
      </>,
    );
    expect(screen.getByTestId('roll-status').textContent).toMatch(/Checking/);
    await act(() => startRollCheck());
    expect(screen.getByTestId('roll-status').textContent).toBe('Court roll verified up to entry 8 ✓');
    expect(screen.getByTestId('verifier-key').textContent).toBe(VKEY);
    expect(screen.getByTestId('roll-line').textContent).toBe('pending');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows "in the register ✓" once the inclusion proof checks, "not proven ✗" when it does not', async () => {
    // A checkpoint over entryTree, signed here with the same key as the Go
    // vectors (seed 0x00…0x1f): the note package's format, rebuilt.
    const { leaves, root, proof2 } = entryTree();
    const note = signNote(`copyhold.test/register\n8\n${b64encode(root)}\n`);
    expect(verifyCheckpoint(note, parseVerifierKey(VKEY)).size).toBe(8);
    const mk = (proof: Uint8Array[]): RollSource => ({
      ...server(VKEY, note),
      entry: async (index) => ({ index, kind: 'tx', ref_id: 100 + index, leaf: b64encode(leaves[index]) }),
      inclusion: async (index, size) => ({ index, size, leaf_hash: b64encode(leafHash(leaves[index])), proof: proof.map(b64encode) }),
    });
    resetRollForTests(mk(proof2), new MemStorage());
    const { unmount } = render(<LineProofTag index={2} txId={102} />);
    await act(() => startRollCheck());
    await screen.findByText('in the register ✓');
    unmount();

    resetRollForTests(mk([proof2[0], proof2[0], proof2[2]]), new MemStorage());
    render(
      <>
        <RollStatus />
        <LineProofTag index={2} txId={102} />
      </>,
    );
    await act(() => startRollCheck());
    await screen.findByText('not proven ✗');
    expect(screen.getByRole('alert').textContent).toMatch(/could not be proven to be in the court roll/);
  });

  it('shows a loud warning with both checkpoints, and keeps the stored one', async () => {
    const st = new MemStorage();
    st.setItem(STORAGE_PREFIX + window.location.origin, JSON.stringify({ key: VKEY, checkpoint: NOTE8 }));
    resetRollForTests(server(VKEY, NOTE5), st);
    render(<RollStatus />);
    await act(() => startRollCheck());
    const alert = screen.getByRole('alert');
    expect(within(alert).getByRole('heading').textContent).toBe('Warning: the court roll failed its check');
    expect(alert.textContent).toMatch(/shorter than when your browser last checked/);
    expect(alert.textContent).toMatch(/What to do/);
    expect((within(alert).getByLabelText('The checkpoint your browser verified before (kept)') as HTMLTextAreaElement).value).toBe(NOTE8);
    expect((within(alert).getByLabelText('The checkpoint the server sent now (refused)') as HTMLTextAreaElement).value).toBe(NOTE5);
    expect(screen.getByTestId('roll-status').textContent).toMatch(/failed/);
    expect(JSON.parse(st.getItem(STORAGE_PREFIX + window.location.origin)!).checkpoint).toBe(NOTE8);
  });

  it('renders a hostile checkpoint as inert text', async () => {
    const evil = '<img src=x onerror=alert(1)>\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— <b>x</b> AAAAAAA=\n';
    const st = new MemStorage();
    st.setItem(STORAGE_PREFIX + window.location.origin, JSON.stringify({ key: VKEY, checkpoint: NOTE8 }));
    resetRollForTests(server(VKEY, evil), st);
    const { container } = render(<RollStatus />);
    await act(() => startRollCheck());
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect((screen.getByLabelText('The checkpoint the server sent now (refused)') as HTMLTextAreaElement).value).toBe(evil);
  });
});
