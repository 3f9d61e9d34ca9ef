// Small typed client for the copyhold JSON API (same origin, cookie session).
// Every failure becomes an ApiError carrying the server's {code, message}.
// The request and answer types come from the OpenAPI document (schema.ts).

import type { Body, Ok, Schema } from './schema';

export type Role = Schema<'Member'>['roles'][number];
export const ROLES: readonly Role[] = ['labeller', 'reviewer', 'coordinator'];

/** The logged-in member (GET /api/me). */
export type Me = Schema<'Member'>;

export type Member = Schema<'Member'>;

export type InviteCreated = Ok<'/api/invites', 'post', 201>;

export type InviteInfo = Schema<'Invite'>;

export type TokenInfo = Schema<'APIToken'>;

export type TokenCreated = Ok<'/api/tokens', 'post', 201>;

/** Friendly wording for codes whose server message is missing or terse. */
const FALLBACK_MESSAGES: Record<string, string> = {
  invalid_credentials: 'That login and password do not match.',
  rate_limited: 'Too many attempts. Please wait a minute and try again.',
  unauthenticated: 'Your session has ended. Please log in again.',
  forbidden: 'You do not have the role needed for this.',
  invite_invalid: 'This invite link is no longer valid. Ask a coordinator for a new one.',
  weak_password: 'Passwords need at least 10 characters.',
  password_common: 'That password is one of the most common passwords. Choose another.',
  password_has_login: 'A password must not contain your login.',
  password_pattern: 'A password must not be a repeated or sequential string such as aaaaaaaaaa or 1234567890.',
  login_taken: 'That login is already taken. Choose another.',
  network_error: 'Could not reach the server. Check your connection and try again.',
  not_found: 'Not found.',
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The input the server blames, when it names one ({"field": "..."}; optional). */
  readonly field?: string;

  constructor(status: number, code: string, message?: string, field?: string) {
    super(sentence(message && message.trim() !== '' ? message.trim() : (FALLBACK_MESSAGES[code] ?? `Request failed (${status || 'network'}).`)));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    if (field) this.field = field;
  }
}

/** Server messages are lower-case fragments ("login or password is wrong"); show them as sentences. */
function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Turns a non-OK response into an ApiError, tolerating non-JSON bodies. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = '';
  let message = '';
  let field = '';
  try {
    const text = await res.text();
    if (text) {
      const body: unknown = JSON.parse(text);
      if (body && typeof body === 'object') {
        const b = body as Record<string, unknown>;
        if (typeof b.code === 'string') code = b.code;
        if (typeof b.message === 'string') message = b.message;
        if (typeof b.field === 'string') field = b.field;
        // Tolerate {"error": "..."} shapes too.
        if (!message && typeof b.error === 'string') message = b.error;
      }
    }
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): fall through to status-based code.
  }
  if (!code) code = defaultCode(res.status);
  return new ApiError(res.status, code, message, field || undefined);
}

function defaultCode(status: number): string {
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 410: return 'gone';
    case 429: return 'rate_limited';
    default: return status >= 500 ? 'server_error' : `http_${status}`;
  }
}

type Listener = (err: ApiError) => void;
const unauthListeners = new Set<Listener>();

/**
 * Called when a request finds the session gone (401 unauthenticated). Other
 * 401s, e.g. invalid_credentials for a wrong current password, are not
 * session loss and are left to the caller.
 */
export function onUnauthenticated(fn: Listener): () => void {
  unauthListeners.add(fn);
  return () => unauthListeners.delete(fn);
}

interface RequestOptions {
  /** Do not broadcast a 401 (login form, initial session probe). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error');
  }
  if (!res.ok) {
    const err = await errorFromResponse(res);
    if (err.status === 401 && err.code === 'unauthenticated' && !opts.quiet401) unauthListeners.forEach((fn) => fn(err));
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response the app could not read.');
  }
}

const enc = encodeURIComponent;

/** GET /api/demo: the demo co-op's logins, listed only when it is loaded. */
export type DemoInfo = Ok<'/api/demo', 'get'>;

/** One page of a list endpoint (docs/API.md, "Pagination"): next_cursor is null on the last. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The largest page a list endpoint gives. */
export const PAGE_MAX = 100;

/** A list's path with ?cursor= (when there is one) and ?limit= added to its own query. */
export function pagePath(path: string, cursor?: string | null, limit: number = PAGE_MAX): string {
  const p = new URLSearchParams();
  if (cursor) p.set('cursor', cursor);
  p.set('limit', String(limit));
  return `${path}${path.includes('?') ? '&' : '?'}${p}`;
}

/** One page of a list endpoint, with items never null. */
export async function listPage<T>(path: string, cursor?: string | null, limit: number = PAGE_MAX): Promise<Page<T>> {
  const r = await request<Partial<Page<T>>>('GET', pagePath(path, cursor, limit));
  return { items: r?.items ?? [], next_cursor: r?.next_cursor ?? null };
}

/**
 * Every row of a list endpoint, following next_cursor to the last page: for
 * the lists a page shows whole (members, models, projects…). Stops if a
 * cursor repeats, so a misbehaving server cannot loop it.
 */
export async function allPages<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: Page<T> = await listPage<T>(path, cursor);
    out.push(...page.items);
    if (!page.next_cursor || page.next_cursor === cursor) return out;
    cursor = page.next_cursor;
  }
}

export const api = {
  demo: () => request<DemoInfo>('GET', '/api/demo', undefined, { quiet401: true }),
  login: (login: string, password: string) =>
    request<Ok<'/api/auth/login', 'post'>>('POST', '/api/auth/login', { login, password } satisfies Body<'/api/auth/login', 'post'>, { quiet401: true }).then((r) => r.member),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, { quiet401: true }),
  me: () => request<Me>('GET', '/api/me', undefined, { quiet401: true }),
  changePassword: (current_password: string, new_password: string, revoke_tokens = false) =>
    request<void>('POST', '/api/me/password', { current_password, new_password, revoke_tokens } satisfies Body<'/api/me/password', 'post'>),

  members: () => allPages<Member>('/api/members'),
  grantRole: (id: number, role: string) => request<void>('POST', `/api/members/${enc(String(id))}/roles`, { role } satisfies Body<'/api/members/{id}/roles', 'post'>),
  revokeRole: (id: number, role: string) => request<void>('DELETE', `/api/members/${enc(String(id))}/roles/${enc(role)}`),
  deactivate: (id: number) => request<void>('POST', `/api/members/${enc(String(id))}/deactivate`),
  createInvite: (roles: string[], note: string) => request<InviteCreated>('POST', '/api/invites', { roles, note } satisfies Body<'/api/invites', 'post'>),

  invite: (token: string) => request<InviteInfo>('GET', `/api/invites/${enc(token)}`, undefined, { quiet401: true }),
  acceptInvite: (token: string, login: string, display_name: string, password: string) =>
    // null: admission is by vote, and the application is before the members (no session yet).
    request<Ok<'/api/invites/{token}/accept', 'post', 201> | Ok<'/api/invites/{token}/accept', 'post', 202>>('POST', `/api/invites/${enc(token)}/accept`, { login, display_name, password } satisfies Body<'/api/invites/{token}/accept', 'post'>, { quiet401: true }).then(
      (r): Me | null => ('application' in r ? null : r.member),
    ),

  tokens: () => allPages<TokenInfo>('/api/tokens'),
  createToken: (name: string) => request<TokenCreated>('POST', '/api/tokens', { name } satisfies Body<'/api/tokens', 'post'>),
  revokeToken: (id: number) => request<void>('DELETE', `/api/tokens/${enc(String(id))}`),
};
