// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification, written to
// follow RFC 9162 §2.1.1 (hashes), §2.1.3.2 (verifying an inclusion proof) and
// §2.1.4.2 (verifying a consistency proof) step by step. The server builds the
// same tree with golang.org/x/mod/sumdb/tlog; merkle.test.ts checks both
// against the RFC 6962 reference test vectors.
import { sha256 } from '@noble/hashes/sha2.js';

export type Hash = Uint8Array; // 32 bytes

export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Hash {
  const b = new Uint8Array(1 + data.length);
  b[0] = 0x00;
  b.set(data, 1);
  return sha256(b);
}

/** RFC 9162 §2.1.1: an interior node, SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  const b = new Uint8Array(1 + left.length + right.length);
  b[0] = 0x01;
  b.set(left, 1);
  b.set(right, 1 + left.length);
  return sha256(b);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/**
 * RFC 9162 §2.1.1 MTH(D[n]) computed from leaf hashes: the root of the tree
 * over all of them (k = the largest power of two smaller than n). Used by
 * tests; the browser never has every leaf.
 */
export function rootFromLeafHashes(leaves: Hash[]): Hash {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(rootFromLeafHashes(leaves.slice(0, k)), rootFromLeafHashes(leaves.slice(k)));
}

// Tree sizes and indexes are JavaScript numbers: exact up to 2^53, far beyond
// any register. Bit operations use arithmetic, not the 32-bit `>>` and `&`.
const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
function checkInt(n: number, what: string) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} is not a non-negative integer`);
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that the leaf with hash `leaf` is at
 * `index` (0-based) in the tree of `size` leaves whose root is `root`?
 */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: Hash[], root: Hash): boolean {
  checkInt(index, 'index');
  checkInt(size, 'size');
  // 1. If leaf_index is greater than or equal to tree_size, then fail.
  if (index >= size) return false;
  // 2. Set fn to leaf_index and sn to tree_size - 1.
  let fn = index;
  let sn = size - 1;
  // 3. Set r to hash.
  let r = leaf;
  // 4. For each value p in the inclusion_path array:
  for (const p of proof) {
    if (p.length !== HASH_SIZE) return false;
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isOdd(fn) || fn === sn) {
      // i. Set r to HASH(0x01 || p || r).
      r = nodeHash(p, r);
      // ii. If LSB(fn) is not set, then right-shift both fn and sn equally
      //     until either LSB(fn) is set or fn is 0.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      // Otherwise: set r to HASH(0x01 || r || p).
      r = nodeHash(r, p);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0
  //    and r and the root_hash are equal, then the log has proven the
  //    inclusion of hash. Otherwise, fail the proof verification.
  return sn === 0 && equalBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size2` leaves with
 * root `root2` extends the tree of `size1` leaves with root `root1`?
 *
 * The RFC requires 0 < first; we also accept first = 0 with an empty proof
 * (every tree extends the empty tree) and first = second with an empty proof
 * and equal roots, as the Go checksum database and transparency-dev do.
 */
export function verifyConsistency(size1: number, size2: number, proof: Hash[], root1: Hash, root2: Hash): boolean {
  checkInt(size1, 'first size');
  checkInt(size2, 'second size');
  if (size2 < size1) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  if (size1 === 0) return proof.length === 0;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, then prepend first_hash to the
  //    consistency_path array.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr = path[0];
  let sr = path[0];
  // 6. For each subsequent value c in the consistency_path array:
  for (const c of path.slice(1)) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (isOdd(fn) || fn === sn) {
      // i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      // ii. If LSB(fn) is not set, then right-shift both fn and sn equally
      //     until either LSB(fn) is set or fn is 0.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      // Otherwise: set sr to HASH(0x01 || sr || c).
      sr = nodeHash(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 7. After completing iterating through the consistency_path array as
  //    described above, verify that the fr calculated is equal to the
  //    first_hash supplied, that the sr calculated is equal to the
  //    second_hash supplied, and that sn is 0.
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1) {
    if (isOdd(n)) return false;
    n = half(n);
  }
  return n === 1;
}
