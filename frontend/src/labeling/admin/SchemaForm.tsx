// The schema builder: every setting of a task type's schema as a form, so a
// coordinator never has to write JSON (the JSON stays as the advanced view).
import type { ReactNode } from 'react';
import type { TaskType } from '../types';
import {
  DEFAULT_SCALE,
  SCHEMA_SETTINGS,
  asObject,
  intOrUndefined,
  list,
  move,
  newOption,
  newScalePoint,
  relabel,
  removeAt,
  replaceAt,
  withKey,
  type CriterionRow,
  type Obj,
  type OptionRow,
  type ScaleRow,
  type Setting,
} from './schemaForm';

interface Props {
  taskType: TaskType;
  /** The schema as written (the advanced view's JSON, parsed). */
  schema: Obj;
  /** The server's normalised schema, for the defaults of unset keys. */
  normalised: unknown;
  onChange: (schema: Obj) => void;
}

export function SchemaForm({ taskType, schema, normalised, onChange }: Props) {
  const defaults = asObject(normalised);
  return (
    <div className="schema-form" data-testid="schema-form">
      {SCHEMA_SETTINGS[taskType].map((s) => (
        <SettingInput key={s.key} setting={s} schema={schema} defaults={defaults} onChange={onChange} />
      ))}
    </div>
  );
}

function SettingInput({ setting: s, schema, defaults, onChange }: { setting: Setting; schema: Obj; defaults: Obj; onChange: (o: Obj) => void }) {
  const id = `sf-${s.key}`;
  const set = (v: unknown) => onChange(withKey(schema, s.key, v));
  const current = schema[s.key] !== undefined ? schema[s.key] : defaults[s.key];
  switch (s.kind) {
    case 'field':
      return (
        <div className="field">
          <label htmlFor={id}>{s.label}</label>
          <input id={id} value={typeof current === 'string' ? current : ''} onChange={(e) => onChange({ ...schema, [s.key]: e.target.value.trim() })} aria-describedby={s.hint ? `${id}-hint` : undefined} />
          {s.hint && <p className="hint" id={`${id}-hint`}>{s.hint}</p>}
        </div>
      );
    case 'bool':
      return (
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={current === true} onChange={(e) => set(e.target.checked)} aria-describedby={s.hint ? `${id}-hint` : undefined} /> {s.label}
          </label>
          {s.hint && <p className="hint" id={`${id}-hint`}>{s.hint}</p>}
        </div>
      );
    case 'int':
      return (
        <div className="field">
          <label htmlFor={id}>{s.label}</label>
          <input id={id} type="number" min={0} step={1} value={typeof schema[s.key] === 'number' ? String(schema[s.key]) : ''} onChange={(e) => set(intOrUndefined(e.target.value))} aria-describedby={s.hint ? `${id}-hint` : undefined} />
          {s.hint && <p className="hint" id={`${id}-hint`}>{s.hint}</p>}
        </div>
      );
    case 'select':
      return (
        <div className="field">
          <label htmlFor={id}>{s.label}</label>
          <select id={id} value={typeof current === 'string' ? current : s.options[0][0]} onChange={(e) => set(e.target.value)}>
            {s.options.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
      );
    case 'options':
      return <OptionsEditor setting={s} rows={list<OptionRow>(schema, s.key)} onRows={set} />;
    case 'scale':
      return <ScaleEditor legend={s.label} rows={list<ScaleRow>(schema, s.key)} onRows={(r) => set(r.length ? r : null)} emptyHint="Empty: no severity is asked." />;
    case 'criteria':
      return <CriteriaEditor rows={list<CriterionRow>(schema, s.key)} onRows={set} />;
  }
}

/** The buttons that reorder and remove row i of n, named after the row. */
function RowButtons({ i, n, name, onMove, onRemove }: { i: number; n: number; name: string; onMove: (dir: -1 | 1) => void; onRemove: () => void }) {
  return (
    <span className="sf-row-buttons">
      <button type="button" className="btn btn-small" onClick={() => onMove(-1)} disabled={i === 0} aria-label={`Move ${name} up`}>
        ↑
      </button>
      <button type="button" className="btn btn-small" onClick={() => onMove(1)} disabled={i === n - 1} aria-label={`Move ${name} down`}>
        ↓
      </button>
      <button type="button" className="btn btn-small" onClick={onRemove} aria-label={`Remove ${name}`}>
        Remove
      </button>
    </span>
  );
}

function Group({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="sf-group">
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

function OptionsEditor({ setting, rows, onRows }: { setting: Extract<Setting, { kind: 'options' }>; rows: OptionRow[]; onRows: (r: OptionRow[]) => void }) {
  const noun = setting.key === 'labels' ? 'Label' : setting.key === 'categories' ? 'Category' : 'Choice';
  const edit = (i: number, patch: Partial<OptionRow>) => onRows(replaceAt(rows, i, { ...rows[i], ...patch }));
  return (
    <Group legend={setting.label}>
      {rows.map((r, i) => {
        const name = `${noun.toLowerCase()} ${i + 1}`;
        return (
          <div className="sf-row" key={i} data-testid={`sf-${setting.key}-${i}`}>
            <input aria-label={`${noun} ${i + 1} label`} placeholder="Label" value={r.label ?? ''} onChange={(e) => onRows(replaceAt(rows, i, relabel(r, e.target.value, 'value')))} />
            <input aria-label={`${noun} ${i + 1} value`} placeholder="value" className="mono" value={r.value ?? ''} onChange={(e) => edit(i, { value: e.target.value })} />
            <input aria-label={`${noun} ${i + 1} key`} placeholder="key" className="sf-key" maxLength={1} value={r.hotkey ?? ''} onChange={(e) => edit(i, { hotkey: e.target.value || undefined })} />
            {setting.color && <input aria-label={`${noun} ${i + 1} colour`} type="color" value={r.color ?? '#ffd54f'} onChange={(e) => edit(i, { color: e.target.value })} />}
            {setting.exclusive && (
              <label className="check">
                <input type="checkbox" checked={r.exclusive === true} onChange={(e) => edit(i, { exclusive: e.target.checked || undefined })} /> Only on its own
              </label>
            )}
            <input aria-label={`${noun} ${i + 1} description`} placeholder="Description (optional)" className="sf-wide" value={r.description ?? ''} onChange={(e) => edit(i, { description: e.target.value || undefined })} />
            <RowButtons i={i} n={rows.length} name={name} onMove={(d) => onRows(move(rows, i, d))} onRemove={() => onRows(removeAt(rows, i))} />
          </div>
        );
      })}
      <button type="button" className="btn" onClick={() => onRows([...rows, newOption(rows, noun)])}>
        Add {noun.toLowerCase()}
      </button>
    </Group>
  );
}

function ScaleEditor({ legend, rows, onRows, emptyHint, prefix = '' }: { legend: string; rows: ScaleRow[]; onRows: (r: ScaleRow[]) => void; emptyHint: string; prefix?: string }) {
  return (
    <Group legend={legend}>
      {rows.length === 0 && <p className="hint">{emptyHint}</p>}
      {rows.map((r, i) => (
        <div className="sf-row" key={i}>
          <input aria-label={`${prefix}Point ${i + 1} value`} type="number" step={1} className="sf-num" value={String(r.value)} onChange={(e) => onRows(replaceAt(rows, i, { ...r, value: intOrUndefined(e.target.value) ?? 0 }))} />
          <input aria-label={`${prefix}Point ${i + 1} label`} value={r.label} onChange={(e) => onRows(replaceAt(rows, i, { ...r, label: e.target.value }))} />
          <RowButtons i={i} n={rows.length} name={`${prefix}point ${i + 1}`} onMove={(d) => onRows(move(rows, i, d))} onRemove={() => onRows(removeAt(rows, i))} />
        </div>
      ))}
      <button type="button" className="btn" onClick={() => onRows([...rows, newScalePoint(rows)])}>
        Add {prefix}point
      </button>
    </Group>
  );
}

function CriteriaEditor({ rows, onRows }: { rows: CriterionRow[]; onRows: (r: CriterionRow[]) => void }) {
  const edit = (i: number, patch: Partial<CriterionRow>) => onRows(replaceAt(rows, i, { ...rows[i], ...patch }));
  return (
    <Group legend="Criteria">
      {rows.map((c, i) => {
        const p = `Criterion ${i + 1} `;
        return (
          <fieldset className="sf-group sf-criterion" key={i} data-testid={`sf-criteria-${i}`}>
            <legend>{c.label || `Criterion ${i + 1}`}</legend>
            <div className="sf-row">
              <input aria-label={`${p}label`} placeholder="Label" value={c.label ?? ''} onChange={(e) => onRows(replaceAt(rows, i, relabel(c, e.target.value, 'id')))} />
              <input aria-label={`${p}id`} placeholder="id" className="mono" value={c.id ?? ''} onChange={(e) => edit(i, { id: e.target.value })} />
              <label className="check">
                <input type="checkbox" checked={c.optional === true} onChange={(e) => edit(i, { optional: e.target.checked || undefined })} /> Optional
              </label>
              <input aria-label={`${p}description`} placeholder="Description (optional)" className="sf-wide" value={c.description ?? ''} onChange={(e) => edit(i, { description: e.target.value || undefined })} />
              <RowButtons i={i} n={rows.length} name={`criterion ${i + 1}`} onMove={(d) => onRows(move(rows, i, d))} onRemove={() => onRows(removeAt(rows, i))} />
            </div>
            <ScaleEditor legend="Scale" prefix={p} rows={c.scale ?? []} onRows={(s) => edit(i, { scale: s.length ? s : undefined })} emptyHint={`Empty: the 1–5 scale (${DEFAULT_SCALE.map((s) => s.label).join(', ')}).`} />
          </fieldset>
        );
      })}
      <button
        type="button"
        className="btn"
        onClick={() => {
          const o = newOption(rows, 'Criterion');
          onRows([...rows, { id: o.value, label: o.label }]);
        }}
      >
        Add criterion
      </button>
    </Group>
  );
}
