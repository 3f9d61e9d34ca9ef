import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, LiveClient, type LiveEvent } from './client';
import { applyLeaseEvent, barChart, expiringSoon, perMinute } from './rate';

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(s: string) {
    this.sent.push(JSON.parse(s));
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  // server side
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent);
  }
  serverClose(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  subs() {
    return this.sent.filter((f) => f.op === 'subscribe');
  }
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

const ev = (seq: number, type = 'task.submitted', channel = 'project:7'): LiveEvent => ({ op: 'event', channel, seq, type, at: '2026-01-01T00:00:00Z', payload: {} });

function client(storage: MemStorage | null = new MemStorage(), random = () => 0) {
  return new LiveClient({ url: () => 'ws://test/ws', socket: (u) => new FakeSocket(u), storage, random, baseDelayMs: 500, maxDelayMs: 8000, idleCloseMs: 1000, pingEveryMs: 60_000 });
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1];

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveClient', () => {
  it('subscribes on open, without since the first time, and remembers the head', () => {
    const c = client();
    const got: number[] = [];
    c.subscribe('project:7', { onEvent: (e) => got.push(e.seq) });
    expect(c.state).toBe('connecting');
    last().open();
    expect(c.state).toBe('open');
    expect(last().subs()).toEqual([{ op: 'subscribe', channel: 'project:7', presence: false }]);
    last().frame({ op: 'subscribed', channel: 'project:7', head: 10, replayed: 0 });
    expect(c.lastSeq('project:7')).toBe(10);
    last().frame(ev(11));
    expect(got).toEqual([11]);
  });

  it('drops duplicates and anything older than the last seq: never reorders', () => {
    const c = client();
    const got: number[] = [];
    c.subscribe('project:7', { onEvent: (e) => got.push(e.seq) });
    last().open();
    last().frame({ op: 'subscribed', channel: 'project:7', head: 10, replayed: 0 });
    for (const s of [12, 12, 11, 15, 13, 16, 10]) last().frame(ev(s));
    expect(got).toEqual([12, 15, 16]);
    // events for channels nobody subscribed to are ignored
    last().frame(ev(20, 'x', 'project:8'));
    expect(got).toEqual([12, 15, 16]);
  });

  it('reconnects with backoff and resubscribes with since; replayed events are not delivered twice', () => {
    const c = client();
    const got: number[] = [];
    const states: string[] = [];
    c.onState((s) => states.push(s));
    c.subscribe('project:7', { onEvent: (e) => got.push(e.seq) });
    last().open();
    last().frame({ op: 'subscribed', channel: 'project:7', head: 10, replayed: 0 });
    last().frame(ev(11));
    last().serverClose(1006);
    expect(c.state).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(249); // random() = 0: half of 500 ms
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(last().subs()).toEqual([{ op: 'subscribe', channel: 'project:7', presence: false, since: 11 }]);
    // the server replays from since; a stray old one is dropped
    last().frame(ev(11));
    last().frame(ev(12));
    last().frame(ev(14));
    last().frame({ op: 'subscribed', channel: 'project:7', head: 14, replayed: 2 });
    last().frame(ev(15));
    expect(got).toEqual([11, 12, 14, 15]);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('backs off exponentially with jitter up to the cap, and resets after a working subscription', () => {
    expect(backoffDelay(0, 500, 8000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 8000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 8000, () => 0.5)).toBe(3000);
    expect(backoffDelay(10, 500, 8000, () => 1)).toBe(8000);
    const c = client(new MemStorage(), () => 1);
    c.subscribe('coop', {});
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = FakeSocket.all.length;
      last().serverClose(1006);
      let waited = 0;
      while (FakeSocket.all.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    last().open();
    last().frame({ op: 'subscribed', channel: 'coop', head: 1, replayed: 0 });
    last().serverClose(1006);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(8);
  });

  it('calls onReset when the server cannot replay, then keeps going from its head', () => {
    const c = client();
    const resets: string[] = [];
    const got: number[] = [];
    c.subscribe('member:3', { onReset: (r) => resets.push(r), onEvent: (e) => got.push(e.seq) });
    last().open();
    last().frame({ op: 'reset', channel: 'member:3', reason: 'too_far_behind' });
    last().frame({ op: 'subscribed', channel: 'member:3', head: 500, replayed: 0 });
    last().frame(ev(499, 'equity.vested', 'member:3'));
    last().frame(ev(501, 'equity.vested', 'member:3'));
    expect(resets).toEqual(['too_far_behind']);
    expect(got).toEqual([501]);
  });

  it('keeps the last seq in sessionStorage so a reload resumes', () => {
    const storage = new MemStorage();
    const a = client(storage);
    a.subscribe('coop', {});
    last().open();
    last().frame({ op: 'subscribed', channel: 'coop', head: 40, replayed: 0 });
    last().frame(ev(42, 'equity.distributed', 'coop'));
    a.shutdown();
    const b = client(storage);
    b.subscribe('coop', {});
    last().open();
    expect(last().subs()[0]).toEqual({ op: 'subscribe', channel: 'coop', presence: false, since: 42 });
  });

  it('stops for good when membership ends (1008)', () => {
    const c = client();
    c.subscribe('coop', {});
    last().open();
    last().serverClose(1008);
    expect(c.state).toBe('ended');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('reports a 1008 close with its reason, and resume() reconnects', () => {
    const reasons: string[] = [];
    const c = new LiveClient({ url: () => 'ws://t', socket: (u) => new FakeSocket(u), storage: null, random: () => 0, pingEveryMs: 60_000, onPolicyClose: (r) => reasons.push(r) });
    c.subscribe('coop', {});
    last().open();
    last().readyState = 3;
    last().onclose?.({ code: 1008, reason: 'logged out' } as CloseEvent);
    expect(c.state).toBe('ended');
    expect(reasons).toEqual(['logged out']);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    c.resume();
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(c.state).toBe('open');
    expect(last().subs()).toHaveLength(1);
  });

  it('resumes at once after a slow-consumer close (4008)', () => {
    const c = client();
    c.subscribe('coop', {});
    last().open();
    last().serverClose(4008);
    vi.advanceTimersByTime(0);
    expect(FakeSocket.all).toHaveLength(2);
    expect(c.state).toBe('reconnecting');
  });

  it('shares one server subscription between subscribers, unsubscribes after the last, then closes when idle', () => {
    const c = client();
    const a: number[] = [];
    const b: number[] = [];
    const offA = c.subscribe('coop', { onEvent: (e) => a.push(e.seq) });
    const offB = c.subscribe('coop', { onEvent: (e) => b.push(e.seq) });
    last().open();
    expect(last().subs()).toHaveLength(1);
    last().frame({ op: 'subscribed', channel: 'coop', head: 1, replayed: 0 });
    last().frame(ev(2, 'x', 'coop'));
    offA();
    last().frame(ev(3, 'x', 'coop'));
    expect(a).toEqual([2]);
    expect(b).toEqual([2, 3]);
    offB();
    expect(last().sent.at(-1)).toEqual({ op: 'unsubscribe', channel: 'coop' });
    vi.advanceTimersByTime(1000);
    expect(last().closed).toBe(true);
    expect(c.state).toBe('idle');
  });

  it('does not resubscribe a channel the server refused, and forwards presence', () => {
    const c = client();
    const errors: string[] = [];
    const presence: number[] = [];
    c.subscribe('review:7', { onError: (e) => errors.push(e.code) });
    c.subscribe('project:7', { onPresence: (p) => presence.push(p.count) }, { presence: true });
    last().open();
    expect(last().subs().map((f) => [f.channel, f.presence])).toEqual([
      ['review:7', false],
      ['project:7', true],
    ]);
    last().frame({ op: 'error', code: 'forbidden', channel: 'review:7', message: 'no' });
    last().frame({ op: 'presence', channel: 'project:7', count: 3, you: true, members: [1, 2, 3] });
    expect(errors).toEqual(['forbidden']);
    expect(presence).toEqual([3]);
    last().serverClose(1006);
    vi.advanceTimersByTime(1000);
    last().open();
    expect(last().subs().map((f) => f.channel)).toEqual(['project:7']);
  });

  it('drop(holdMs) keeps the connection down for a while, then resumes', () => {
    const c = client();
    c.subscribe('coop', {});
    last().open();
    last().frame({ op: 'subscribed', channel: 'coop', head: 5, replayed: 0 });
    c.drop(3000);
    expect(c.state).toBe('reconnecting');
    vi.advanceTimersByTime(2900);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(last().subs()[0].since).toBe(5);
  });

  it('treats a missing pong as a dead connection', () => {
    const c = new LiveClient({ url: () => 'ws://t', socket: (u) => new FakeSocket(u), storage: null, random: () => 0, pingEveryMs: 1000, pongTimeoutMs: 500 });
    c.subscribe('coop', {});
    last().open();
    vi.advanceTimersByTime(1000);
    expect(last().sent.at(-1)).toEqual({ op: 'ping' });
    vi.advanceTimersByTime(500);
    expect(c.state).toBe('reconnecting');
  });
});

describe('live dashboard shaping', () => {
  it('counts submissions and completions per minute', () => {
    const now = Date.parse('2026-01-01T12:30:30Z');
    const b = perMinute(
      [
        { type: 'task.submitted', at: '2026-01-01T12:30:10Z' },
        { type: 'task.submitted', at: '2026-01-01T12:29:59Z' },
        { type: 'item.completed', at: '2026-01-01T12:29:00Z' },
        { type: 'task.submitted', at: '2026-01-01T11:00:00Z' },
      ],
      now,
      5,
    );
    expect(b.map((x) => [x.submitted, x.completed])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 0],
    ]);
    const c = barChart(b);
    expect(c.bars).toHaveLength(5);
    expect(c.bars[4].h).toBeGreaterThan(0);
    expect(c.bars[0].h).toBe(0);
  });

  it('tracks open leases from claims and ends', () => {
    let m = applyLeaseEvent(new Map(), { type: 'task.claimed', at: '2026-01-01T12:00:00Z', actor_id: 4, payload: { assignment_id: 1, item_id: 9 } }, 600);
    m = applyLeaseEvent(m, { type: 'task.claimed', at: '2026-01-01T12:05:00Z', actor_id: 5, payload: { assignment_id: 2, item_id: 10 } }, 600);
    expect(m.size).toBe(2);
    const soon = expiringSoon(m, Date.parse('2026-01-01T12:09:00Z'), 120_000);
    expect(soon.map((l) => l.item_id)).toEqual([9]);
    m = applyLeaseEvent(m, { type: 'task.submitted', at: '2026-01-01T12:06:00Z', payload: { assignment_id: 1 } }, 600);
    expect([...m.keys()]).toEqual([2]);
  });
});
