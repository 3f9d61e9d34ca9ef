import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type InviteInfo, type Me } from '../api';
import { ErrorAlert, Field, formatDate, roleLabel } from '../ui';
import { Link } from '../router';

const MIN_PASSWORD = 10;

export function InvitePage({ token, onJoined }: { token: string; onJoined: (me: Me) => void }) {
  const [info, setInfo] = useState<InviteInfo | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [login, setLogin] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [pending, setPending] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api.invite(token).then(
      (i) => !cancelled && setInfo(i),
      (e: ApiError) => !cancelled && setLoadError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) {
      setError(`Passwords need at least ${MIN_PASSWORD} characters.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api.acceptInvite(token, login.trim(), displayName.trim(), password);
      if (me === null) {
        setPending(true);
        setBusy(false);
        return;
      }
      onJoined(me);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }

  const invalid = loadError && (loadError.status === 410 || loadError.status === 404 || loadError.code === 'invite_invalid');

  return (
    <div className="auth-layout">
      <main id="main" className="auth-card">
        <p className="brand brand-large">copyhold</p>
        <h1>Join the co-op</h1>
        {pending && (
          <div className="alert alert-info" role="status">
            Your application is before the members. They admit new members by a vote; you can log in once they have admitted you.
          </div>
        )}
        {!info && !loadError && <p className="muted">Checking your invite…</p>}
        {loadError && (
          <>
            <div className="alert alert-error" role="alert">
              {invalid ? 'This invite link is no longer valid: it was already used or has expired. Ask a coordinator for a new one.' : loadError.message}
            </div>
            <p>
              Already a member? <Link to="/login">Log in</Link>
            </p>
          </>
        )}
        {info && (
          <>
            <p>
              You are invited to join as{' '}
              <strong>{(info.roles ?? []).map(roleLabel).join(', ') || 'a member'}</strong>
              {info.expires_at ? <> (link valid until {formatDate(info.expires_at)})</> : null}.
            </p>
            {info.note && (
              <p className="invite-note">
                <span className="muted">Note from the coordinator:</span> {info.note}
              </p>
            )}
            <form onSubmit={submit}>
              <ErrorAlert error={error} />
              <Field
                label="Login"
                name="login"
                autoComplete="username"
                required
                value={login}
                onChange={(e) => setLogin(e.target.value)}
                hint="Used to log in. Letters, digits, dots, dashes."
              />
              <Field
                label="Display name"
                name="display_name"
                autoComplete="name"
                required
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                hint="Shown to other members."
              />
              <Field
                label="Password"
                name="password"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_PASSWORD}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                hint={`At least ${MIN_PASSWORD} characters.`}
              />
              <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
                {busy ? 'Joining…' : 'Join copyhold'}
              </button>
            </form>
          </>
        )}
      </main>
    </div>
  );
}
