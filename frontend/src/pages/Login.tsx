import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type DemoInfo, type Me } from '../api';
import { Field, ErrorAlert } from '../ui';

interface Props {
  /** Called with the member once the server accepts the credentials. */
  onLoggedIn: (me: Me) => void;
}

export function LoginPage({ onLoggedIn }: Props) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [demo, setDemo] = useState<DemoInfo | null>(null);
  useEffect(() => {
    let live = true;
    // Listed only when the server says the demo co-op is loaded.
    api.demo().then(
      (d) => live && d.loaded && setDemo(d),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const me = await api.login(login.trim(), password);
      onLoggedIn(me);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
      setError(
        e.code === 'application_pending'
          ? new ApiError(e.status, e.code, 'Your application is before the members. You can log in once they have admitted you.')
          : e,
      );
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <div className="auth-layout">
      <main id="main" className="auth-card">
        <p className="brand brand-large">copyhold</p>
        <h1>Log in</h1>
        <p className="muted">The labelling workbench of the co-operative.</p>
        <form onSubmit={submit} noValidate={false} aria-describedby={error ? 'login-error' : undefined}>
          <div id="login-error">
            <ErrorAlert error={error} />
          </div>
          <Field label="Login" name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} autoFocus />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
        <p className="muted small">New members join through an invite link from a coordinator.</p>
        {demo && demo.logins.length > 0 && (
          <section className="demo-logins" aria-labelledby="demo-logins-heading">
            <h2 id="demo-logins-heading">Demo co-op</h2>
            <p className="muted small">
              This server runs the demo co-op. Every demo member's password is <code>{demo.password}</code>.
            </p>
            <ul>
              {demo.logins.map((l) => (
                <li key={l.login}>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => {
                      setLogin(l.login);
                      setPassword(demo.password ?? '');
                    }}
                  >
                    {l.login}
                  </button>{' '}
                  <span className="muted">
                    {l.display_name}, {l.role}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}
