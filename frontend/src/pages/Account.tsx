import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type TokenCreated, type TokenInfo } from '../api';
import { useSession } from '../auth';
import { CopyField, ErrorAlert, Field, Notice, formatDate, roleLabel } from '../ui';
import { PageHeading } from './PageHeading';
import { ContactNotices, SensitiveSection, ShortcutsSection } from '../labeling/Preferences';

const MIN_PASSWORD = 10;

export function AccountPage() {
  const { me } = useSession();
  return (
    <>
      <PageHeading title="Account" lead="Your password, keyboard shortcuts, sensitive-content choices and personal API tokens." />
      <ContactNotices />
      {me && (
        <section className="card" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Profile</h2>
          <dl className="facts">
            <dt>Display name</dt>
            <dd>{me.display_name}</dd>
            <dt>Login</dt>
            <dd className="mono">{me.login}</dd>
            <dt>Roles</dt>
            <dd>{me.roles.length ? me.roles.map(roleLabel).join(', ') : 'Member'}</dd>
          </dl>
        </section>
      )}
      <PasswordSection />
      <ShortcutsSection />
      <SensitiveSection />
      <TokensSection />
    </>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    if (next.length < MIN_PASSWORD) return setError(`The new password needs at least ${MIN_PASSWORD} characters.`);
    if (next !== confirm) return setError('The two new passwords do not match.');
    setBusy(true);
    setError(null);
    try {
      await api.changePassword(current, next, revokeTokens);
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <form onSubmit={submit} className="narrow">
        <ErrorAlert error={error} />
        {done && <Notice>Your password was changed.</Notice>}
        <Field label="Current password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint={`At least ${MIN_PASSWORD} characters.`}
        />
        <Field label="Repeat new password" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={revokeTokens} onChange={(e) => setRevokeTokens(e.target.checked)} /> Also revoke my API tokens (scripts using them stop working)
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

function TokensSection() {
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTokens(await api.tokens());
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError('Give the token a name, e.g. the script that will use it.');
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.createToken(name.trim()));
      setName('');
      await load();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(t: TokenInfo) {
    setBusy(true);
    setError(null);
    try {
      await api.revokeToken(t.id);
      if (created && created.id === t.id) setCreated(null);
      await load();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Personal API tokens</h2>
      <p className="muted">Tokens let your own scripts use the API as you. Treat them like passwords.</p>
      <ErrorAlert error={error} />
      <form onSubmit={create} className="inline-form">
        <Field label="Token name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Create token
        </button>
      </form>
      {created && (
        <div className="result">
          <div className="alert alert-warn" role="status">
            <strong>Copy this token now.</strong> It is shown only once; copyhold keeps only a fingerprint of it.
          </div>
          <CopyField label={`New token “${created.name}”`} value={created.token} />
        </div>
      )}
      {tokens === null && !error && <p className="muted">Loading tokens…</p>}
      {tokens && tokens.length === 0 && <p className="muted">You have no API tokens.</p>}
      {tokens && tokens.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td className="mono">{t.prefix}…</td>
                  <td className="nowrap">{formatDate(t.created_at)}</td>
                  <td className="nowrap">{t.last_used_at ? formatDate(t.last_used_at) : 'Never'}</td>
                  <td className="actions">
                    <button type="button" className="btn btn-small btn-danger-outline" disabled={busy} aria-label={`Revoke token ${t.name}`} onClick={() => revoke(t)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
