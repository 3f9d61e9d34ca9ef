// The server counts text offsets in Unicode code points (end exclusive); the
// DOM counts UTF-16 code units. These helpers convert between the two and
// keep selections on grapheme boundaries so an emoji, a ZWJ family or a
// letter with a combining accent is never split.

/** Number of code points in s. */
export function cpLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Code-point offset of the UTF-16 offset u16 (an offset inside a surrogate pair rounds down). */
export function utf16ToCp(s: string, u16: number): number {
  const end = Math.max(0, Math.min(u16, s.length));
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (i + 1 >= end) break; // u16 points between the halves: round down
        i++;
      }
    }
    n++;
  }
  return n;
}

/** UTF-16 offset of the code-point offset cp (clamped to the string). */
export function cpToUtf16(s: string, cp: number): number {
  let i = 0;
  let n = 0;
  while (i < s.length && n < cp) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    n++;
  }
  return i;
}

/** s[start:end] in code points. */
export function cpSlice(s: string, start: number, end: number): string {
  return s.slice(cpToUtf16(s, start), cpToUtf16(s, end));
}

/**
 * Grapheme-cluster boundaries of s as code-point offsets, always including 0
 * and the length. Uses Intl.Segmenter; without it, combining marks, variation
 * selectors, ZWJ sequences and skin-tone modifiers are joined by hand.
 */
export function graphemeBoundaries(s: string): number[] {
  const out = [0];
  const Seg = (Intl as unknown as { Segmenter?: new (l?: string, o?: { granularity: string }) => { segment(s: string): Iterable<{ index: number }> } }).Segmenter;
  if (Seg) {
    const seg = new Seg(undefined, { granularity: 'grapheme' });
    let cp = 0;
    let last = 0;
    for (const { index } of seg.segment(s)) {
      if (index === 0) continue;
      cp += cpLength(s.slice(last, index));
      last = index;
      out.push(cp);
    }
    const total = cpLength(s);
    if (out[out.length - 1] !== total) out.push(total);
    return out;
  }
  const cps = Array.from(s);
  for (let i = 1; i < cps.length; i++) {
    const c = cps[i].codePointAt(0)!;
    const prev = cps[i - 1].codePointAt(0)!;
    const joins =
      (c >= 0x300 && c <= 0x36f) || // combining diacritics
      (c >= 0xfe00 && c <= 0xfe0f) || // variation selectors
      (c >= 0x1f3fb && c <= 0x1f3ff) || // skin tones
      c === 0x200d ||
      prev === 0x200d;
    if (!joins) out.push(i);
  }
  if (cps.length > 0) out.push(cps.length);
  return out;
}

/** The boundary after cp (or the end). */
export function nextBoundary(bounds: number[], cp: number): number {
  for (const b of bounds) if (b > cp) return b;
  return bounds[bounds.length - 1];
}

/** The boundary before cp (or 0). */
export function prevBoundary(bounds: number[], cp: number): number {
  for (let i = bounds.length - 1; i >= 0; i--) if (bounds[i] < cp) return bounds[i];
  return 0;
}

/** Widens [start, end) outwards to grapheme boundaries. */
export function snapToGraphemes(bounds: number[], start: number, end: number): [number, number] {
  let s = 0;
  for (const b of bounds) if (b <= start) s = b;
  let e = bounds[bounds.length - 1];
  for (let i = bounds.length - 1; i >= 0; i--) if (bounds[i] >= end) e = bounds[i];
  return [s, e];
}

/** Next/previous word start (for Ctrl+arrow), in code points. */
export function wordBoundary(s: string, bounds: number[], cp: number, dir: 1 | -1): number {
  const cps = Array.from(s);
  const isWord = (i: number) => i >= 0 && i < cps.length && /[\p{L}\p{N}\p{M}_]/u.test(cps[i]);
  let i = cp;
  if (dir > 0) {
    while (i < cps.length && isWord(i)) i++;
    while (i < cps.length && !isWord(i)) i++;
  } else {
    i--;
    while (i > 0 && !isWord(i)) i--;
    while (i > 0 && isWord(i - 1)) i--;
    i = Math.max(0, i);
  }
  return snapToGraphemes(bounds, i, i)[0];
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}\p{M}_]/u.test(c);

/**
 * Snaps a selection [start, end) to whole tokens: a selection that starts or
 * ends inside a word is widened to the word's edges, then whitespace at
 * either end is dropped (so "Anna Schmidt " becomes "Anna Schmidt"). Returns
 * null when only whitespace was selected. Offsets are code points.
 */
export function snapToTokens(s: string, bounds: number[], start: number, end: number): [number, number] | null {
  const cps = Array.from(s);
  let a = start;
  let b = end;
  while (a < b && isSpace(cps[a])) a++;
  while (b > a && isSpace(cps[b - 1])) b--;
  if (a >= b) return null;
  if (isWordChar(cps[a])) while (a > 0 && isWordChar(cps[a - 1])) a--;
  if (isWordChar(cps[b - 1])) while (b < cps.length && isWordChar(cps[b])) b++;
  return snapToGraphemes(bounds, a, b);
}
