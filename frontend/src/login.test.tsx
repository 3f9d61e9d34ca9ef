import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from './App';
import { SessionProvider } from './auth';
import { LoginPage } from './pages/Login';

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

function fill(login: string, password: string) {
  fireEvent.change(screen.getByLabelText('Login'), { target: { value: login } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('LoginPage', () => {
  it('shows the server message in an alert on a wrong password', async () => {
    vi.stubGlobal('fetch', vi.fn().mockImplementation(() => Promise.resolve(json(401, { code: 'invalid_credentials', message: 'Wrong login or password.' }))));
    const onLoggedIn = vi.fn();
    render(<LoginPage onLoggedIn={onLoggedIn} />);
    fill('labeller', 'nope');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Wrong login or password.');
    expect(onLoggedIn).not.toHaveBeenCalled();
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
  });

  it('explains rate limiting', async () => {
    vi.stubGlobal('fetch', vi.fn().mockImplementation(() => Promise.resolve(json(429, { code: 'rate_limited' }))));
    render(<LoginPage onLoggedIn={vi.fn()} />);
    fill('labeller', 'x');
    expect((await screen.findByRole('alert')).textContent).toMatch(/Too many attempts/);
  });

  it('posts the credentials and reports the member', async () => {
    const me = { id: 7, login: 'labeller', display_name: 'Lab', roles: ['labeller'] };
    const fetchMock = vi.fn().mockImplementation(() => Promise.resolve(json(200, { member: me })));
    vi.stubGlobal('fetch', fetchMock);
    const onLoggedIn = vi.fn();
    render(<LoginPage onLoggedIn={onLoggedIn} />);
    fill(' labeller ', 'copyhold-demo');
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(me));
    const call = fetchMock.mock.calls.find((c) => c[0] === '/api/auth/login')!;
    expect(JSON.parse(call[1].body)).toEqual({ login: 'labeller', password: 'copyhold-demo' });
  });

  it('lists the demo logins when the demo co-op is loaded, and fills the form from one', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string) =>
        Promise.resolve(
          url === '/api/demo'
            ? json(200, { loaded: true, password: 'copyhold-demo', logins: [{ login: 'reviewer', display_name: 'Rui Reviewer', role: 'reviewer' }] })
            : json(401, { code: 'unauthenticated' }),
        ),
      ),
    );
    render(<LoginPage onLoggedIn={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'reviewer' }));
    expect(screen.getByRole('heading', { name: 'Demo co-op' })).toBeTruthy();
    expect((screen.getByLabelText('Login') as HTMLInputElement).value).toBe('reviewer');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('copyhold-demo');
  });

  it('lists nothing when the demo co-op is not loaded', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(200, { loaded: false, logins: [] }));
    vi.stubGlobal('fetch', fetchMock);
    render(<LoginPage onLoggedIn={vi.fn()} />);
    await waitFor(() => expect(fetchMock).toHaveBeenCalledWith('/api/demo', expect.anything()));
    await act(async () => {});
    expect(screen.queryByRole('heading', { name: 'Demo co-op' })).toBeNull();
  });
});

describe('App login flow', () => {
  it('redirects an anonymous visitor to /login and a labeller to Work after login', async () => {
    const me = { id: 7, login: 'labeller', display_name: 'Lab Eller', roles: ['labeller'] };
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string) => {
        if (url === '/api/me') return Promise.resolve(json(401, { code: 'unauthenticated' }));
        if (url === '/api/auth/login') return Promise.resolve(json(200, { member: me }));
        return Promise.resolve(json(404, { code: 'not_found' }));
      }),
    );
    render(
      <SessionProvider>
        <App />
      </SessionProvider>,
    );
    await screen.findByRole('heading', { name: 'Log in' });
    expect(window.location.pathname).toBe('/login');
    fill('labeller', 'copyhold-demo');
    await screen.findByRole('heading', { level: 1, name: 'Work' });
    expect(window.location.pathname).toBe('/work');
    expect(screen.getByText('Lab Eller')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Co-op admin' })).toBeNull();
  });

  it('shows the role-needed page when a labeller opens /admin', async () => {
    window.history.replaceState(null, '', '/admin');
    const me = { id: 7, login: 'labeller', display_name: 'Lab', roles: ['labeller'] };
    const fetchMock = vi.fn().mockImplementation(() => Promise.resolve(json(200, me)));
    vi.stubGlobal('fetch', fetchMock);
    await act(async () => {
      render(
        <SessionProvider>
          <App />
        </SessionProvider>,
      );
    });
    expect(await screen.findByRole('heading', { name: 'You need the coordinator role' })).toBeTruthy();
    // The admin page never asked the server for members (the navigation only counts open votes).
    expect(fetchMock.mock.calls.map((c) => c[0]).filter((u: string) => !u.startsWith('/api/proposals'))).toEqual(['/api/me']);
  });
});
