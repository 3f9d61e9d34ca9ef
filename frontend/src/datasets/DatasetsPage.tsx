// Coordinator's datasets page: freeze accepted annotations into a snapshot,
// download exports of it (format picker), register a model release, and
// evaluate releases blind.
import { useEffect, useState } from 'react';
import { labelApi } from '../labeling/api';
import { TASK_TYPES, TASK_TYPE_LABELS, type Model, type Project } from '../labeling/types';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, formatDate } from '../ui';
import { genApi, type EndpointChoice } from '../gen/api';
import { EvaluateReleases } from './EvaluateReleases';
import { datasetsApi, exportURL, formatsFor, shortHash, type Release, type Snapshot } from './api';

function SnapshotRow({ s }: { s: Snapshot }) {
  const formats = formatsFor(s.task_type);
  const [format, setFormat] = useState(formats[0]);
  const id = `fmt-${s.id}`;
  return (
    <tr>
      <td>{s.id}</td>
      <td>{(s.projects ?? []).map((p) => p.name).join(', ')}</td>
      <td>{s.mode}</td>
      <td>{s.items}</td>
      <td>{s.annotations}</td>
      <td><code title={s.hash}>{shortHash(s.hash)}</code></td>
      <td>{formatDate(s.created_at)}</td>
      <td>
        <label htmlFor={id} className="visually-hidden">Format for snapshot {s.id}</label>
        <select id={id} value={format} onChange={(e) => setFormat(e.target.value)}>
          {formats.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>{' '}
        <a className="btn" href={exportURL(s.id, format)} download data-testid={`download-${s.id}`}>Download</a>{' '}
        <a href={`/api/snapshots/${s.id}/manifest?format=${encodeURIComponent(format)}`} target="_blank" rel="noreferrer">manifest</a>
      </td>
    </tr>
  );
}

export function DatasetsPage() {
  const [models, setModels] = useState<Model[]>([]);
  const [projects, setProjects] = useState<Project[]>([]);
  const [modelId, setModelId] = useState<number>(0);
  const [chosen, setChosen] = useState<number[]>([]);
  const [mode, setMode] = useState('consensus');
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  const [releases, setReleases] = useState<Release[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [rel, setRel] = useState({ version: '', base_model: '', checkpoint: '', training_notes: '' });
  const [relSnaps, setRelSnaps] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  const [endpoints, setEndpoints] = useState<EndpointChoice[]>([]);
  useEffect(() => {
    genApi.endpoints().then(setEndpoints, () => setEndpoints([]));
  }, []);

  useEffect(() => {
    Promise.all([labelApi.models(), labelApi.projects()])
      .then(([m, p]) => {
        setModels(m);
        setProjects(p);
        if (m.length) setModelId(m[0].id);
      })
      .catch(setError);
  }, []);
  const reload = () => {
    if (!modelId) return;
    Promise.all([datasetsApi.snapshots(modelId), datasetsApi.releases(modelId)])
      .then(([s, r]) => {
        setSnapshots(s);
        setReleases(r);
      })
      .catch(setError);
  };
  useEffect(reload, [modelId]);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await datasetsApi.createSnapshot(modelId, chosen, mode);
      setNotice(`Snapshot ${s.id} created: ${s.items} items, hash ${shortHash(s.hash)}`);
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const register = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await datasetsApi.createRelease({ model_id: modelId, snapshot_hashes: relSnaps, ...rel });
      setNotice(`Release ${r.version} registered (hash ${shortHash(r.hash)})`);
      setRel({ version: '', base_model: '', checkpoint: '', training_notes: '' });
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const modelProjects = projects.filter((p) => p.model_id === modelId);
  // The snapshot picker groups projects by task type; a snapshot holds one.
  const byType = TASK_TYPES.map((t) => [t, modelProjects.filter((p) => p.task_type === t)] as const).filter(([, ps]) => ps.length > 0);
  const chosenType = modelProjects.find((p) => chosen.includes(p.id))?.task_type;

  return (
    <>
      <PageHeading title="Datasets" lead="Freeze accepted annotations into snapshots, download them with their provenance, and record the releases trained on them." />
      <p>
        <Link to="/datasets/leaderboard">Leaderboard</Link> · <Link to="/datasets/mine">My releases and data</Link>
      </p>
      <ErrorAlert error={error as { message: string } | null} />
      {notice && <div className="alert" role="status">{notice}</div>}
      <section className="card" aria-labelledby="snap-h">
        <h2 id="snap-h">New snapshot</h2>
        <label htmlFor="ds-model">Model</label>{' '}
        <select id="ds-model" value={modelId} onChange={(e) => { setModelId(Number(e.target.value)); setChosen([]); }}>
          {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
        </select>
        <fieldset>
          <legend>Projects</legend>
          {modelProjects.length === 0 && <p className="muted">This model has no projects.</p>}
          {modelProjects.length > 0 && (
            <p className="hint" id="ds-one-type">
              A snapshot holds one task type: once you tick a project, projects of other types wait for another snapshot.
            </p>
          )}
          {byType.map(([t, ps]) => (
            <fieldset key={t} className="ds-type" aria-describedby="ds-one-type">
              <legend>{TASK_TYPE_LABELS[t] ?? t}</legend>
              {ps.map((p) => (
                <label key={p.id} className="ds-project">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p.id)}
                    disabled={chosenType !== undefined && chosenType !== t}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, p.id] : chosen.filter((x) => x !== p.id))}
                  />{' '}
                  {p.name}
                </label>
              ))}
            </fieldset>
          ))}
        </fieldset>
        <fieldset>
          <legend>Mode</legend>
          <label><input type="radio" name="mode" value="consensus" checked={mode === 'consensus'} onChange={() => setMode('consensus')} /> one answer per item (consensus)</label>{' '}
          <label><input type="radio" name="mode" value="all" checked={mode === 'all'} onChange={() => setMode('all')} /> every accepted annotation</label>
        </fieldset>
        <button type="button" className="btn btn-primary" disabled={busy || chosen.length === 0} onClick={create}>Create snapshot</button>
      </section>

      <section className="card" aria-labelledby="list-h">
        <h2 id="list-h">Snapshots</h2>
        {snapshots.length === 0 ? <p className="muted">No snapshots of this model yet.</p> : (
          <div className="table-wrap"><table className="table">
            <thead><tr><th>#</th><th>Projects</th><th>Mode</th><th>Items</th><th>Annotations</th><th>Hash</th><th>Created</th><th>Export</th></tr></thead>
            <tbody>{snapshots.map((s) => <SnapshotRow key={s.id} s={s} />)}</tbody>
          </table></div>
        )}
      </section>

      <section className="card" aria-labelledby="rel-h">
        <h2 id="rel-h">Register a release</h2>
        <p className="muted">A training job can do the same with a coordinator's API token: <code>POST /api/releases</code>.</p>
        {(['version', 'base_model', 'checkpoint'] as const).map((k) => (
          <p key={k}>
            <label htmlFor={`rel-${k}`}>{k === 'version' ? 'Version' : k === 'base_model' ? 'Base model' : 'Checkpoint hash or URI'}</label><br />
            <input id={`rel-${k}`} value={rel[k]} onChange={(e) => setRel({ ...rel, [k]: e.target.value })} />
          </p>
        ))}
        <p>
          <label htmlFor="rel-notes">Training notes</label><br />
          <textarea id="rel-notes" value={rel.training_notes} onChange={(e) => setRel({ ...rel, training_notes: e.target.value })} />
        </p>
        <fieldset>
          <legend>Trained on</legend>
          {snapshots.map((s) => (
            <label key={s.id} style={{ display: 'block' }}>
              <input type="checkbox" checked={relSnaps.includes(s.hash)}
                onChange={(e) => setRelSnaps(e.target.checked ? [...relSnaps, s.hash] : relSnaps.filter((h) => h !== s.hash))} />{' '}
              snapshot {s.id} ({shortHash(s.hash)})
            </label>
          ))}
        </fieldset>
        <button type="button" className="btn btn-primary" disabled={busy || !rel.version || relSnaps.length === 0} onClick={register}>Register release</button>
        <h3>Releases</h3>
        {releases.length === 0 ? <p className="muted">No releases yet.</p> : (
          <ul>
            {releases.map((r) => (
              <li key={r.id}>
                <strong>{r.version}</strong> — {r.base_model || 'no base model'}, snapshots {(r.snapshot_ids ?? []).join(', ')}, <code title={r.hash}>{shortHash(r.hash)}</code>{' '}
                <ServedBy release={r} endpoints={endpoints} onChange={reload} onError={setError} />
              </li>
            ))}
          </ul>
        )}
      </section>

      {modelId > 0 && <EvaluateReleases models={models} initialModelId={modelId} />}
    </>
  );
}

export default DatasetsPage;

/** Which model endpoint serves a release: what evaluations generated from releases ask. */
function ServedBy({ release, endpoints, onChange, onError }: { release: Release; endpoints: EndpointChoice[]; onChange: () => void; onError: (e: unknown) => void }) {
  const id = `served-${release.id}`;
  return (
    <span className="served-by">
      <label htmlFor={id}>served by</label>{' '}
      <select
        id={id}
        value={release.endpoint_id ?? ''}
        onChange={(e) => {
          const v = e.target.value;
          datasetsApi.setReleaseEndpoint(release.id, v === '' ? null : Number(v)).then(onChange, onError);
        }}
      >
        <option value="">no endpoint</option>
        {endpoints.map((ep) => (
          <option key={ep.id} value={ep.id}>
            {ep.name} ({ep.model})
          </option>
        ))}
      </select>
    </span>
  );
}
