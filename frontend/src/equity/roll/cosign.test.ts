// Witness cosignatures, checked against vectors made by the Go code the
// server and copyhold witness run (golang.org/x/mod/sumdb/note and
// filippo.io/torchwood): testdata/cosigned.json is written by
// equity/roll/fixture_test.go, which also checks that it verifies in Go.
import { describe, expect, it } from 'vitest';
import fixture from './testdata/cosigned.json';
import { checkCosignatures, parseWitnessKey } from './cosign';
import { NoteError, parseVerifierKey, verifyCheckpoint } from './note';

const [a, b] = fixture.witnesses;

/** Replaces one base64 letter inside the named line's signature (past the key hash and time). */
function tamper(note: string, name: string, at = 40): string {
  const start = note.indexOf(`— ${name} `) + name.length + 3;
  const c = note[start + at];
  return note.slice(0, start + at) + (c === 'A' ? 'B' : 'A') + note.slice(start + at + 1);
}

describe('witness cosignatures', () => {
  it('parses witness keys as torchwood prints them, and checks their hash', () => {
    const k = parseWitnessKey(a.key);
    expect(k.name).toBe('witness.a.test');
    expect(k.publicKey).toHaveLength(32);
    expect(() => parseWitnessKey(a.key.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(NoteError);
    // A register (note) key is not a witness key.
    expect(() => parseWitnessKey(fixture.log_key)).toThrow(/cosignature\/v1/);
  });

  it('verifies the Go cosignature, reports the absent one, ignores unlisted witnesses', () => {
    expect(verifyCheckpoint(fixture.note, parseVerifierKey(fixture.log_key)).size).toBe(8);
    const got = checkCosignatures(fixture.note, fixture.witnesses);
    expect(got.map((w) => [w.name, w.result.state])).toEqual([
      ['witness.a.test', 'cosigned'],
      ['witness.b.test', 'absent'],
    ]);
    const r = got[0].result;
    if (r.state !== 'cosigned') throw new Error('not cosigned');
    // The time is the one inside the signature, in seconds since 1970.
    expect(r.time.getTime() % 1000).toBe(0);
    expect(r.time.getFullYear()).toBeGreaterThanOrEqual(2025);
    // The untrusted witness's line verifies too once it is listed.
    expect(checkCosignatures(fixture.note, [fixture.untrusted])[0].result.state).toBe('cosigned');
  });

  it('reports an altered cosignature, and a cosignature moved to another checkpoint, as invalid', () => {
    expect(checkCosignatures(tamper(fixture.note, a.name), [a])[0].result.state).toBe('invalid');
    // The same lines under another tree size: every witness signature fails.
    const moved = fixture.note.replace('\n8\n', '\n9\n');
    expect(checkCosignatures(moved, [a, fixture.untrusted]).map((w) => w.result.state)).toEqual(['invalid', 'invalid']);
    // The register's own signature line is not a cosignature.
    const logName = fixture.log_key.split('+')[0];
    expect(checkCosignatures(fixture.note, [{ name: logName, key: fixture.log_key }])[0].result.state).toBe('invalid');
    // A listed key that does not parse.
    expect(checkCosignatures(fixture.note, [{ name: 'x', key: 'x+00000000+AAAA' }])[0].result.state).toBe('invalid');
    expect(b.name).toBe('witness.b.test');
  });
});
