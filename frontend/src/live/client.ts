// One shared websocket to /ws for the whole tab (protocol: server/ws.go).
//
// - Channels are reference counted: the first subscriber opens the server
//   subscription, the last one closes it; the socket closes itself a little
//   after the last channel goes away.
// - Resume: the last seq seen per channel is kept in memory and in
//   sessionStorage; after a reconnect every channel is subscribed again with
//   `since`, so the server replays what was missed.
// - Events with seq <= the last seen on their channel are dropped: no
//   duplicates, never out of order.
// - `reset` (the server cannot replay) calls every subscriber's onReset, which
//   re-fetches the page's snapshot over HTTP.
// - Reconnects use exponential backoff with full jitter (half to all of the
//   delay), except after close 1008 (policy: the session or token that
//   opened the socket ended, or the membership did), which stops the client
//   and calls onPolicyClose; the app then checks the session and either
//   goes back to login or, when the browser holds a fresh session (it
//   changed its own password), calls resume().

import type { ClientFrame, Refine, ServerFrame } from '../schema';

export type ConnState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'ended';

// The frames' shapes come from the OpenAPI document's websocket annex
// (schema.ts), so a frame the server changes breaks the build.
export type LiveEvent = Refine<ServerFrame<'event'>, { payload: Record<string, unknown> }>;

export type PresenceInfo = Omit<ServerFrame<'presence'>, 'op'>;

export type LiveError = Omit<ServerFrame<'error'>, 'op'>;

export interface ChannelHandlers {
  onEvent?: (e: LiveEvent) => void;
  /** The server could not bring this channel up to date: re-fetch over HTTP. */
  onReset?: (reason: string) => void;
  onPresence?: (p: PresenceInfo) => void;
  onError?: (e: LiveError) => void;
  onSubscribed?: (info: { head: number; replayed: number; resumed: boolean }) => void;
}

export interface SubscribeOptions {
  /** Appear in the project's presence list (default false). */
  presence?: boolean;
}

type SocketLike = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
};

export interface LiveClientOptions {
  url?: () => string;
  socket?: (url: string) => SocketLike;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Close the socket this long after the last channel is released. */
  idleCloseMs?: number;
  /** Application-level ping: detects a dead connection that never closes. */
  pingEveryMs?: number;
  pongTimeoutMs?: number;
  /** The server closed the socket with 1008: the credential or membership ended. */
  onPolicyClose?: (reason: string) => void;
}

const STORAGE_KEY = 'copyhold.live.seq';
const OPEN = 1;

interface Chan {
  handlers: Set<{ h: ChannelHandlers; presence: boolean }>;
  /** Server confirmed the subscription on the current socket. */
  subscribed: boolean;
  /** The subscription ended for good (forbidden): do not resubscribe. */
  ended: boolean;
}

export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class LiveClient {
  private readonly o: Required<Omit<LiveClientOptions, 'storage' | 'onPolicyClose'>> & Pick<LiveClientOptions, 'storage' | 'onPolicyClose'>;
  private ws: SocketLike | null = null;
  private readonly chans = new Map<string, Chan>();
  private readonly last = new Map<string, number>();
  private st: ConnState = 'idle';
  private readonly stateListeners = new Set<(s: ConnState) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private holdUntil = 0;
  private everOpen = false;

  constructor(opts: LiveClientOptions = {}) {
    this.o = {
      url: opts.url ?? (() => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`),
      socket: opts.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike),
      storage: opts.storage === undefined ? safeSession() : opts.storage,
      random: opts.random ?? Math.random,
      baseDelayMs: opts.baseDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      idleCloseMs: opts.idleCloseMs ?? 5_000,
      pingEveryMs: opts.pingEveryMs ?? 25_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 10_000,
      onPolicyClose: opts.onPolicyClose,
    };
    this.loadSeqs();
  }

  get state(): ConnState {
    return this.st;
  }

  onState(fn: (s: ConnState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Last seq seen on a channel (undefined: never subscribed). */
  lastSeq(channel: string): number | undefined {
    return this.last.get(channel);
  }

  subscribe(channel: string, h: ChannelHandlers, opts: SubscribeOptions = {}): () => void {
    const entry = { h, presence: !!opts.presence };
    let c = this.chans.get(channel);
    const fresh = !c;
    if (!c) {
      c = { handlers: new Set(), subscribed: false, ended: false };
      this.chans.set(channel, c);
    }
    const hadPresence = [...c.handlers].some((x) => x.presence);
    c.handlers.add(entry);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.ws && this.ws.readyState === OPEN && (fresh || (entry.presence && !hadPresence))) this.sendSubscribe(channel);
    else this.ensureConnected();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const cur = this.chans.get(channel);
      if (!cur) return;
      cur.handlers.delete(entry);
      if (cur.handlers.size === 0) {
        this.chans.delete(channel);
        if (this.ws && this.ws.readyState === OPEN && cur.subscribed) this.send({ op: 'unsubscribe', channel });
        if (this.chans.size === 0) this.scheduleIdleClose();
      }
    };
  }

  /**
   * Drops the connection as a network failure would, and keeps it down for
   * holdMs before the usual backoff (tests and the "reconnecting" state).
   */
  drop(holdMs = 0): void {
    this.holdUntil = Date.now() + holdMs;
    const ws = this.ws;
    if (ws) {
      this.detach(ws);
      try {
        ws.close();
      } catch {
        // already closed
      }
      this.onClosed(1006);
    }
  }

  /** Closes everything (logout). */
  shutdown(): void {
    this.chans.clear();
    this.clearTimers();
    if (this.ws) {
      const ws = this.ws;
      this.detach(ws);
      ws.close(1000);
    }
    this.ws = null;
    this.setState('idle');
  }

  // ---- internals ----

  private setState(s: ConnState) {
    if (s === this.st) return;
    this.st = s;
    this.stateListeners.forEach((fn) => fn(s));
  }

  private ensureConnected() {
    if (this.ws || this.retryTimer || this.st === 'ended' || this.chans.size === 0) return;
    this.connect();
  }

  private connect() {
    this.retryTimer = null;
    if (this.chans.size === 0) {
      this.setState('idle');
      return;
    }
    const wait = this.holdUntil - Date.now();
    if (wait > 0) {
      this.retryTimer = setTimeout(() => this.connect(), wait);
      return;
    }
    this.setState(this.everOpen || this.attempt > 0 ? 'reconnecting' : 'connecting');
    let ws: SocketLike;
    try {
      ws = this.o.socket(this.o.url());
    } catch {
      this.onClosed(1006);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.everOpen = true;
      this.setState('open');
      for (const c of this.chans.values()) c.subscribed = false;
      for (const name of this.chans.keys()) this.sendSubscribe(name);
      this.startPing();
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      this.detach(ws);
      this.onClosed(ev.code, ev.reason ?? '');
    };
    ws.onerror = () => {
      // onclose follows.
    };
  }

  private detach(ws: SocketLike) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    if (this.ws === ws) this.ws = null;
    this.stopPing();
  }

  private onClosed(code: number, reason = '') {
    this.ws = null;
    this.stopPing();
    for (const c of this.chans.values()) c.subscribed = false;
    if (code === 1008) {
      // The credential or the membership ended: reconnecting with it cannot help.
      this.setState('ended');
      call(() => this.o.onPolicyClose?.(reason));
      return;
    }
    if (this.chans.size === 0) {
      this.setState('idle');
      return;
    }
    this.setState('reconnecting');
    // A slow-consumer close (4008) resumes at once; everything else backs off.
    const delay = code === 4008 && this.attempt === 0 ? 0 : backoffDelay(this.attempt, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
    this.attempt++;
    const hold = Math.max(0, this.holdUntil - Date.now());
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), Math.max(delay, hold));
  }

  /** Start again after a 1008 close, once the browser holds a live session. */
  resume() {
    if (this.st !== 'ended') return;
    this.attempt = 0;
    this.setState('idle');
    this.ensureConnected();
  }

  /** Reconnect now (e.g. the browser came back online). */
  retryNow() {
    if (this.ws || this.st === 'ended' || this.chans.size === 0) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private sendSubscribe(channel: string) {
    const c = this.chans.get(channel);
    if (!c || c.ended) return;
    const frame: ClientFrame = { op: 'subscribe', channel, presence: [...c.handlers].some((x) => x.presence) };
    const since = this.last.get(channel);
    if (since !== undefined) frame.since = since;
    this.send(frame);
  }

  private send(frame: ClientFrame) {
    try {
      this.ws?.send(JSON.stringify(frame));
    } catch {
      // the close handler reconnects
    }
  }

  private onMessage(data: unknown) {
    if (typeof data !== 'string') return;
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (!f || typeof f !== 'object') return;
    const channel = typeof f.channel === 'string' ? f.channel : '';
    const c = channel ? this.chans.get(channel) : undefined;
    switch (f.op) {
      case 'event': {
        const seq = typeof f.seq === 'number' ? f.seq : NaN;
        if (!c || !Number.isFinite(seq)) return;
        const prev = this.last.get(channel);
        if (prev !== undefined && seq <= prev) return; // duplicate or out of order
        this.setSeq(channel, seq);
        const ev = f as unknown as LiveEvent;
        if (!ev.payload || typeof ev.payload !== 'object') ev.payload = {};
        for (const x of [...c.handlers]) call(() => x.h.onEvent?.(ev));
        return;
      }
      case 'subscribed': {
        if (!c) return;
        const head = typeof f.head === 'number' ? f.head : 0;
        const resumed = this.last.get(channel) !== undefined;
        const prev = this.last.get(channel);
        if (prev === undefined || head > prev) this.setSeq(channel, head);
        c.subscribed = true;
        this.attempt = 0; // a working subscription: back to the short delay
        const info = { head, replayed: typeof f.replayed === 'number' ? f.replayed : 0, resumed };
        for (const x of [...c.handlers]) call(() => x.h.onSubscribed?.(info));
        return;
      }
      case 'reset': {
        if (!c) return;
        const reason = typeof f.reason === 'string' ? f.reason : 'reset';
        for (const x of [...c.handlers]) call(() => x.h.onReset?.(reason));
        return;
      }
      case 'presence': {
        if (!c) return;
        const p: PresenceInfo = {
          channel,
          count: typeof f.count === 'number' ? f.count : 0,
          you: !!f.you,
          members: Array.isArray(f.members) ? (f.members as number[]) : undefined,
        };
        for (const x of [...c.handlers]) call(() => x.h.onPresence?.(p));
        return;
      }
      case 'error': {
        // The code is one the annex lists (the server sends no other).
        const code = (typeof f.code === 'string' ? f.code : 'unavailable') as LiveError['code'];
        const err: LiveError = { code, channel: channel || undefined, message: String(f.message ?? '') };
        if (c && err.code === 'forbidden') {
          c.ended = true;
          c.subscribed = false;
        }
        const targets = c ? [...c.handlers] : [...this.chans.values()].flatMap((x) => [...x.handlers]);
        for (const x of targets) call(() => x.h.onError?.(err));
        return;
      }
      case 'pong':
        if (this.pongTimer) clearTimeout(this.pongTimer);
        this.pongTimer = null;
        return;
      default:
        return;
    }
  }

  private setSeq(channel: string, seq: number) {
    this.last.set(channel, seq);
    this.saveSeqs();
  }

  private loadSeqs() {
    try {
      const raw = this.o.storage?.getItem(STORAGE_KEY);
      if (!raw) return;
      const obj = JSON.parse(raw) as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) if (typeof v === 'number' && Number.isInteger(v) && v >= 0) this.last.set(k, v);
    } catch {
      // ignore a broken entry
    }
  }

  private saveSeqs() {
    try {
      this.o.storage?.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(this.last)));
    } catch {
      // storage full or disabled: memory still has it
    }
  }

  private scheduleIdleClose() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.chans.size > 0) return;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (this.ws) {
        const ws = this.ws;
        this.detach(ws);
        ws.close(1000);
      }
      this.attempt = 0;
      this.setState('idle');
    }, this.o.idleCloseMs);
  }

  private startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.ws || this.ws.readyState !== OPEN) return;
      this.send({ op: 'ping' });
      if (this.pongTimer) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        this.drop(0); // no pong: treat as a dead connection
      }, this.o.pongTimeoutMs);
    }, this.o.pingEveryMs);
  }

  private stopPing() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  private clearTimers() {
    this.stopPing();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.retryTimer = this.idleTimer = null;
  }
}

function call(fn: () => void) {
  try {
    fn();
  } catch (e) {
    // One page's handler must not break the others.
    console.error(e);
  }
}

function safeSession(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
