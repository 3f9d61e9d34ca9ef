import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { CopyField, ErrorAlert, Notice, formatDate } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { webhooksApi, type WebhookAttempt, type WebhookEndpoint } from './api';

/** Coordinators register webhook endpoints and watch their attempts. */
export function WebhooksPage() {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [types, setTypes] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<WebhookEndpoint | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await webhooksApi.list();
      setEndpoints(r.items);
      setTypes(r.event_types);
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <PageHeading title="Webhooks" lead="Signed notices (Standard Webhooks) sent to your training pipelines when something happens." />
      <nav className="tabs" aria-label="Co-op admin sections">
        <Link to="/admin">Members &amp; invites</Link>
        <Link to="/admin/projects">Models &amp; projects</Link>
        <Link to="/admin/webhooks" aria-current="page">
          Webhooks
        </Link>
        <Link to="/admin/models">Model endpoints</Link>
      </nav>
      <ErrorAlert error={error} />
      <RegisterForm
        types={types}
        onCreated={(ep) => {
          setCreated(ep);
          void load();
        }}
      />
      {created?.secret && (
        <section className="card" aria-label="New endpoint secret">
          <Notice>Endpoint registered. Copy its signing secret now: it is not shown again.</Notice>
          <CopyField label="Signing secret" value={created.secret} />
        </section>
      )}
      {endpoints === null ? (
        <p>Loading…</p>
      ) : endpoints.length === 0 ? (
        <p>No endpoints yet.</p>
      ) : (
        endpoints.map((ep) => <EndpointCard key={ep.id} endpoint={ep} onChange={load} />)
      )}
    </>
  );
}

function RegisterForm({ types, onCreated }: { types: string[]; onCreated: (ep: WebhookEndpoint) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await webhooksApi.create(url, description, chosen));
      setUrl('');
      setDescription('');
      setChosen([]);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="webhook-new">
      <h2 id="webhook-new">Register an endpoint</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="webhook-url">URL</label>
          <input id="webhook-url" type="text" inputMode="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://trainer.example/hooks" />
        </div>
        <div className="field">
          <label htmlFor="webhook-description">Description (optional)</label>
          <input id="webhook-description" value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="checks">
          <legend>Events</legend>
          {types.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(t)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, t] : chosen.filter((c) => c !== t))}
              />{' '}
              {t}
            </label>
          ))}
        </fieldset>
        <ErrorAlert error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy || chosen.length === 0}>
          Register
        </button>
      </form>
    </section>
  );
}

function EndpointCard({ endpoint: ep, onChange }: { endpoint: WebhookEndpoint; onChange: () => Promise<void> }) {
  const [attempts, setAttempts] = useState<WebhookAttempt[] | null>(null);
  // The cursor of the next older page of attempts; null when all are shown.
  const [older, setOlder] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const loadAttempts = useCallback(async (cursor?: string) => {
    try {
      const page = await webhooksApi.attempts(ep.id, cursor);
      setAttempts((a) => (cursor && a ? [...a, ...page.items] : page.items));
      setOlder(page.next_cursor);
    } catch (e) {
      setError(e as ApiError);
    }
  }, [ep.id]);

  useEffect(() => {
    void loadAttempts();
  }, [loadAttempts]);

  async function act(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
      await onChange();
    } catch (e) {
      setError(e as ApiError);
    }
  }

  return (
    <section className="card" aria-label={`Endpoint ${ep.url}`}>
      <h2>{ep.url}</h2>
      {ep.description && <p>{ep.description}</p>}
      <p className="muted">
        Events: {ep.event_types.join(', ')} · waiting: {ep.pending} · registered {formatDate(ep.created_at)}
      </p>
      {ep.disabled_at && (
        <div className="alert alert-error" role="alert">
          Disabled {formatDate(ep.disabled_at)}: {ep.disabled_reason}
        </div>
      )}
      <ErrorAlert error={error} />
      <p>
        {ep.disabled_at && (
          <button type="button" className="btn btn-small" onClick={() => void act(() => webhooksApi.enable(ep.id))}>
            Enable again
          </button>
        )}{' '}
        <button type="button" className="btn btn-small" onClick={() => void loadAttempts()}>
          Refresh attempts
        </button>{' '}
        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => void act(() => webhooksApi.remove(ep.id))}>
          Delete
        </button>
      </p>
      <h3>Recent attempts</h3>
      {attempts === null ? (
        <p>Loading…</p>
      ) : attempts.length === 0 ? (
        <p>No attempts yet.</p>
      ) : (
        <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Message</th>
              <th scope="col">Try</th>
              <th scope="col">Response</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((a) => (
              <tr key={a.id}>
                <td>{formatDate(a.attempted_at)}</td>
                <td>{a.event_type}</td>
                <td>
                  <code>{a.message_id}</code>
                </td>
                <td>{a.attempt}</td>
                <td>{a.status_code ? `${a.status_code}${a.error ? '' : ' OK'}` : a.error || '—'}</td>
                <td>{a.duration_ms} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {older && (
        <button type="button" className="btn btn-small" onClick={() => void loadAttempts(older)}>
          Older attempts
        </button>
      )}
    </section>
  );
}
