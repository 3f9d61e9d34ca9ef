// Submitting an answer must never lose work: each task gets ONE idempotency
// key (crypto.randomUUID) the first time it is submitted; the pending submit
// is kept in localStorage until the server confirms it, and retried with the
// SAME key with exponential backoff while the network or server is down.
// A retry the server already stored comes back as replayed, not a duplicate.
import { ApiError } from '../api';
import type { Answer, Submission } from './types';

export interface PendingSubmit {
  lease_token: string;
  idempotency_key: string;
  answer: Answer;
  lead_time_ms: number;
  project_id: number;
  item_id: number;
  saved_at: number;
}

/** A list kept in localStorage, so work waiting to be sent survives a reload. */
export function storedList<T>(key: string): { read: () => T[]; write: (list: T[]) => void } {
  return {
    read() {
      try {
        const raw = localStorage.getItem(key);
        const v: unknown = raw ? JSON.parse(raw) : [];
        return Array.isArray(v) ? (v as T[]) : [];
      } catch {
        return [];
      }
    },
    write(list) {
      try {
        if (list.length) localStorage.setItem(key, JSON.stringify(list));
        else localStorage.removeItem(key);
      } catch {
        // Storage full or disabled: the in-memory retry still runs.
      }
    },
  };
}

const pending = storedList<PendingSubmit>('copyhold.pendingSubmits');
const readAll = pending.read;
const writeAll = pending.write;

export function savePending(p: PendingSubmit) {
  writeAll([...readAll().filter((x) => x.idempotency_key !== p.idempotency_key), p]);
}

export function removePending(idempotencyKey: string) {
  writeAll(readAll().filter((x) => x.idempotency_key !== idempotencyKey));
}

export function pendingFor(projectId?: number): PendingSubmit[] {
  return readAll().filter((p) => projectId === undefined || p.project_id === projectId);
}

/** The body of POST /api/submissions: only the fields the server takes. */
export function submitBody(p: PendingSubmit) {
  return { lease_token: p.lease_token, idempotency_key: p.idempotency_key, answer: p.answer, lead_time_ms: p.lead_time_ms };
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Fallback for old browsers: 128 random bits.
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Network failures, 5xx, 408 and 429 are worth retrying; other errors are answers. */
export function isRetriable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 429 || err.code === 'rate_limited';
}

export function backoffDelay(attempt: number, base = 500, max = 10_000, random = Math.random): number {
  const d = Math.min(max, base * 2 ** attempt);
  return Math.round(d / 2 + random() * (d / 2));
}

/** How a retry loop waits and reports; shared by submits and review decisions. */
export interface RetryControl {
  /** Told about every failed attempt that will be retried. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  signal?: { cancelled: boolean };
  base?: number;
  max?: number;
}

export interface RetryOptions extends RetryControl {
  send: (p: PendingSubmit) => Promise<Submission>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls send until it succeeds or fails with a non-retriable error, backing
 * off between attempts. settled runs on success and on a definite answer from
 * the server (a validation error must be fixed, not repeated), so the caller
 * can drop its stored copy; after a network failure the copy is kept.
 */
export async function retryUntilAnswered<T>(send: () => Promise<T>, settled: () => void, opts: RetryControl, what: string): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.cancelled) throw new ApiError(0, 'cancelled', `${what} was cancelled.`);
    try {
      const r = await send();
      settled();
      return r;
    } catch (err) {
      if (!isRetriable(err)) {
        settled();
        throw err;
      }
      const delay = backoffDelay(attempt, opts.base, opts.max);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

/** Sends p with its one idempotency key until the server answers. */
export function submitWithRetry(p: PendingSubmit, opts: RetryOptions): Promise<Submission> {
  return retryUntilAnswered(() => opts.send(p), () => removePending(p.idempotency_key), opts, 'The submit');
}
