// Coordinator pages: models, projects, the schema editor with a live preview,
// imports with upload progress, project progress, status and members.
import { Component, useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { api, ApiError, type Member } from '../../api';
import { Link, navigate } from '../../router';
import { ErrorAlert, Field, Notice, formatDate } from '../../ui';
import { PageHeading } from '../../pages/PageHeading';
import { labelApi } from '../api';
import { ImportSection } from './ImportSection';
import { GenerateSection, SUGGESTIBLE } from '../../gen/GenerateSection';
import type { EditorModule, KeyHandler } from '../editors/types';
import { Markdown } from '../markdown';
import { TaskEditor, useEditorModule } from '../TaskEditor';
import { LiveProjectDashboard } from '../../live/ProjectDashboard';
import { TASK_TYPES, TASK_TYPE_LABELS, type Answer, type Model, type Progress, type Project, type ProjectStatus, type SuggestionPolicy, type TaskType } from '../types';
import { DEFAULT_SCHEMAS, sampleItem } from './samples';
import { SchemaForm } from './SchemaForm';

export function AdminTabs({ current }: { current: 'members' | 'projects' }) {
  return (
    <nav className="tabs" aria-label="Co-op admin sections">
      <Link to="/admin" aria-current={current === 'members' ? 'page' : undefined}>
        Members &amp; invites
      </Link>
      <Link to="/admin/projects" aria-current={current === 'projects' ? 'page' : undefined}>
        Models &amp; projects
      </Link>
      <Link to="/admin/webhooks">Webhooks</Link>
      <Link to="/admin/models">Model endpoints</Link>
    </nav>
  );
}

const STATUS_TEXT: Record<ProjectStatus, string> = { draft: 'Draft', open: 'Open', paused: 'Paused', closed: 'Closed' };

// ---------------- list ----------------

export function ProjectsPage() {
  const [models, setModels] = useState<Model[] | null>(null);
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(() => {
    labelApi.models().then(setModels, setError);
    labelApi.projects().then(setProjects, setError);
  }, []);
  useEffect(load, [load]);
  return (
    <>
      <PageHeading title="Models & projects" lead="Models the co-op builds, and the labelling projects that feed them." />
      <AdminTabs current="projects" />
      <ErrorAlert error={error} />
      <section className="card" aria-labelledby="projects-heading">
        <div className="section-head">
          <h2 id="projects-heading">Projects</h2>
          <Link to="/admin/projects/new" className="btn btn-primary">
            New project
          </Link>
        </div>
        {projects === null && !error && <p className="muted">Loading projects…</p>}
        {projects && projects.length === 0 && <p className="muted">No projects yet. Create a model first, then a project.</p>}
        {projects && projects.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Labelling projects</caption>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Model</th>
                  <th scope="col">Task type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">
                      <Link to={`/admin/projects/${p.id}`}>{p.name}</Link>
                    </th>
                    <td>{models?.find((m) => m.id === p.model_id)?.name ?? p.model_id}</td>
                    <td>{TASK_TYPE_LABELS[p.task_type] ?? p.task_type}</td>
                    <td>
                      <span className={`tag status-${p.status}`}>{STATUS_TEXT[p.status] ?? p.status}</span>
                    </td>
                    <td className="nowrap">{formatDate(p.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ModelsSection models={models} onCreated={load} />
    </>
  );
}

function ModelsSection({ models, onCreated }: { models: Model[] | null; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [base, setBase] = useState('');
  const [desc, setDesc] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the model a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const m = await labelApi.createModel({ name: name.trim(), base_model: base.trim(), description: desc.trim() });
      setNotice(`Created the model ${m.name}.`);
      setName('');
      setBase('');
      setDesc('');
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      {models && models.length > 0 ? (
        <ul className="plain-list">
          {models.map((m) => (
            <li key={m.id}>
              <strong>{m.name}</strong> {m.base_model && <span className="muted">· based on {m.base_model}</span>}
              {m.description && <span className="muted"> — {m.description}</span>}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{models === null ? 'Loading models…' : 'No models yet.'}</p>
      )}
      <h3>New model</h3>
      <form onSubmit={submit} className="narrow-form">
        <ErrorAlert error={error} />
        {notice && <Notice>{notice}</Notice>}
        <Field label="Model name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        <Field label="Base model" value={base} onChange={(e) => setBase(e.target.value)} hint="e.g. the open-weights model it is fine-tuned from" />
        <Field label="Description" value={desc} onChange={(e) => setDesc(e.target.value)} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create model'}
        </button>
      </form>
    </section>
  );
}

// ---------------- create / edit ----------------

interface FormState {
  model_id: string;
  name: string;
  task_type: TaskType;
  schemaText: string;
  instructions: string;
  overlap: string;
  lease_seconds: string;
  ordering: 'priority' | 'random';
  random_seed: string;
  gold_rate_bp: string;
  stint: string;
  sensitive_break_after: string;
  suggestion_policy: SuggestionPolicy;
  suggestion_control_bp: string;
  order_by_usefulness: boolean;
  add_all_members: boolean;
  /** The Label Studio config the schema was converted from (new projects only). */
  ls_config: string;
}

function initialForm(p?: Project): FormState {
  return {
    model_id: p ? String(p.model_id) : '',
    name: p?.name ?? '',
    task_type: p?.task_type ?? 'classification',
    schemaText: JSON.stringify(p?.schema ?? DEFAULT_SCHEMAS.classification, null, 2),
    instructions: p?.instructions ?? '',
    overlap: String(p?.overlap ?? 1),
    lease_seconds: String(p?.lease_seconds ?? 600),
    ordering: p?.ordering ?? 'priority',
    random_seed: String(p?.random_seed ?? 0),
    gold_rate_bp: String(p?.gold_rate_bp ?? 0),
    stint: String(p?.stint ?? 0),
    sensitive_break_after: String(p?.sensitive_break_after ?? 0),
    suggestion_policy: (p?.suggestion_policy as SuggestionPolicy | undefined) ?? 'up_front',
    suggestion_control_bp: String(p?.suggestion_control_bp ?? 1000),
    order_by_usefulness: p?.order_by_usefulness ?? false,
    add_all_members: true,
    ls_config: '',
  };
}

export function ProjectEditPage({ projectId }: { projectId?: number }) {
  const [models, setModels] = useState<Model[] | null>(null);
  const [project, setProject] = useState<Project | null>(null);
  const [form, setForm] = useState<FormState | null>(projectId ? null : initialForm());
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    labelApi.models().then((ms) => {
      setModels(ms);
      setForm((f) => (f && !f.model_id && ms.length ? { ...f, model_id: String(ms[0].id) } : f));
    }, setError);
    if (projectId)
      labelApi.project(projectId).then((p) => {
        setProject(p);
        setForm(initialForm(p));
      }, setError);
  }, [projectId]);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));

  function changeType(t: TaskType) {
    setForm((f) => (f ? { ...f, task_type: t, schemaText: JSON.stringify(DEFAULT_SCHEMAS[t], null, 2), ls_config: '' } : f));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    let schema: unknown;
    try {
      schema = JSON.parse(form.schemaText);
    } catch (err) {
      setError(`The schema is not valid JSON: ${(err as Error).message}`);
      return;
    }
    const nums = { overlap: +form.overlap, lease_seconds: +form.lease_seconds, random_seed: +form.random_seed, gold_rate_bp: +form.gold_rate_bp, stint: +form.stint, sensitive_break_after: +form.sensitive_break_after, suggestion_control_bp: +form.suggestion_control_bp };
    if (Object.values(nums).some((n) => !Number.isInteger(n) || n < 0)) {
      setError('Overlap, lease, seed, gold rate, stint, the break run and the control share must be whole numbers, 0 or more.');
      return;
    }
    if (!form.name.trim()) {
      setError('Give the project a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const settings = { name: form.name.trim(), task_type: form.task_type, schema, instructions: form.instructions, ordering: form.ordering, suggestion_policy: form.suggestion_policy, order_by_usefulness: form.order_by_usefulness, ...nums };
      if (project) {
        await labelApi.updateProject(project.id, settings);
        navigate(`/admin/projects/${project.id}`);
      } else {
        if (!form.model_id) {
          setError('Choose the model this project is for (create one first).');
          setBusy(false);
          return;
        }
        const p = await labelApi.createProject({
          ...settings,
          model_id: Number(form.model_id),
          add_all_members: form.add_all_members,
          ...(form.ls_config ? { ls_config: form.ls_config } : {}),
        });
        navigate(`/admin/projects/${p.id}`);
      }
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }

  const title = project ? `Edit ${project.name}` : 'New project';
  return (
    <>
      <PageHeading title={title} lead="Settings, the answer schema, and the instructions labellers see." />
      <AdminTabs current="projects" />
      {!form ? (
        <>
          <ErrorAlert error={error} />
          <p className="muted">Loading…</p>
        </>
      ) : (
        <form onSubmit={submit} className="project-form">
          <section className="card" aria-labelledby="settings-heading">
            <h2 id="settings-heading">Settings</h2>
            <div className="form-grid">
              <Field label="Project name" value={form.name} onChange={(e) => set('name', e.target.value)} maxLength={200} required />
              <div className="field">
                <label htmlFor="pf-model">Model</label>
                <select id="pf-model" value={form.model_id} disabled={!!project} onChange={(e) => set('model_id', e.target.value)}>
                  {models?.length === 0 && <option value="">No models yet — create one first</option>}
                  {models?.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="pf-type">Task type</label>
                <select id="pf-type" value={form.task_type} disabled={!!project && project.status !== 'draft'} onChange={(e) => changeType(e.target.value as TaskType)}>
                  {TASK_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {TASK_TYPE_LABELS[t]}
                    </option>
                  ))}
                </select>
              </div>
              <Field label="Overlap (labellers per item)" type="number" min={1} value={form.overlap} onChange={(e) => set('overlap', e.target.value)} />
              <Field label="Lease (seconds)" type="number" min={30} value={form.lease_seconds} onChange={(e) => set('lease_seconds', e.target.value)} hint="How long a labeller holds an item." />
              <div className="field">
                <label htmlFor="pf-order">Ordering</label>
                <select id="pf-order" value={form.ordering} onChange={(e) => set('ordering', e.target.value as 'priority' | 'random')}>
                  <option value="priority">By priority</option>
                  <option value="random">Random (seeded)</option>
                </select>
              </div>
              <Field label="Random seed" type="number" min={0} value={form.random_seed} onChange={(e) => set('random_seed', e.target.value)} />
              <Field
                label="Gold rate (basis points)"
                type="number"
                min={0}
                max={5000}
                value={form.gold_rate_bp}
                onChange={(e) => set('gold_rate_bp', e.target.value)}
                hint="0–5000; 500 = 5% of tasks are gold checks."
              />
              <Field label="Daily stint per member" type="number" min={0} value={form.stint} onChange={(e) => set('stint', e.target.value)} hint="0 means no daily cap." />
              <Field
                label="Break after this many sensitive items in a row"
                type="number"
                min={0}
                value={form.sensitive_break_after}
                onChange={(e) => set('sensitive_break_after', e.target.value)}
                hint="0 keeps the co-op’s wellbeing setting."
              />
              <div className="field">
                <label htmlFor="pf-suggest">Suggestion policy</label>
                <select id="pf-suggest" value={form.suggestion_policy} onChange={(e) => set('suggestion_policy', e.target.value as SuggestionPolicy)}>
                  <option value="off">Off</option>
                  <option value="after_answer">After the labeller’s first answer</option>
                  <option value="up_front">Up front (pre-filled)</option>
                </select>
              </div>
              <Field
                label="Control share (basis points)"
                type="number"
                min={0}
                max={5000}
                value={form.suggestion_control_bp}
                onChange={(e) => set('suggestion_control_bp', e.target.value)}
                hint="Items that never show their suggestion, to measure anchoring; 1000 = 10%."
              />
              <label className="check">
                <input type="checkbox" checked={form.order_by_usefulness} onChange={(e) => set('order_by_usefulness', e.target.checked)} /> Order by usefulness: serve uncertain items
                first, mixed with the oldest, random and gold items
              </label>
            </div>
            {!project && (
              <label className="check">
                <input type="checkbox" checked={form.add_all_members} onChange={(e) => set('add_all_members', e.target.checked)} /> Add all labellers to this project
              </label>
            )}
          </section>
          <SchemaSection taskType={form.task_type} text={form.schemaText} onText={(t) => set('schemaText', t)} onImported={(t, s, x) => setForm((f) => (f ? { ...f, task_type: t, schemaText: JSON.stringify(s, null, 2), ls_config: project ? '' : x } : f))} />
          <section className="card" aria-labelledby="instr-heading">
            <h2 id="instr-heading">Instructions</h2>
            <div className="two-col">
              <div className="field">
                <label htmlFor="pf-instr">Instructions (Markdown)</label>
                <textarea id="pf-instr" rows={10} value={form.instructions} onChange={(e) => set('instructions', e.target.value)} aria-describedby="pf-instr-hint" />
                <p className="hint" id="pf-instr-hint">
                  Headings, **bold**, *italic*, `code`, lists and [links](https://example.org). HTML is shown as text.
                </p>
              </div>
              <div className="preview-box" aria-label="Instructions preview" role="region">
                <h3 className="item-label">Preview</h3>
                <Markdown source={form.instructions || '_No instructions yet._'} />
              </div>
            </div>
          </section>
          <ErrorAlert error={error} />
          <div className="task-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : project ? 'Save changes' : 'Create project'}
            </button>
            <Link to={project ? `/admin/projects/${project.id}` : '/admin/projects'} className="btn">
              Cancel
            </Link>
          </div>
        </form>
      )}
    </>
  );
}

function SchemaSection({
  taskType,
  text,
  onText,
  onImported,
}: {
  taskType: TaskType;
  text: string;
  onText: (t: string) => void;
  onImported: (t: TaskType, schema: unknown, config: string) => void;
}) {
  // The server's normalised schema, with the task type it was checked for:
  // after a type change the old one must never reach the new type's editor.
  const [checked, setChecked] = useState<{ type: TaskType; schema: unknown } | null>(null);
  const normalised = checked?.type === taskType ? checked.schema : null;
  const setNormalised = (schema: unknown) => setChecked(schema === null ? null : { type: taskType, schema });
  const [problem, setProblem] = useState<string>('');
  const [checking, setChecking] = useState(false);
  const [xml, setXml] = useState('');
  const [lsError, setLsError] = useState<ApiError | null>(null);
  const [lsNote, setLsNote] = useState('');
  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        setProblem(`Not valid JSON: ${(e as Error).message}`);
        setNormalised(null);
        return;
      }
      setChecking(true);
      try {
        const s = await labelApi.validateSchema(taskType, parsed);
        if (!live) return;
        setChecked({ type: taskType, schema: s });
        setProblem('');
      } catch (e) {
        if (!live) return;
        const err = e as ApiError;
        setProblem(err.code === 'not_found' ? '' : `${err.code}: ${err.message}`);
        // Without the validator (older server) preview the schema as written.
        setChecked(err.code === 'not_found' ? { type: taskType, schema: parsed } : null);
      } finally {
        if (live) setChecking(false);
      }
    }, 350);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text, taskType]);

  // The schema as written, when it parses to an object: the form edits it.
  const written = useMemo(() => {
    try {
      const v: unknown = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }, [text]);

  async function importLs() {
    setLsError(null);
    setLsNote('');
    try {
      const r = await labelApi.lsConfig(xml);
      onImported(r.task_type, r.schema, xml);
      setLsNote(
        `Imported a ${TASK_TYPE_LABELS[r.task_type] ?? r.task_type} schema from the Label Studio config. A new project keeps the config: its Label Studio exports use its names.`,
      );
    } catch (e) {
      setLsError(e as ApiError);
    }
  }

  return (
    <section className="card" aria-labelledby="schema-heading">
      <h2 id="schema-heading">Answer schema</h2>
      <div className="two-col">
        <div>
          {written ? (
            <SchemaForm taskType={taskType} schema={written} normalised={normalised} onChange={(o) => onText(JSON.stringify(o, null, 2))} />
          ) : (
            <Notice>The schema in the JSON view is not a JSON object: fix it there to use the form again.</Notice>
          )}
          <p id="pf-schema-status" className={problem ? 'schema-bad' : 'hint'} role="status">
            {problem ? problem : checking ? 'Checking…' : normalised ? 'The schema is valid.' : ''}
          </p>
          <details className="schema-json" open={!written}>
            <summary>Advanced: the schema as JSON</summary>
            <div className="field">
              <label htmlFor="pf-schema">Schema (JSON)</label>
              <textarea id="pf-schema" className="mono" rows={18} spellCheck={false} value={text} onChange={(e) => onText(e.target.value)} aria-describedby="pf-schema-status" />
            </div>
          </details>
          <details className="ls-import">
            <summary>Import a Label Studio labeling config (XML)</summary>
            <div className="field">
              <label htmlFor="pf-ls">Label Studio config</label>
              <textarea id="pf-ls" className="mono" rows={6} value={xml} onChange={(e) => setXml(e.target.value)} placeholder={'<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">…'} />
            </div>
            <ErrorAlert error={lsError} />
            {lsNote && <Notice>{lsNote}</Notice>}
            <button type="button" className="btn" onClick={() => void importLs()} disabled={!xml.trim()}>
              Convert to a schema
            </button>
          </details>
        </div>
        <SchemaPreview taskType={taskType} schema={normalised} />
      </div>
    </section>
  );
}

function SchemaPreview({ taskType, schema }: { taskType: TaskType; schema: unknown }) {
  const { mod, error } = useEditorModule(taskType);
  const schemaKey = JSON.stringify(schema) + taskType;
  const [sample, setSample] = useState(() => ({ key: schemaKey, text: JSON.stringify(sampleItem(taskType, schema), null, 2) }));
  // A new schema or task type starts from its own sample item.
  const sampleText = sample.key === schemaKey ? sample.text : JSON.stringify(sampleItem(taskType, schema), null, 2);
  const data = useSampleData(taskType, schema, sampleText);
  return (
    <div className="preview-box" role="region" aria-label="Live preview of the labeller's view">
      <h3 className="item-label">Live preview — what labellers see</h3>
      {error && <ErrorAlert error={error.message} />}
      {!schema ? <p className="muted">Fix the schema to see the preview.</p> : null}
      {schema && mod ? (
        <PreviewBoundary key={schemaKey + sampleText}>
          <PreviewEditor mod={mod} schema={schema} data={data} />
        </PreviewBoundary>
      ) : null}
      <details>
        <summary>Sample item used by the preview</summary>
        <div className="field">
          <label htmlFor="pf-sample">Sample item data (JSON)</label>
          <textarea id="pf-sample" className="mono" rows={6} value={sampleText} onChange={(e) => setSample({ key: schemaKey, text: e.target.value })} />
        </div>
      </details>
    </div>
  );
}

/** The editor with an answer it made itself, so the two always belong to the same task type and schema. */
function PreviewEditor({ mod, schema, data }: { mod: EditorModule; schema: unknown; data: Record<string, unknown> }) {
  const [answer, setAnswer] = useState<Answer>(() => {
    try {
      return mod.empty(schema, data, { memberId: 0, itemId: 0 });
    } catch {
      return {};
    }
  });
  const keyRef = useRef<KeyHandler | null>(null);
  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement) return;
    if (keyRef.current?.(e.nativeEvent)) e.preventDefault();
  }
  let answerJson = '';
  let problem: string | null = null;
  try {
    problem = mod.validate(schema, data, answer);
    answerJson = JSON.stringify(mod.toAnswer(schema, data, answer));
  } catch {
    problem = 'The preview cannot use this schema yet.';
  }
  return (
    <>
      <div className="preview-editor" onKeyDown={onKey}>
        <TaskEditor mod={mod} schema={schema} data={data} answer={answer} onChange={setAnswer} keyRef={keyRef} />
      </div>
      <p className="small">
        Answer sent: <code className="mono">{answerJson}</code>
        {problem && <span className="muted"> — not yet submittable: {problem}</span>}
      </p>
    </>
  );
}

function useSampleData(t: TaskType, schema: unknown, text: string) {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return sampleItem(t, schema);
}

class PreviewBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? <p className="muted">The preview cannot render this schema.</p> : this.props.children;
  }
}

// ---------------- detail ----------------

export function ProjectDetailPage({ projectId }: { projectId: number }) {
  const [project, setProject] = useState<Project | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const load = useCallback(() => {
    labelApi.project(projectId).then(setProject, setError);
    labelApi.progress(projectId).then(setProgress, () => {});
  }, [projectId]);
  useEffect(() => {
    load();
    const t = setInterval(() => labelApi.progress(projectId).then(setProgress, () => {}), 15_000);
    return () => clearInterval(t);
  }, [load, projectId]);

  async function setStatus(s: ProjectStatus, done: string) {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      setProject(await labelApi.setStatus(projectId, s));
      setNotice(done);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
      setConfirmClose(false);
    }
  }

  if (!project)
    return (
      <>
        <PageHeading title="Project" />
        <AdminTabs current="projects" />
        <ErrorAlert error={error} />
        {!error && <p className="muted">Loading…</p>}
      </>
    );
  const pct = progress && progress.slots_total > 0 ? Math.round((progress.slots_done / progress.slots_total) * 100) : 0;
  return (
    <>
      <PageHeading title={project.name} lead={`${TASK_TYPE_LABELS[project.task_type] ?? project.task_type} · ${STATUS_TEXT[project.status]}`} />
      <AdminTabs current="projects" />
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      <section className="card" aria-labelledby="status-heading">
        <h2 id="status-heading">
          Status: <span className={`tag status-${project.status}`}>{STATUS_TEXT[project.status]}</span>
        </h2>
        <div className="task-actions">
          {project.status === 'draft' && (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void setStatus('open', 'The project is open: labellers can start.')}>
              Open for labelling
            </button>
          )}
          {project.status === 'open' && (
            <button type="button" className="btn" disabled={busy} onClick={() => void setStatus('paused', 'The project is paused.')}>
              Pause
            </button>
          )}
          {project.status === 'paused' && (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void setStatus('open', 'The project is open again.')}>
              Resume
            </button>
          )}
          {project.status !== 'closed' &&
            (confirmClose ? (
              <span className="confirm" role="group" aria-label="Confirm closing the project">
                <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void setStatus('closed', 'The project is closed.')}>
                  Yes, close {project.name}
                </button>
                <button type="button" className="btn" onClick={() => setConfirmClose(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" className="btn btn-danger-outline" disabled={busy} onClick={() => setConfirmClose(true)}>
                Close project
              </button>
            ))}
          <Link to={`/admin/projects/${project.id}/edit`} className="btn">
            Edit settings &amp; schema
          </Link>
        </div>
      </section>
      <section className="card" aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress</h2>
        {progress ? (
          <>
            <label htmlFor="proj-progress" className="progress-label">
              {progress.slots_done.toLocaleString()} of {progress.slots_total.toLocaleString()} answers done ({pct}%)
            </label>
            <progress id="proj-progress" className="bar" max={Math.max(1, progress.slots_total)} value={progress.slots_done} />
            <dl className="facts">
              <dt>Items</dt>
              <dd>
                {progress.items.toLocaleString()} ({progress.gold_items} gold, {progress.complete_items.toLocaleString()} complete)
              </dd>
              <dt>Answers left</dt>
              <dd>{progress.slots_left.toLocaleString()}</dd>
              <dt>Being labelled now</dt>
              <dd>{progress.leased.toLocaleString()}</dd>
              <dt>Done today</dt>
              <dd>{(progress.today ?? []).reduce((n, t) => n + t.done_today, 0).toLocaleString()} by {(progress.today ?? []).length} members</dd>
            </dl>
          </>
        ) : (
          <p className="muted">No progress yet.</p>
        )}
      </section>
      <LiveProjectDashboard project={project} progress={progress} onProgress={setProgress} />
      <ImportSection projectId={project.id} onImported={load} />
      {(project.task_type === 'pairwise' || project.task_type === 'ranking' || SUGGESTIBLE.includes(project.task_type)) && (
        <GenerateSection projectId={project.id} taskType={project.task_type} />
      )}
      <MembersSection projectId={project.id} />
    </>
  );
}

function MembersSection({ projectId }: { projectId: number }) {
  const [ids, setIds] = useState<number[] | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    labelApi.members(projectId).then(setIds, setError);
    api.members().then(setMembers, () => {});
  }, [projectId]);
  useEffect(load, [load]);
  const labellers = members.filter((m) => m.active && (m.roles ?? []).includes('labeller'));
  async function addAll() {
    setBusy(true);
    setError(null);
    try {
      const missing = labellers.filter((m) => !ids?.includes(m.id));
      for (const m of missing) await labelApi.addMember(projectId, m.id);
      setNotice(missing.length ? `Added ${missing.length} labeller${missing.length === 1 ? '' : 's'}.` : 'Every labeller is already a member.');
      load();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }
  async function remove(id: number) {
    setBusy(true);
    try {
      await labelApi.removeMember(projectId, id);
      load();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby="pmembers-heading">
      <h2 id="pmembers-heading">Members</h2>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      <p>
        {ids === null ? 'Loading…' : `${ids.length} member${ids.length === 1 ? '' : 's'}.`}{' '}
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void addAll()}>
          Add all labellers
        </button>
      </p>
      {ids && ids.length > 0 && (
        <ul className="plain-list">
          {ids.map((id) => {
            const m = members.find((x) => x.id === id);
            const name = m ? m.display_name : `Member ${id}`;
            return (
              <li key={id}>
                {name} {m && <span className="muted small mono">{m.login}</span>}{' '}
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => void remove(id)} aria-label={`Remove ${name} from the project`}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
