import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { cpLength, cpSlice, cpToUtf16, graphemeBoundaries, nextBoundary, prevBoundary, snapToGraphemes, snapToTokens, utf16ToCp } from './codepoints';
import { importQuery, NO_IMPORT_OPTIONS } from './api';
import { diffWords, side } from './diff';
import { backoffDelay, isRetriable, pendingFor, savePending, submitWithRetry, type PendingSubmit } from './submitQueue';

describe('snapToTokens', () => {
  const t = 'Anna Schmidt met Tim Cook in 東京 🙂.';
  const b = graphemeBoundaries(t);
  const snap = (s: number, e: number) => {
    const r = snapToTokens(t, b, s, e);
    return r && cpSlice(t, r[0], r[1]);
  };
  it('drops spaces at either end and widens to whole words', () => {
    expect(snap(0, 13)).toBe('Anna Schmidt');
    expect(snap(16, 26)).toBe('Tim Cook');
    expect(snap(2, 7)).toBe('Anna Schmidt');
    expect(snap(4, 5)).toBeNull();
    expect(snap(29, 31)).toBe('東京');
    expect(snap(32, 33)).toBe('🙂');
  });
});

describe('code points', () => {
  const emoji = 'hi 🙂 there';
  const zwj = 'a👩‍👩‍👧b';
  const comb = 'cafe\u0301!';
  const cjk = '東京へ行く';

  it('counts code points, not UTF-16 units', () => {
    expect(emoji.length).toBe(11);
    expect(cpLength(emoji)).toBe(10);
    expect(cpLength(zwj)).toBe(Array.from(zwj).length);
    expect(cpLength(comb)).toBe(6);
    expect(cpLength(cjk)).toBe(5);
  });

  it('converts offsets both ways', () => {
    // "there" starts after "hi 🙂 " = 5 code points, 6 UTF-16 units.
    expect(utf16ToCp(emoji, 6)).toBe(5);
    expect(cpToUtf16(emoji, 5)).toBe(6);
    expect(cpSlice(emoji, 3, 4)).toBe('🙂');
    expect(cpSlice(emoji, 5, 10)).toBe('there');
    // An offset between surrogate halves rounds down.
    expect(utf16ToCp(emoji, 4)).toBe(3);
    expect(cpSlice(cjk, 0, 2)).toBe('東京');
    for (let cp = 0; cp <= cpLength(zwj); cp++) expect(utf16ToCp(zwj, cpToUtf16(zwj, cp))).toBe(cp);
  });

  it('keeps grapheme clusters whole', () => {
    const b = graphemeBoundaries(zwj);
    // a | family (5 code points: 3 people + 2 ZWJ) | b
    expect(b).toEqual([0, 1, 6, 7]);
    expect(nextBoundary(b, 1)).toBe(6);
    expect(prevBoundary(b, 6)).toBe(1);
    expect(snapToGraphemes(b, 2, 3)).toEqual([1, 6]);
    expect(graphemeBoundaries(comb)).toEqual([0, 1, 2, 3, 5, 6]);
    expect(graphemeBoundaries(emoji)).toContain(4);
    expect(graphemeBoundaries(cjk)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('word diff', () => {
  it('marks added and removed words and reassembles both texts', () => {
    const a = 'the quick brown fox jumps';
    const b = 'the slow brown fox leaps high';
    const d = diffWords(a, b);
    expect(side(d, 'before')).toBe(a);
    expect(side(d, 'after')).toBe(b);
    expect(d.filter((p) => p.type === 'del').map((p) => p.text.trim())).toEqual(['quick', 'jumps']);
    expect(d.filter((p) => p.type === 'add').map((p) => p.text.trim())).toEqual(['slow', 'leaps high']);
  });
  it('handles identical, empty and unicode texts', () => {
    expect(diffWords('same 🙂', 'same 🙂')).toEqual([{ type: 'same', text: 'same 🙂' }]);
    expect(diffWords('', 'new')).toEqual([{ type: 'add', text: 'new' }]);
    expect(diffWords('old', '')).toEqual([{ type: 'del', text: 'old' }]);
    const d = diffWords('東京 は 大きい', '東京 は 小さい');
    expect(d.find((p) => p.type === 'add')?.text).toBe('小さい');
  });
});

function pending(over: Partial<PendingSubmit> = {}): PendingSubmit {
  return { lease_token: 'L', idempotency_key: 'K1', answer: { choice: 'a' }, lead_time_ms: 5, project_id: 7, item_id: 3, saved_at: 1, ...over };
}

describe('submit retry', () => {
  it('classifies errors', () => {
    expect(isRetriable(new ApiError(0, 'network_error'))).toBe(true);
    expect(isRetriable(new ApiError(503, 'unavailable'))).toBe(true);
    expect(isRetriable(new ApiError(429, 'rate_limited'))).toBe(true);
    expect(isRetriable(new ApiError(400, 'invalid_answer'))).toBe(false);
    expect(isRetriable(new ApiError(409, 'lease_lost'))).toBe(false);
  });

  it('backs off exponentially up to a cap', () => {
    expect(backoffDelay(0, 500, 10_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 10_000, () => 1)).toBe(4000);
    expect(backoffDelay(10, 500, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(2, 500, 10_000, () => 0)).toBe(1000);
  });

  it('retries with the SAME idempotency key until it lands, and keeps it stored meanwhile', async () => {
    localStorage.clear();
    const p = pending();
    savePending(p);
    const keys: string[] = [];
    let calls = 0;
    const send = vi.fn(async (x: PendingSubmit) => {
      keys.push(x.idempotency_key);
      calls++;
      expect(pendingFor(7)).toHaveLength(1); // still stored while failing
      if (calls < 3) throw new ApiError(0, 'network_error');
      return { id: 1, item_id: 3, project_id: 7, assignment_id: 2, member_id: 4, idempotency_key: x.idempotency_key, lead_time_ms: 0, answer: x.answer, status: 'submitted' as const, created_at: '', replayed: calls > 1 };
    });
    const retries: number[] = [];
    const s = await submitWithRetry(p, { send, sleep: async () => {}, onRetry: (_e, a) => retries.push(a) });
    expect(s.id).toBe(1);
    expect(keys).toEqual(['K1', 'K1', 'K1']);
    expect(retries).toEqual([0, 1]);
    expect(pendingFor(7)).toHaveLength(0);
  });

  it('stops on a definite refusal', async () => {
    localStorage.clear();
    const p = pending({ idempotency_key: 'K2' });
    savePending(p);
    const send = vi.fn().mockRejectedValue(new ApiError(400, 'invalid_answer', 'bad'));
    await expect(submitWithRetry(p, { send, sleep: async () => {} })).rejects.toMatchObject({ code: 'invalid_answer' });
    expect(send).toHaveBeenCalledTimes(1);
    expect(pendingFor()).toHaveLength(0);
  });

  it('survives a reload: pending submits are read back from localStorage', () => {
    localStorage.clear();
    savePending(pending({ idempotency_key: 'A', project_id: 1 }));
    savePending(pending({ idempotency_key: 'B', project_id: 2 }));
    savePending(pending({ idempotency_key: 'A', project_id: 1, lead_time_ms: 9 }));
    expect(pendingFor(1)).toEqual([expect.objectContaining({ idempotency_key: 'A', lead_time_ms: 9 })]);
    expect(pendingFor()).toHaveLength(2);
  });
});

describe('submit body', () => {
  it('sends only the fields POST /api/submissions takes', async () => {
    const { submitBody } = await import('./submitQueue');
    expect(Object.keys(submitBody(pending())).sort()).toEqual(['answer', 'idempotency_key', 'lead_time_ms', 'lease_token']);
  });
});

describe('import options', () => {
  it('puts only the options that are set in the query', () => {
    expect(importQuery('jsonl', 'a b.jsonl')).toBe('format=jsonl&filename=a+b.jsonl');
    const q = new URLSearchParams(
      importQuery('labelstudio', 'ls.json', { ...NO_IMPORT_OPTIONS, annotations: 'prior', id_field: ' id ', gold_field: 'label', priority: '5', sensitive: true }),
    );
    expect(Object.fromEntries(q)).toEqual({ format: 'labelstudio', filename: 'ls.json', annotations: 'prior', id_field: 'id', gold_field: 'label', priority: '5', sensitive: 'true' });
  });
});
