// "Evaluate releases": a coordinator compares two or more releases of a model
// blind. The outputs come from a JSONL file keyed by release version (the
// conversion to POST /api/evaluations lives in evaluation.ts), or the releases'
// own endpoints write them for a prompt set or a snapshot's prompts
// (POST /api/gen/evaluations, docs/MODELS.md).
import { useEffect, useState } from 'react';
import type { Model, Project } from '../labeling/types';
import { Link } from '../router';
import { ErrorAlert } from '../ui';
import { parsePrompts } from '../gen/api';
import { datasetsApi, type Evaluation, type Release, type Snapshot } from './api';
import { buildEvaluationRequest } from './evaluation';

export function EvaluateReleases({ models, initialModelId }: { models: Model[]; initialModelId: number }) {
  const [modelId, setModelId] = useState(initialModelId);
  const [releases, setReleases] = useState<Release[]>([]);
  const [name, setName] = useState('');
  const [taskType, setTaskType] = useState<'pairwise' | 'rubric'>('pairwise');
  const [criteria, setCriteria] = useState('');
  const [ticked, setTicked] = useState<number[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ evaluation: Evaluation; project: Project } | null>(null);
  // Where the outputs come from: a file, or the releases' endpoints.
  const [generate, setGenerate] = useState(false);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  const [snapshotId, setSnapshotId] = useState('');
  const [queued, setQueued] = useState<{ job: number; project: number } | null>(null);

  useEffect(() => {
    if (!modelId && initialModelId) setModelId(initialModelId);
  }, [initialModelId, modelId]);
  useEffect(() => {
    setSnapshots([]);
    setSnapshotId('');
    if (!modelId) return;
    let current = true;
    datasetsApi.snapshots(modelId).then((ss) => current && setSnapshots(ss), () => {});
    return () => {
      current = false;
    };
  }, [modelId]);
  useEffect(() => {
    setTicked([]);
    setReleases([]);
    if (!modelId) return;
    // A slow answer for the model chosen before must not land after this one's.
    let current = true;
    datasetsApi
      .releases(modelId)
      .then((rs) => current && setReleases(rs))
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [modelId]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    setCreated(null);
    setQueued(null);
    try {
      if (generate) {
        let prompts: unknown[] | undefined;
        if (!snapshotId) {
          if (!file) throw new Error('Choose a snapshot or a JSONL file of prompts.');
          const parsed = parsePrompts(await file.text());
          if ('error' in parsed) throw new Error(parsed.error);
          prompts = parsed.prompts;
        }
        const job = await datasetsApi.generateEvaluation({ model_id: modelId, name: name.trim(), release_ids: ticked, prompts, snapshot_id: snapshotId ? Number(snapshotId) : undefined });
        setQueued({ job: job.id, project: job.project_id });
        return;
      }
      if (!file) throw new Error('Choose a JSONL file of prompts and outputs.');
      const req = buildEvaluationRequest({ modelId, name, taskType, criteria, releases, ticked, jsonl: await file.text() });
      setCreated(await datasetsApi.createEvaluation(req));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="ev-h">
      <h2 id="ev-h">Evaluate releases</h2>
      <p className="muted">
        Members judge the outputs blind, without knowing which release wrote which. Upload one JSON object a line:{' '}
        <code>{'{"prompt": "…", "outputs": {"<release version>": "text", …}}'}</code>, with an output from every ticked release.
      </p>
      <p>
        <label htmlFor="ev-model">Model</label><br />
        <select id="ev-model" value={modelId} onChange={(e) => setModelId(Number(e.target.value))}>
          {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
        </select>
      </p>
      <p>
        <label htmlFor="ev-name">Evaluation name</label><br />
        <input id="ev-name" value={name} onChange={(e) => setName(e.target.value)} />
      </p>
      <fieldset className="checks">
        <legend>Outputs</legend>
        <label className="check"><input type="radio" name="ev-source" checked={!generate} onChange={() => setGenerate(false)} /> from a file of prompts and outputs</label>
        <label className="check"><input type="radio" name="ev-source" checked={generate} onChange={() => { setGenerate(true); setTaskType('pairwise'); }} /> written by the releases&apos; endpoints</label>
      </fieldset>
      {!generate && (
      <fieldset className="checks">
        <legend>Task type</legend>
        <label className="check"><input type="radio" name="ev-task" value="pairwise" checked={taskType === 'pairwise'} onChange={() => setTaskType('pairwise')} /> pairwise (which of two is better)</label>
        <label className="check"><input type="radio" name="ev-task" value="rubric" checked={taskType === 'rubric'} onChange={() => setTaskType('rubric')} /> rubric (score each output)</label>
      </fieldset>
      )}
      {taskType === 'rubric' && (
        <p>
          <label htmlFor="ev-criteria">Rubric criteria, one per line</label><br />
          <textarea id="ev-criteria" value={criteria} onChange={(e) => setCriteria(e.target.value)} />
        </p>
      )}
      <fieldset className="checks">
        <legend>Releases to compare (two or more)</legend>
        {releases.length < 2 && <p className="muted">This model needs at least two releases to evaluate.</p>}
        {releases.map((r) => (
          <label key={r.id} className="check">
            <input type="checkbox" checked={ticked.includes(r.id)}
              onChange={(e) => setTicked(e.target.checked ? [...ticked, r.id] : ticked.filter((x) => x !== r.id))} />{' '}
            release {r.version}
            {generate && !r.endpoint_id && <span className="muted small"> (no endpoint serves it: set one under Releases)</span>}
          </label>
        ))}
      </fieldset>
      {generate && (
        <p>
          <label htmlFor="ev-snapshot">Prompts from a snapshot</label><br />
          <select id="ev-snapshot" value={snapshotId} onChange={(e) => setSnapshotId(e.target.value)}>
            <option value="">none: use a file of prompts</option>
            {snapshots.map((sn) => <option key={sn.id} value={sn.id}>snapshot {sn.id} ({sn.task_type}, {sn.items} items)</option>)}
          </select>
        </p>
      )}
      <p>
        <label htmlFor="ev-file">{generate ? 'Prompts (JSONL: {"prompt": "…"} per line)' : 'Prompts and outputs (JSONL)'}</label><br />
        <input id="ev-file" type="file" accept=".jsonl,.json,.txt,application/jsonl,application/json,text/plain"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </p>
      <ErrorAlert error={error as { message: string } | null} />
      <button type="button" className="btn btn-primary" disabled={busy || !name.trim() || ticked.length < 2 || (!file && !(generate && snapshotId))} onClick={submit}>
        Create evaluation
      </button>
      {queued && (
        <div className="alert alert-ok" role="status">
          Generation job {queued.job} queued: the releases&apos; endpoints are answering. The blind evaluation project{' '}
          <Link to={`/admin/projects/${queued.project}`}>fills as the answers come in</Link>; open it from its project page when it is ready.
        </div>
      )}
      {created && (
        <div className="alert alert-ok" role="status">
          Evaluation project <Link to={`/admin/projects/${created.project.id}`}>{created.project.name}</Link> created with{' '}
          {created.evaluation.items} {created.evaluation.items === 1 ? 'item' : 'items'}{created.evaluation.duplicates ? ` (${created.evaluation.duplicates} duplicates dropped)` : ''}.
          It is a draft: open it from its project page. Results appear on the <Link to="/datasets/leaderboard">leaderboard</Link>.
        </div>
      )}
    </section>
  );
}
