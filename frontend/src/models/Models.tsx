import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { ErrorAlert, Notice, formatDate } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { modelsApi, type Capabilities, type ModelEndpoint, type NewModelEndpoint } from './api';

/** Coordinators register the co-op's model servers and see what each can do. */
export function ModelsPage() {
  const [endpoints, setEndpoints] = useState<ModelEndpoint[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      setEndpoints(await modelsApi.list());
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <PageHeading title="Models" lead="The co-op's OpenAI-compatible model servers (vLLM, llama.cpp, Ollama…) and what each was probed to do." />
      <nav className="tabs" aria-label="Co-op admin sections">
        <Link to="/admin">Members &amp; invites</Link>
        <Link to="/admin/projects">Models &amp; projects</Link>
        <Link to="/admin/webhooks">Webhooks</Link>
        <Link to="/admin/models" aria-current="page">
          Model endpoints
        </Link>
      </nav>
      <ErrorAlert error={error} />
      <RegisterForm onCreated={() => void load()} />
      {endpoints === null ? (
        <p>Loading…</p>
      ) : endpoints.length === 0 ? (
        <p>No model endpoints yet.</p>
      ) : (
        endpoints.map((ep) => <EndpointCard key={ep.id} endpoint={ep} onChange={load} />)
      )}
    </>
  );
}

function RegisterForm({ onCreated }: { onCreated: (ep: ModelEndpoint) => void }) {
  const [name, setName] = useState('');
  const [baseURL, setBaseURL] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [keyEnv, setKeyEnv] = useState('');
  const [concurrency, setConcurrency] = useState('1');
  const [perMinute, setPerMinute] = useState('0');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: NewModelEndpoint = { name, base_url: baseURL, model, concurrency: Number(concurrency), per_minute: Number(perMinute) };
    if (apiKey) body.api_key = apiKey;
    if (keyEnv) body.key_env = keyEnv;
    try {
      const ep = await modelsApi.create(body);
      setName('');
      setBaseURL('');
      setModel('');
      setKeyEnv('');
      onCreated(ep);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setApiKey(''); // write-only: never kept in the page
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="model-new">
      <h2 id="model-new">Register an endpoint</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="model-name">Name</label>
          <input id="model-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="GPU box vLLM" />
        </div>
        <div className="field">
          <label htmlFor="model-url">Base URL</label>
          <input id="model-url" type="text" inputMode="url" required value={baseURL} onChange={(e) => setBaseURL(e.target.value)} placeholder="http://10.0.0.5:8000/v1" />
        </div>
        <div className="field">
          <label htmlFor="model-model">Model</label>
          <input id="model-model" required maxLength={200} value={model} onChange={(e) => setModel(e.target.value)} placeholder="org/model-7b" />
        </div>
        <div className="field">
          <label htmlFor="model-key">API key (optional, stored encrypted, never shown again)</label>
          <input id="model-key" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="model-key-env">Or the server's environment variable that holds the key (MODEL_API_KEY…)</label>
          <input id="model-key-env" value={keyEnv} onChange={(e) => setKeyEnv(e.target.value)} placeholder="MODEL_API_KEY_VLLM" />
        </div>
        <div className="field">
          <label htmlFor="model-concurrency">Requests at once (1–64)</label>
          <input id="model-concurrency" type="number" min={1} max={64} required value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="model-per-minute">Requests per minute (0: no limit)</label>
          <input id="model-per-minute" type="number" min={0} required value={perMinute} onChange={(e) => setPerMinute(e.target.value)} />
        </div>
        <ErrorAlert error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Registering and probing…' : 'Register and probe'}
        </button>
      </form>
    </section>
  );
}

/** The probed capabilities, in words, for the table. */
export function capabilityRows(c: Capabilities): { label: string; ok: boolean; detail: string }[] {
  const logprobs: Record<string, string> = {
    sampled: "the sampled tokens' log-probabilities",
    pre_sampling: 'probabilities before sampling (llama.cpp): a rough confidence only',
    '': 'none',
  };
  return [
    { label: 'Chat completions', ok: c.chat, detail: c.chat ? 'answers' : 'no answer' },
    { label: 'Several choices (n)', ok: c.n, detail: c.n ? 'n choices in one request' : 'one request per choice' },
    { label: 'Seed', ok: c.seed, detail: c.seed ? 'the same seed gives the same text' : 'not reproducible' },
    { label: 'Logprobs', ok: c.logprobs !== '', detail: logprobs[c.logprobs] ?? c.logprobs },
    { label: 'JSON schema', ok: c.json_schema, detail: c.json_schema ? 'answers match the schema' : 'validated and retried instead' },
    { label: 'Tool calls', ok: c.tools, detail: c.tools ? 'tool_calls come back' : 'not supported' },
    { label: 'Streaming', ok: c.stream, detail: c.stream ? 'server-sent events' : 'not supported' },
  ];
}

function EndpointCard({ endpoint: ep, onChange }: { endpoint: ModelEndpoint; onChange: () => Promise<void> }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const caps = ep.capabilities;
  const probed = caps.probed_at && !caps.probed_at.startsWith('0001-');

  async function act(fn: () => Promise<unknown>) {
    setError(null);
    setBusy(true);
    try {
      await fn();
      await onChange();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-label={`Model endpoint ${ep.name}`}>
      <h2>{ep.name}</h2>
      <p className="muted">
        {ep.model} at {ep.base_url} · key: {ep.has_key ? (ep.key_env ? `from ${ep.key_env}` : 'stored') : ep.key_env ? `${ep.key_env} is not set` : 'none'} · {ep.concurrency} at once
        {ep.per_minute > 0 ? `, ${ep.per_minute} a minute` : ''} · registered {formatDate(ep.created_at)}
      </p>
      {probed ? (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption>Capabilities, probed {formatDate(caps.probed_at)}</caption>
              <thead>
                <tr>
                  <th scope="col">Capability</th>
                  <th scope="col">Works</th>
                  <th scope="col">What copyhold does</th>
                </tr>
              </thead>
              <tbody>
                {capabilityRows(caps).map((r) => (
                  <tr key={r.label}>
                    <th scope="row">{r.label}</th>
                    <td>{r.ok ? '✓ yes' : '✗ no'}</td>
                    <td>{r.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {caps.notes && caps.notes.length > 0 && (
            <>
              <h3>Probe notes</h3>
              <ul aria-label={`Probe notes for ${ep.name}`}>
                {caps.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </>
          )}
        </>
      ) : (
        <Notice>Not probed yet.</Notice>
      )}
      <ErrorAlert error={error} />
      <p>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act(() => modelsApi.probe(ep.id))}>
          {busy ? 'Probing…' : 'Probe again'}
        </button>{' '}
        <button type="button" className="btn btn-small btn-danger-outline" disabled={busy} onClick={() => void act(() => modelsApi.remove(ep.id))}>
          Delete
        </button>
      </p>
    </section>
  );
}
