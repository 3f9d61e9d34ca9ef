// The "Generate candidates" panel of a pairwise or ranking project's admin page: pick endpoints
// and seeds or temperatures per candidate slot, give prompts, and watch each job's progress and
// errors live (the coordinators' channel). A labeller is never blocked by a model: jobs run
// in the background and items appear as each prompt's candidates are all in.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useChannel } from '../live/live';
import { genApi, parsePrompts, terminal, type EndpointChoice, type GenCounts, type GenFailure, type GenJob, type GenSlot } from './api';

interface SlotForm {
  endpoint: string;
  seed: string;
  temperature: string;
}

const STATUS_TEXT: Record<string, string> = { queued: 'Queued', running: 'Running', cancelled: 'Cancelled', done: 'Done', failed: 'Failed' };

/** Task types whose items a model can suggest an answer for (labeling/suggest). */
export const SUGGESTIBLE = ['classification', 'multilabel', 'spans', 'moderation'];

export function GenerateSection({ projectId, taskType }: { projectId: number; taskType: string }) {
  const ranking = taskType === 'ranking';
  const suggesting = SUGGESTIBLE.includes(taskType);
  const [suggestFrom, setSuggestFrom] = useState('');
  const [replace, setReplace] = useState(false);
  const [endpoints, setEndpoints] = useState<EndpointChoice[] | null>(null);
  const [k, setK] = useState(2);
  const [slots, setSlots] = useState<SlotForm[]>([blank(1), blank(2)]);
  const [prompts, setPrompts] = useState('');
  const [jobs, setJobs] = useState<GenJob[]>([]);
  const [failures, setFailures] = useState<Record<number, GenFailure[]>>({});
  const [flags, setFlags] = useState<Record<number, NonNullable<GenJob['flags']>>>({});
  const [error, setError] = useState<string>('');
  const [busy, setBusy] = useState(false);

  const loadJobs = useCallback(() => {
    genApi.jobs(projectId).then((p) => setJobs(p.items), () => {});
  }, [projectId]);
  useEffect(() => {
    genApi.endpoints().then(setEndpoints, () => setEndpoints([]));
    loadJobs();
  }, [loadJobs]);
  useChannel(
    'coordinators',
    (e) => {
      const p = e.payload as { job_id?: number; project_id?: number; status?: GenJob['status']; counts?: GenCounts; reason?: string; slot?: number; source_key?: string };
      if (!e.type.startsWith('gen.') || !p.job_id || p.project_id !== projectId) return;
      if (e.type === 'gen.item_failed') {
        const f: GenFailure = { source_key: p.source_key ?? '', slot: p.slot ?? 0, attempts: 0, reason: p.reason ?? '', at: e.at };
        setFailures((m) => ({ ...m, [p.job_id!]: [f, ...(m[p.job_id!] ?? [])].slice(0, 20) }));
        return;
      }
      setJobs((js) => {
        if (!js.some((j) => j.id === p.job_id)) {
          loadJobs();
          return js;
        }
        return js.map((j) => (j.id === p.job_id ? { ...j, status: p.status ?? j.status, counts: p.counts ?? j.counts, reason: p.reason ?? j.reason } : j));
      });
    },
    { onReset: loadJobs },
  );

  function setSlot(i: number, patch: Partial<SlotForm>) {
    setSlots((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  }
  function setCount(n: number) {
    setK(n);
    setSlots((s) => Array.from({ length: n }, (_, i) => s[i] ?? { ...blank(i + 1), endpoint: s[0]?.endpoint ?? '' }));
  }

  async function start(e: FormEvent) {
    e.preventDefault();
    setError('');
    const parsed = parsePrompts(prompts);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    const out: GenSlot[] = [];
    for (const [i, s] of slots.entries()) {
      if (!s.endpoint) {
        setError(`Choose the endpoint of candidate ${i + 1}.`);
        return;
      }
      const slot: GenSlot = { endpoint_id: Number(s.endpoint) };
      if (s.seed.trim() !== '') slot.seed = Number(s.seed);
      if (s.temperature.trim() !== '') slot.temperature = Number(s.temperature);
      out.push(slot);
    }
    setBusy(true);
    try {
      const job = await genApi.start(projectId, { slots: out, prompts: parsed.prompts });
      setJobs((js) => [job, ...js.filter((j) => j.id !== job.id)]);
      setPrompts('');
    } catch (err) {
      setError((err as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  async function startSuggestions(e: FormEvent) {
    e.preventDefault();
    setError('');
    if (!suggestFrom) {
      setError('Choose the endpoint that suggests.');
      return;
    }
    setBusy(true);
    try {
      const job = await genApi.suggest(projectId, { endpoint_id: Number(suggestFrom), replace });
      setJobs((js) => [job, ...js.filter((j) => j.id !== job.id)]);
    } catch (err) {
      setError((err as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  async function cancel(id: number) {
    try {
      const j = await genApi.cancel(id);
      setJobs((js) => js.map((x) => (x.id === id ? j : x)));
    } catch (err) {
      setError((err as ApiError).message);
    }
  }

  async function details(id: number) {
    try {
      const j = await genApi.job(id);
      setFailures((m) => ({ ...m, [id]: j.failures ?? [] }));
      setFlags((m) => ({ ...m, [id]: j.flags ?? [] }));
    } catch (err) {
      setError((err as ApiError).message);
    }
  }

  return (
    <section className="card" aria-labelledby="generate-heading">
      <h2 id="generate-heading">{suggesting ? 'Suggestions from a model' : 'Generate candidates'}</h2>
      {suggesting ? (
        <>
          <p className="muted">
            A model endpoint suggests an answer for every open item, within the project&apos;s labels; labellers see it as the project&apos;s suggestion policy says. Generation earns no units.
          </p>
          {endpoints && endpoints.length === 0 && <p className="muted">Register a model endpoint first (Admin → Model endpoints).</p>}
          <form onSubmit={startSuggestions} className="generate-form">
            <div className="field">
              <label htmlFor="sg-ep">Endpoint</label>
              <select id="sg-ep" value={suggestFrom} onChange={(e) => setSuggestFrom(e.target.value)}>
                <option value="">Choose…</option>
                {(endpoints ?? []).map((ep) => (
                  <option key={ep.id} value={ep.id}>
                    {ep.name} ({ep.model})
                  </option>
                ))}
              </select>
            </div>
            <label className="check">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace suggestions items already have
            </label>
            {error && (
              <p role="alert" className="alert alert-error">
                {error}
              </p>
            )}
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Ask for suggestions
            </button>
          </form>
        </>
      ) : (
        <>
      <p className="muted">
        The co-op&apos;s models write {ranking ? 'K' : 'two'} candidate next turns per prompt; each prompt becomes one item when all its candidates are in. Generation earns no units, and
        sides are shuffled for every labeller.
      </p>
      {endpoints && endpoints.length === 0 && <p className="muted">Register a model endpoint first (Admin → Model endpoints).</p>}
      <form onSubmit={start} className="generate-form">
        {ranking && (
          <div className="field">
            <label htmlFor="gen-k">Candidates per prompt</label>
            <input id="gen-k" type="number" min={2} max={8} value={k} onChange={(e) => setCount(Math.min(8, Math.max(2, Number(e.target.value) || 2)))} />
          </div>
        )}
        {slots.map((s, i) => (
          <fieldset key={i} className="gen-slot">
            <legend>Candidate {i + 1}</legend>
            <div className="field">
              <label htmlFor={`gen-ep-${i}`}>Endpoint</label>
              <select id={`gen-ep-${i}`} value={s.endpoint} onChange={(e) => setSlot(i, { endpoint: e.target.value })}>
                <option value="">Choose…</option>
                {(endpoints ?? []).map((ep) => (
                  <option key={ep.id} value={ep.id}>
                    {ep.name} ({ep.model})
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`gen-seed-${i}`}>Seed</label>
              <input id={`gen-seed-${i}`} type="number" value={s.seed} onChange={(e) => setSlot(i, { seed: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`gen-temp-${i}`}>Temperature</label>
              <input id={`gen-temp-${i}`} type="number" min={0} max={2} step={0.1} value={s.temperature} onChange={(e) => setSlot(i, { temperature: e.target.value })} />
            </div>
          </fieldset>
        ))}
        <div className="field">
          <label htmlFor="gen-prompts">Prompts (JSONL: {'{"prompt": "…"}'} or {'{"messages": […]}'} per line)</label>
          <textarea id="gen-prompts" rows={5} value={prompts} onChange={(e) => setPrompts(e.target.value)} />
        </div>
        {error && (
          <p role="alert" className="alert alert-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Generate
        </button>
      </form>
        </>
      )}
      {jobs.length > 0 && (
        <ul className="gen-jobs" aria-label="Generation jobs">
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} failures={failures[j.id]} flags={flags[j.id]} onCancel={() => void cancel(j.id)} onDetails={() => void details(j.id)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobRow({
  job,
  failures,
  flags,
  onCancel,
  onDetails,
}: {
  job: GenJob;
  failures?: GenFailure[];
  flags?: GenJob['flags'];
  onCancel: () => void;
  onDetails: () => void;
}) {
  const c = job.counts;
  const settled = c.tasks_done + c.tasks_skipped;
  const id = `gen-job-${job.id}`;
  return (
    <li aria-label={`Job ${job.id}`}>
      <label htmlFor={id} className="progress-label">
        {job.kind === 'suggestions' ? (
          <>
            Job {job.id}: {STATUS_TEXT[job.status] ?? job.status} — {c.items} of {c.sources} items have a suggestion, {settled} of {c.tasks} requests settled
            {c.sources_failed > 0 && `, ${c.sources_failed} items got none`}
          </>
        ) : (
          <>
            Job {job.id}: {STATUS_TEXT[job.status] ?? job.status} — {c.items} of {c.sources} items written, {settled} of {c.tasks} candidates settled
            {c.sources_failed > 0 && `, ${c.sources_failed} prompts failed`}
          </>
        )}
      </label>
      <progress id={id} className="bar" max={Math.max(1, c.tasks)} value={settled} />
      {job.reason && <p className="alert alert-error">{job.reason}</p>}
      {c.flagged > 0 && (
        <p className="alert alert-warn" role="status">
          {c.flagged} candidate{c.flagged === 1 ? '' : 's'} name their own model: check them before a blind comparison.
        </p>
      )}
      <div className="task-actions">
        {!terminal(job.status) && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel job {job.id}
          </button>
        )}
        {(c.tasks_skipped > 0 || c.flagged > 0 || (failures?.length ?? 0) > 0) && (
          <button type="button" className="btn" onClick={onDetails}>
            Show errors and flags
          </button>
        )}
      </div>
      {flags && flags.length > 0 && (
        <ul className="gen-failures" aria-label={`Candidates of job ${job.id} naming their model`}>
          {flags.map((f, i) => (
            <li key={i}>
              {f.item_id ? `Item ${f.item_id}` : `Prompt ${f.source_key}`}, candidate {f.slot + 1} names its own model or endpoint
            </li>
          ))}
        </ul>
      )}
      {failures && failures.length > 0 && (
        <ul className="gen-failures" aria-label={`Errors of job ${job.id}`}>
          {failures.map((f, i) => (
            <li key={i}>
              Prompt {f.source_key}, candidate {f.slot + 1}: {f.reason}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function blank(n: number): SlotForm {
  return { endpoint: '', seed: String(n), temperature: '' };
}
