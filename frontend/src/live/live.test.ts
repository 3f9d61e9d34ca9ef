import { afterEach, describe, expect, it, vi } from 'vitest';
import { onUnauthenticated } from '../api';
import { LiveClient } from './client';
import { checkSession } from './live';

// After the server closes the socket with 1008 (session or token ended),
// the app goes back to login unless this browser still has a session.
describe('checkSession after a 1008 close', () => {
  afterEach(() => vi.unstubAllGlobals());

  function endedClient() {
    const c = new LiveClient({ url: () => 'ws://t', socket: () => ({ send() {}, close() {}, readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null }), storage: null });
    const resume = vi.spyOn(c, 'resume');
    return { c, resume };
  }

  it('sends the app to login when the session is gone', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ code: 'unauthenticated', message: 'your session has ended; log in again' }), { status: 401 })));
    const lost = vi.fn();
    const off = onUnauthenticated(lost);
    const { c, resume } = endedClient();
    await checkSession(c);
    off();
    expect(lost).toHaveBeenCalledTimes(1);
    expect(resume).not.toHaveBeenCalled();
  });

  it('resumes live updates when the browser holds a fresh session', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ id: 1, login: 'lab', display_name: 'Lab', roles: [] }), { status: 200 })));
    const lost = vi.fn();
    const off = onUnauthenticated(lost);
    const { c, resume } = endedClient();
    await checkSession(c);
    off();
    expect(lost).not.toHaveBeenCalled();
    expect(resume).toHaveBeenCalledTimes(1);
  });
});
