import { afterEach, describe, expect, it, vi } from 'vitest';
import { allPages, api, ApiError, errorFromResponse, onUnauthenticated, pagePath, request } from './api';

function jsonResponse(status: number, body: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('errorFromResponse', () => {
  it('uses the server code and message', async () => {
    const err = await errorFromResponse(jsonResponse(409, { code: 'login_taken', message: 'login "ann" is taken' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe('login_taken');
    expect(err.message).toBe('Login "ann" is taken');
  });

  it('falls back to friendly wording when the message is missing', async () => {
    const err = await errorFromResponse(jsonResponse(401, { code: 'invalid_credentials' }));
    expect(err.code).toBe('invalid_credentials');
    expect(err.message).toMatch(/do not match/);
  });

  it('derives a code from the status for non-JSON bodies', async () => {
    const err = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(err.code).toBe('server_error');
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/502/);
    const forbidden = await errorFromResponse(new Response('', { status: 403 }));
    expect(forbidden.code).toBe('forbidden');
  });
});

describe('request', () => {
  it('sends JSON with same-origin credentials and parses the body', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, { member: { id: 1, login: 'a', display_name: 'A', roles: [] } }));
    vi.stubGlobal('fetch', fetchMock);
    const me = await api.login('a', 'pw');
    expect(me.login).toBe('a');
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ login: 'a', password: 'pw' });
  });

  it('returns undefined for 204', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(null, { status: 204 })));
    await expect(api.logout()).resolves.toBeUndefined();
  });

  it('throws ApiError on error status', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(429, { code: 'rate_limited', message: 'Slow down' })));
    await expect(api.login('a', 'b')).rejects.toMatchObject({ name: 'ApiError', status: 429, code: 'rate_limited', message: 'Slow down' });
  });

  it('turns a network failure into ApiError network_error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(request('GET', '/api/x')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('announces a 401 to listeners except for quiet requests', async () => {
    const seen: string[] = [];
    const off = onUnauthenticated((e) => seen.push(e.code));
    vi.stubGlobal('fetch', vi.fn().mockImplementation(() => Promise.resolve(jsonResponse(401, { code: 'unauthenticated' }))));
    await expect(api.members()).rejects.toBeInstanceOf(ApiError);
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    off();
    expect(seen).toEqual(['unauthenticated']);
  });

  it('does not treat a wrong current password (401 invalid_credentials) as a lost session', async () => {
    const seen: string[] = [];
    const off = onUnauthenticated((e) => seen.push(e.code));
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { code: 'invalid_credentials', message: 'the current password is wrong' })));
    await expect(api.changePassword('bad', 'long-enough-pw')).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The current password is wrong' });
    off();
    expect(seen).toEqual([]);
  });

  it('encodes path parameters', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response(null, { status: 204 }));
    vi.stubGlobal('fetch', fetchMock);
    await api.revokeRole(3, 'a/b');
    expect(fetchMock.mock.calls[0][0]).toBe('/api/members/3/roles/a%2Fb');
    expect(fetchMock.mock.calls[0][1].method).toBe('DELETE');
  });
});

describe('list pages', () => {
  it('adds cursor and limit to a path with or without a query', () => {
    expect(pagePath('/api/members')).toBe('/api/members?limit=100');
    expect(pagePath('/api/projects?member=me', 'abc_-', 20)).toBe('/api/projects?member=me&cursor=abc_-&limit=20');
  });

  it('follows next_cursor to the last page', async () => {
    const pages: Record<string, unknown> = {
      '/api/members?limit=100': { items: [{ id: 1 }, { id: 2 }], next_cursor: 'c1' },
      '/api/members?cursor=c1&limit=100': { items: [{ id: 3 }], next_cursor: null },
    };
    const fetchMock = vi.fn().mockImplementation((url: string) => Promise.resolve(jsonResponse(200, pages[url])));
    vi.stubGlobal('fetch', fetchMock);
    expect((await allPages<{ id: number }>('/api/members')).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('stops when a cursor repeats', async () => {
    const fetchMock = vi.fn().mockImplementation(() => Promise.resolve(jsonResponse(200, { items: [{ id: 1 }], next_cursor: 'same' })));
    vi.stubGlobal('fetch', fetchMock);
    expect(await allPages('/api/tokens')).toHaveLength(2);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
