// Word-level diff by longest common subsequence, for the rewrite editor and
// for showing a reviewer's correction. Whitespace runs are tokens too, so the
// pieces join back into the exact texts.

export interface DiffPart {
  type: 'same' | 'add' | 'del';
  text: string;
}

export function tokenize(s: string): string[] {
  return s.match(/\s+|[^\s]+/g) ?? [];
}

/** Above this many token pairs the middle is shown as one replacement. */
const MAX_CELLS = 4_000_000;

export function diffWords(before: string, after: string): DiffPart[] {
  const a = tokenize(before);
  const b = tokenize(after);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const parts: DiffPart[] = [];
  const push = (type: DiffPart['type'], text: string) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && last.type === type) last.text += text;
    else parts.push({ type, text });
  };
  push('same', a.slice(0, pre).join(''));
  if (am.length * bm.length > MAX_CELLS) {
    push('del', am.join(''));
    push('add', bm.join(''));
  } else {
    const n = am.length;
    const m = bm.length;
    // lcs[i][j] = LCS length of am[i:] and bm[j:], in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        push('same', am[i]);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
        push('del', am[i++]);
      } else {
        push('add', bm[j++]);
      }
    }
    while (i < n) push('del', am[i++]);
    while (j < m) push('add', bm[j++]);
  }
  push('same', a.slice(a.length - suf).join(''));
  return parts;
}

/** Reassembles one side of a diff (for tests and sanity checks). */
export function side(parts: DiffPart[], which: 'before' | 'after'): string {
  return parts.filter((p) => p.type === 'same' || p.type === (which === 'before' ? 'del' : 'add')).map((p) => p.text).join('');
}
