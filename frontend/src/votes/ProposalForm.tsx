// Propose a change (or amend one's own open proposal): a title, a reason, one
// typed change and an optional voting period. Validated here as the server
// validates; the server's {code, message} lands next to the field it names.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { equityApi } from '../equity/api';
import { bpToPercent } from '../equity/decimal';
import { labelApi } from '../labeling/api';
import type { Model, Project } from '../labeling/types';
import { ErrorAlert } from '../ui';
import { CHANGE_KINDS, votesApi, type ChangeKind, type Constitution, type Proposal } from './api';
import { ChangeEditor, FormField } from './ChangeEditor';
import { hoursText, KIND_FIELDS, KIND_LABEL } from './format';
import { draftFrom, emptyDraft, fieldForError, validateChange, validateProposalText, type Draft, type FieldErrors } from './validate';

export function newKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Field values given in the address (?kind=rate_card&project_id=3), for the kind's own fields only. */
export function prefillFrom(kind: ChangeKind, q: URLSearchParams): Draft {
  const d: Draft = {};
  for (const f of KIND_FIELDS[kind]) {
    const v = q.get(f.key);
    if (v !== null) d[f.key] = v;
  }
  return d;
}

/** Error codes that are about the request's content (shown next to a field when one is named). */
const INPUT_CODES = new Set(['invalid_change', 'invalid', 'bad_request', 'invalid_input', 'invalid_period', 'invalid_proposal', 'unknown_project', 'unknown_model', 'unknown_release', 'not_found']);

export interface ProposalFormProps {
  constitution: Constitution | null;
  /** Amend this proposal (PUT) instead of proposing a new one. */
  amend?: Proposal;
  initialKind?: ChangeKind;
  prefill?: Draft;
  onDone: (p: Proposal) => void;
  onCancel?: () => void;
}

export function ProposalForm({ constitution, amend, initialKind, prefill, onDone, onCancel }: ProposalFormProps) {
  const id = useId().replace(/:/g, '');
  const [kind, setKind] = useState<ChangeKind>(amend?.kind ?? initialKind ?? 'governance');
  const [drafts, setDrafts] = useState<Partial<Record<ChangeKind, Draft>>>(() => {
    if (amend) return { [amend.kind]: draftFrom(amend.kind, amend.change as unknown as Record<string, unknown>) };
    const k = initialKind ?? 'governance';
    return { [k]: { ...emptyDraft(k), ...(prefill ?? {}) } };
  });
  const touched = useRef(new Set<string>(Object.keys(prefill ?? {}).map((k) => `${initialKind ?? 'governance'}:${k}`)));
  const [title, setTitle] = useState(amend?.title ?? '');
  const [reason, setReason] = useState(amend?.reason ?? '');
  const [period, setPeriod] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [topError, setTopError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const [current, setCurrent] = useState<Record<string, unknown> | null>(null);
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [models, setModels] = useState<Model[] | null>(null);
  const key = useRef(newKey());
  const formRef = useRef<HTMLFormElement>(null);
  const focusInvalid = useRef(false);

  const draft = drafts[kind] ?? emptyDraft(kind);

  useEffect(() => {
    labelApi.projects().then(setProjects, () => setProjects(null));
    labelApi.models().then(setModels, () => setModels(null));
  }, []);

  // The rule in force, to start from and to show as "Now: …".
  const projectId = kind === 'rate_card' && /^\d+$/.test(draft.project_id ?? '') ? Number(draft.project_id) : null;
  useEffect(() => {
    let live = true;
    setCurrent(null);
    const use = (rule: Record<string, unknown> | null) => {
      if (!live) return;
      setCurrent(rule);
      if (!rule || amend) return;
      // Fill the fields the member has not typed in yet.
      setDrafts((all) => {
        const base = all[kind] ?? emptyDraft(kind);
        const from = draftFrom(kind, rule);
        const next = { ...base };
        for (const f of KIND_FIELDS[kind]) if (!touched.current.has(`${kind}:${f.key}`) && f.key !== 'project_id') next[f.key] = from[f.key];
        return { ...all, [kind]: next };
      });
    };
    if (kind === 'governance') equityApi.governance().then((g) => use(g as unknown as Record<string, unknown>), () => use(null));
    else if (kind === 'rate_card' && projectId !== null) equityApi.rateCard(projectId).then((c) => use(c as unknown as Record<string, unknown>), () => use(null));
    else if (kind === 'constitution' && constitution) use(constitution as unknown as Record<string, unknown>);
    else if (amend?.current && kind === amend.kind) use(amend.current as unknown as Record<string, unknown>);
    return () => {
      live = false;
    };
  }, [kind, projectId, constitution, amend]);

  useEffect(() => {
    if (!focusInvalid.current) return;
    focusInvalid.current = false;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  function setField(k: string, v: string) {
    touched.current.add(`${kind}:${k}`);
    setDrafts((all) => ({ ...all, [kind]: { ...(all[kind] ?? emptyDraft(kind)), [k]: v } }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: '' }));
  }

  function chooseKind(k: ChangeKind) {
    setKind(k);
    setErrors({});
    setTopError(null);
    setDrafts((all) => (all[k] ? all : { ...all, [k]: emptyDraft(k) }));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTopError(null);
    const text = validateProposalText({ title, reason, period }, constitution);
    const ch = validateChange(kind, draft, { projects: projects?.map((p) => p.id) ?? null, models: models?.map((m) => m.id) ?? null });
    const all = { ...text.errors, ...ch.errors };
    if (Object.keys(all).length > 0 || !ch.change) {
      focusInvalid.current = true;
      setErrors(all);
      setTopError(`Please correct the ${Object.keys(all).length === 1 ? 'field' : `${Object.keys(all).length} fields`} marked below.`);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const body = { title: title.trim(), reason: reason.trim(), change: ch.change, ...(text.period_hours !== undefined ? { period_hours: text.period_hours } : {}) };
      const p = amend ? await votesApi.amend(amend.id, body) : await votesApi.create({ ...body, idempotency_key: key.current });
      key.current = newKey();
      onDone(p);
    } catch (err) {
      const a = err as ApiError;
      const field = a instanceof ApiError && (INPUT_CODES.has(a.code) || a.status === 400) ? fieldForError(kind, a) : null;
      if (field) {
        focusInvalid.current = true;
        setErrors({ [field]: a.message });
        setTopError(null);
      } else setTopError(a);
    } finally {
      setBusy(false);
    }
  }

  const special = kind === 'constitution';
  const c = constitution;
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="vt-form" aria-label={amend ? `Amend proposal #${amend.id}` : 'New proposal'}>
      <ErrorAlert error={topError} />
      <div className="field">
        <label htmlFor={`${id}-kind`}>What the proposal changes</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => chooseKind(e.target.value as ChangeKind)} disabled={!!amend}>
          {CHANGE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
        {special && c && (
          <p className="hint">A change to the constitution is a special resolution: it passes with at least {bpToPercent(c.special_majority_bp)} of the yes and no votes.</p>
        )}
      </div>
      <FormField id={`${id}-title`} label="Title" error={errors.title}>
        {(aria) => <input {...aria} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />}
      </FormField>
      <FormField id={`${id}-reason`} label="Reason" hint="Why the co-op should make this change. Shown to every member; *emphasis*, lists and links are formatted." error={errors.reason}>
        {(aria) => <textarea {...aria} rows={4} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </FormField>
      <ChangeEditor kind={kind} draft={draft} onChange={setField} errors={errors} current={current} projects={projects} models={models} />
      <FormField
        id={`${id}-period`}
        label="Voting period in hours (optional)"
        hint={c ? `${c.min_period_hours} to ${c.max_period_hours} hours; empty: ${hoursText(c.default_period_hours)}.` : 'Empty: the constitution’s default period.'}
        error={errors.period_hours}
      >
        {(aria) => <input {...aria} inputMode="numeric" value={period} onChange={(e) => setPeriod(e.target.value)} placeholder={c ? String(c.default_period_hours) : ''} />}
      </FormField>
      {amend && (
        <p className="alert alert-warn">Amending discards every vote cast so far and restarts the voting period. Members are asked to vote again.</p>
      )}
      <div className="task-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {amend ? 'Amend and restart the vote' : 'Propose'}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
