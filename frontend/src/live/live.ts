// The tab's one live connection and the React hooks around it.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { request, type Me } from '../api';
import { LiveClient, type ChannelHandlers, type ConnState, type LiveEvent, type SubscribeOptions } from './client';

export type { ConnState, LiveEvent, PresenceInfo, LiveError } from './client';

let shared: LiveClient | null = null;

/** The shared client, created on first use (no socket until a channel is used). */
export function live(): LiveClient {
  if (!shared) {
    shared = new LiveClient({ onPolicyClose: () => void checkSession() });
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => shared?.retryNow());
      // Test hook: e2e tests drop the socket to check the reconnect path.
      window.__copyholdLive = {
        drop: (holdMs = 0) => shared?.drop(holdMs),
        state: () => shared?.state ?? 'idle',
        lastSeq: (ch: string) => shared?.lastSeq(ch),
      };
    }
  }
  return shared;
}

declare global {
  interface Window {
    __copyholdLive?: { drop: (holdMs?: number) => void; state: () => ConnState; lastSeq: (channel: string) => number | undefined };
  }
}

/**
 * After a 1008 close: if the session is gone, /api/me's 401 sends the app
 * back to login (api.ts onUnauthenticated); if the browser holds a fresh
 * session (it changed its own password), live updates resume.
 */
export async function checkSession(client: LiveClient | null = shared): Promise<void> {
  try {
    await request<Me>('GET', '/api/me');
    client?.resume();
  } catch {
    // 401: the session listeners show the login page; other errors leave the
    // "live updates stopped" notice.
  }
}

/** Test seam: replace the shared client (Vitest). */
export function setLiveClientForTests(c: LiveClient | null) {
  shared = c;
}

interface UseChannelOptions extends SubscribeOptions, Omit<ChannelHandlers, 'onEvent'> {}

/**
 * Subscribes to a channel while the component is mounted. Handlers may change
 * on every render (they are read through a ref); a null channel subscribes to
 * nothing. onReset should re-fetch the page's snapshot.
 */
export function useChannel(channel: string | null, onEvent: ((e: LiveEvent) => void) | null, opts: UseChannelOptions = {}) {
  const ref = useRef({ onEvent, opts });
  ref.current = { onEvent, opts };
  const presence = !!opts.presence;
  useEffect(() => {
    if (!channel) return;
    return live().subscribe(
      channel,
      {
        onEvent: (e) => ref.current.onEvent?.(e),
        onReset: (r) => ref.current.opts.onReset?.(r),
        onPresence: (p) => ref.current.opts.onPresence?.(p),
        onError: (e) => ref.current.opts.onError?.(e),
        onSubscribed: (i) => ref.current.opts.onSubscribed?.(i),
      },
      { presence },
    );
  }, [channel, presence]);
}

function subscribeState(fn: () => void) {
  return live().onState(fn);
}
function getState(): ConnState {
  return live().state;
}

/** The connection state, for the shell's "reconnecting…" line. */
export function useConnectionState(): ConnState {
  return useSyncExternalStore(subscribeState, getState, () => 'idle' as ConnState);
}
