// RFC 6962 Merkle tree test vectors: the 8-leaf tree of the Certificate
// Transparency reference implementation (certificate-transparency
// cpp/merkletree/merkle_tree_test.cc, the same data as transparency-dev/merkle
// testonly/constants.go and reference_test.go). Inclusion vectors there use
// 1-based leaf numbers; here they are the 0-based indexes RFC 9162 uses. The
// values were also re-derived with golang.org/x/mod/sumdb/tlog (ProveRecord,
// ProveTree, TreeHash), the library the server uses.
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { leafHash, nodeHash, rootFromLeafHashes, verifyConsistency, verifyInclusion, type Hash } from './merkle';

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hexToBytes);

// MTH(D[n]) for n = 1..8.
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hexToBytes);

const root = (n: number) => ROOTS[n - 1];
const hashes = (xs: string[]) => xs.map(hexToBytes);

const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  // From tlog.ProveTree (the server's library) over the same leaves.
  {
    size1: 3,
    size2: 7,
    proof: [
      '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
      '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      '837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e',
    ],
  },
  { size1: 4, size2: 7, proof: ['837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e'] },
];

function flip(h: Hash): Uint8Array<ArrayBuffer> {
  const c = new Uint8Array(h);
  c[0] ^= 1;
  return c;
}

describe('RFC 6962 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01', () => {
    // The empty tree and the empty leaf (RFC 6962 §2.1).
    expect(bytesToHex(rootFromLeafHashes([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(leafHash(LEAVES[0]))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(bytesToHex(nodeHash(leafHash(LEAVES[0]), leafHash(LEAVES[1])))).toBe(bytesToHex(root(2)));
  });

  it('computes the reference tree heads for 1..8 leaves', () => {
    const lh = LEAVES.map(leafHash);
    for (let n = 1; n <= 8; n++) expect(bytesToHex(rootFromLeafHashes(lh.slice(0, n))), `size ${n}`).toBe(bytesToHex(root(n)));
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3.2)', () => {
  it('accepts the reference vectors', () => {
    for (const v of INCLUSION) {
      expect(verifyInclusion(v.index, v.size, leafHash(LEAVES[v.index]), hashes(v.proof), root(v.size)), `${v.index} in ${v.size}`).toBe(true);
    }
  });

  it('rejects a tampered proof, the wrong leaf, index or tree, and a wrong root', () => {
    for (const v of INCLUSION) {
      const leaf = leafHash(LEAVES[v.index]);
      const proof = hashes(v.proof);
      for (let i = 0; i < proof.length; i++) {
        const bad: Hash[] = proof.slice();
        bad[i] = flip(bad[i]);
        expect(verifyInclusion(v.index, v.size, leaf, bad, root(v.size))).toBe(false);
      }
      expect(verifyInclusion(v.index, v.size, flip(leaf), proof, root(v.size))).toBe(false);
      expect(verifyInclusion(v.index, v.size, leaf, proof, flip(root(v.size)))).toBe(false);
      expect(verifyInclusion(v.index + 1, v.size, leaf, proof, root(v.size))).toBe(false);
      // (The size alone is not bound by the path: the signed root binds it.)
      expect(verifyInclusion(v.index, v.size + 1, leaf, proof, root(v.size + 1 > 8 ? 1 : v.size + 1))).toBe(false);
      // A proof with an extra or a missing hash.
      expect(verifyInclusion(v.index, v.size, leaf, [...proof, root(1)], root(v.size))).toBe(false);
      if (proof.length > 0) expect(verifyInclusion(v.index, v.size, leaf, proof.slice(0, -1), root(v.size))).toBe(false);
    }
    // index >= size
    expect(verifyInclusion(8, 8, leafHash(LEAVES[0]), [], root(8))).toBe(false);
    expect(verifyInclusion(0, 0, leafHash(LEAVES[0]), [], root(1))).toBe(false);
  });
});

describe('consistency proofs (RFC 9162 §2.1.4.2)', () => {
  it('accepts the reference vectors', () => {
    for (const v of CONSISTENCY) {
      expect(verifyConsistency(v.size1, v.size2, hashes(v.proof), root(v.size1), root(v.size2)), `${v.size1} → ${v.size2}`).toBe(true);
    }
  });

  it('rejects a tampered proof, an inconsistent root, and a smaller tree', () => {
    for (const v of CONSISTENCY) {
      const proof = hashes(v.proof);
      for (let i = 0; i < proof.length; i++) {
        const bad: Hash[] = proof.slice();
        bad[i] = flip(bad[i]);
        expect(verifyConsistency(v.size1, v.size2, bad, root(v.size1), root(v.size2)), `${v.size1} → ${v.size2} hash ${i}`).toBe(false);
      }
      // A different first or second root (a rewritten history, a fork).
      expect(verifyConsistency(v.size1, v.size2, proof, flip(root(v.size1)), root(v.size2))).toBe(false);
      expect(verifyConsistency(v.size1, v.size2, proof, root(v.size1), flip(root(v.size2)))).toBe(false);
      if (v.size1 !== v.size2) {
        // The trees swapped: the new one is smaller.
        expect(verifyConsistency(v.size2, v.size1, proof, root(v.size2), root(v.size1))).toBe(false);
        expect(verifyConsistency(v.size1, v.size2, [], root(v.size1), root(v.size2))).toBe(false);
        expect(verifyConsistency(v.size1, v.size2, [...proof, root(1)], root(v.size1), root(v.size2))).toBe(false);
        expect(verifyConsistency(v.size1, v.size2 - 1, proof, root(v.size1), root(v.size2 - 1))).toBe(false);
      }
    }
    // Same size: equal roots only, no proof.
    expect(verifyConsistency(8, 8, [], root(8), root(8))).toBe(true);
    expect(verifyConsistency(8, 8, [], root(8), root(7))).toBe(false);
    expect(verifyConsistency(8, 8, [root(1)], root(8), root(8))).toBe(false);
    // Every tree extends the empty one.
    expect(verifyConsistency(0, 8, [], rootFromLeafHashes([]), root(8))).toBe(true);
    expect(verifyConsistency(0, 8, [root(1)], rootFromLeafHashes([]), root(8))).toBe(false);
  });

  it('agrees with proofs built from the RFC 9162 definitions for every pair of sizes up to 8', () => {
    const lh = LEAVES.map(leafHash);
    for (let n = 1; n <= 8; n++) {
      for (let m = 0; m < n; m++) expect(verifyInclusion(m, n, lh[m], path(m, lh.slice(0, n)), root(n)), `${m} in ${n}`).toBe(true);
      for (let m = 1; m <= n; m++) expect(verifyConsistency(m, n, proofOf(m, lh.slice(0, n)), root(m), root(n)), `${m} → ${n}`).toBe(true);
    }
  });
});

// RFC 9162 §2.1.3.1 PATH(m, D[n]) and §2.1.4.1 PROOF(m, D[n]), over leaf hashes.
function split(n: number) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function path(m: number, d: Hash[]): Hash[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), rootFromLeafHashes(d.slice(k))] : [...path(m - k, d.slice(k)), rootFromLeafHashes(d.slice(0, k))];
}
function proofOf(m: number, d: Hash[]): Hash[] {
  return subproof(m, d, true);
}
function subproof(m: number, d: Hash[], b: boolean): Hash[] {
  const n = d.length;
  if (m === n) return b ? [] : [rootFromLeafHashes(d)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), rootFromLeafHashes(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), rootFromLeafHashes(d.slice(0, k))];
}

