// A typed editor for each kind of change: one input per field of the
// contract, each with its label, hint and its own error (client-side or the
// server's) right under it.
import { useId, type ReactNode } from 'react';
import { bpToPercent } from '../equity/decimal';
import type { Model, Project } from '../labeling/types';
import type { ChangeKind } from './api';
import { ADMISSION_TEXT, BALLOT_TEXT, ELIGIBILITY_TEXT, EXIT_TEXT, formatValue, getPath, inputLabel, KIND_FIELDS, type FieldSpec } from './format';
import type { Draft, FieldErrors } from './validate';

export function fieldId(prefix: string, key: string): string {
  return `${prefix}-${key.replace(/\./g, '-')}`;
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p className="field-error" id={id}>
      {error}
    </p>
  );
}

/** One labelled control with hint and error, wired with aria-describedby / aria-invalid. */
export function FormField({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

function options(f: FieldSpec): [string, string][] | null {
  switch (f.type) {
    case 'exit':
      return Object.entries(EXIT_TEXT);
    case 'admission':
      return Object.entries(ADMISSION_TEXT);
    case 'ballot':
      return Object.entries(BALLOT_TEXT);
    case 'eligibility':
      return Object.entries(ELIGIBILITY_TEXT);
    default:
      return null;
  }
}

function hintFor(f: FieldSpec, value: string, current: unknown): ReactNode {
  const parts: string[] = [];
  if (f.type === 'bp') parts.push(/^\d{1,5}$/.test(value.trim()) && Number(value) <= 10000 ? `= ${bpToPercent(Number(value))}` : '0 to 10000; 100 = 1 %');
  if (f.hint) parts.push(f.hint);
  if (current !== undefined) parts.push(`Now: ${formatValue(f, current)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

export function ChangeEditor({
  kind,
  draft,
  onChange,
  errors,
  current,
  projects,
  models,
}: {
  kind: ChangeKind;
  draft: Draft;
  onChange: (key: string, value: string) => void;
  errors: FieldErrors;
  /** The rule in force, to show "Now: …" under each field. */
  current?: unknown;
  projects?: Project[] | null;
  models?: Model[] | null;
}) {
  const prefix = useId().replace(/:/g, '');
  const specs = KIND_FIELDS[kind];
  return (
    <fieldset className="vt-change">
      <legend>The change</legend>
      <div className="form-grid">
        {specs.map((f) => {
          const id = fieldId(prefix, f.key);
          const value = draft[f.key] ?? '';
          const cur = current ? getPath(current, f.key) : undefined;
          const set = (v: string) => onChange(f.key, v);
          const opts = options(f);
          const list = f.type === 'project' ? projects : f.type === 'model' ? models : null;
          const wide = f.type === 'longtext' || f.type === 'difficulty';
          return (
            <div key={f.key} className={wide ? 'vt-wide' : undefined}>
              <FormField id={id} label={inputLabel(f)} hint={hintFor(f, value, cur)} error={errors[f.key]}>
                {(aria) =>
                  opts ? (
                    <select {...aria} value={value} onChange={(e) => set(e.target.value)}>
                      {!opts.some(([v]) => v === value) && <option value={value}>{value || 'Choose…'}</option>}
                      {opts.map(([v, t]) => (
                        <option key={v} value={v}>
                          {t}
                        </option>
                      ))}
                    </select>
                  ) : list && list.length > 0 ? (
                    <select {...aria} value={value} onChange={(e) => set(e.target.value)}>
                      <option value="">Choose…</option>
                      {list.map((x) => (
                        <option key={x.id} value={String(x.id)}>
                          {x.name}
                        </option>
                      ))}
                    </select>
                  ) : f.type === 'longtext' ? (
                    <textarea {...aria} rows={5} value={value} onChange={(e) => set(e.target.value)} />
                  ) : f.type === 'date' ? (
                    <input {...aria} type="date" value={value} onChange={(e) => set(e.target.value)} />
                  ) : (
                    <input
                      {...aria}
                      inputMode={f.type === 'units' || f.type === 'amount' ? 'decimal' : ['bp', 'count', 'hours', 'project', 'model', 'release'].includes(f.type) ? 'numeric' : undefined}
                      value={value}
                      maxLength={f.type === 'currency' ? 3 : undefined}
                      placeholder={f.type === 'difficulty' ? 'hard=15000, easy=8000' : undefined}
                      onChange={(e) => set(e.target.value)}
                    />
                  )
                }
              </FormField>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
