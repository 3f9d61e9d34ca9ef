// Classification (one choice), multi-label (several) and moderation
// (categories plus a severity): number or letter keys pick options.
import { useEffect } from 'react';
import { convField } from '../conversation';
import { choiceHotkeys, letterHotkeys, scaleKeys } from '../keys';
import { DEFAULT_KEYMAP, globalChars, keyLabel, keyOf, slotKey, useKeymap, type Keymap } from '../keymap';
import type { Answer, ChoiceOption, ClassificationSchema, ModerationSchema, MultiLabelSchema, ScalePoint } from '../types';
import { AnswerLine, ItemText, Kbd, labelOf } from './common';
import { ItemTranscript } from './Conversation';
import { str, type EditorModule, type EditorProps } from './types';

function ChoiceInputs({
  name,
  legend,
  options,
  keys,
  multi,
  selected,
  onToggle,
  readOnly,
}: {
  name: string;
  legend: string;
  options: ChoiceOption[];
  keys: string[];
  multi: boolean;
  selected: string[];
  onToggle: (v: string) => void;
  readOnly?: boolean;
}) {
  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {options.map((o, i) => {
        const on = selected.includes(o.value);
        return (
          <label key={o.value} className={`choice ${on ? 'choice-on' : ''}`}>
            <input
              type={multi ? 'checkbox' : 'radio'}
              name={name}
              value={o.value}
              checked={on}
              disabled={readOnly}
              onChange={() => onToggle(o.value)}
            />
            <span className="choice-text">
              {labelOf(o)}
              {o.exclusive && <span className="muted small"> (only on its own)</span>}
              {o.description && <span className="choice-desc">{o.description}</span>}
            </span>
            <Kbd k={keys[i]} />
          </label>
        );
      })}
    </fieldset>
  );
}

function useKeys(keyRef: EditorProps['keyRef'], keys: string[], act: (i: number) => void, readOnly?: boolean) {
  useEffect(() => {
    keyRef.current = (e) => {
      if (readOnly) return false;
      const k = keyOf(e);
      if (!k) return false;
      const i = keys.indexOf(k);
      if (i < 0) return false;
      act(i);
      return true;
    };
    return () => {
      keyRef.current = null;
    };
  });
}

/** Option keys: the schema's hotkeys, digits taken as the member's option slots. */
function optionKeys(opts: readonly ChoiceOption[], km: Keymap): string[] {
  return choiceHotkeys(opts, true).map((k) => slotKey(km, k));
}

// ---- classification ----

type ClassAnswer = { choice?: string };

function ClassificationEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<ClassAnswer>) {
  const s = schema as ClassificationSchema;
  const keys = optionKeys(s.choices, useKeymap());
  useKeys(keyRef, keys, (i) => onChange({ choice: s.choices[i].value }), readOnly);
  const chosen = s.choices.find((c) => c.value === answer.choice);
  return (
    <div className="editor editor-classification">
      {convField(s) ? <ItemTranscript schema={s} data={data} /> : <ItemText label="Text" text={str(data, s.field ?? 'text')} />}
      <ChoiceInputs
        name="choice"
        legend="Choose one"
        options={s.choices}
        keys={keys}
        multi={false}
        selected={answer.choice ? [answer.choice] : []}
        onToggle={(v) => onChange({ choice: v })}
        readOnly={readOnly}
      />
      <AnswerLine>{chosen ? labelOf(chosen) : <span className="muted">nothing chosen yet</span>}</AnswerLine>
    </div>
  );
}

export const classification: EditorModule<ClassAnswer> = {
  Editor: ClassificationEditor,
  empty: () => ({}),
  from: (schema, _d, _c, saved) => {
    const s = schema as ClassificationSchema;
    const c = typeof saved.choice === 'string' && s.choices.some((o) => o.value === saved.choice) ? saved.choice : undefined;
    return c ? { choice: c } : {};
  },
  validate: (_s, _d, a) => (a.choice ? null : 'Choose one of the options.'),
  toAnswer: (_s, _d, a) => ({ choice: a.choice }),
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const s = schema as ClassificationSchema;
    const keys = optionKeys(s.choices, km);
    return s.choices.map((c, i) => ({ keys: keyLabel(keys[i]), action: `Choose “${labelOf(c)}”` })).filter((x) => x.keys);
  },
};

// ---- multilabel & moderation categories ----

/** Toggles v in a set of choices, honouring exclusive ("none of these") options. */
export function toggleChoice(options: ChoiceOption[], selected: string[], v: string, multi = true): string[] {
  const opt = options.find((o) => o.value === v);
  if (!opt) return selected;
  if (selected.includes(v)) return selected.filter((x) => x !== v);
  if (!multi || opt.exclusive) return [v];
  const kept = selected.filter((x) => !options.find((o) => o.value === x)?.exclusive);
  return options.map((o) => o.value).filter((x) => x === v || kept.includes(x));
}

type MultiAnswer = { choices: string[] };

function MultiLabelEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<MultiAnswer>) {
  const s = schema as MultiLabelSchema;
  const keys = optionKeys(s.choices, useKeymap());
  const toggle = (v: string) => onChange({ choices: toggleChoice(s.choices, answer.choices, v) });
  useKeys(keyRef, keys, (i) => toggle(s.choices[i].value), readOnly);
  const min = s.min ?? 0;
  const max = s.max ?? s.choices.length;
  return (
    <div className="editor editor-multilabel">
      {convField(s) ? <ItemTranscript schema={s} data={data} /> : <ItemText label="Text" text={str(data, s.field ?? 'text')} />}
      <ChoiceInputs
        name="choices"
        legend={min === 0 && max >= s.choices.length ? 'Choose all that apply' : `Choose ${min === max ? min : `${min} to ${max}`}`}
        options={s.choices}
        keys={keys}
        multi
        selected={answer.choices}
        onToggle={toggle}
        readOnly={readOnly}
      />
      <AnswerLine>
        {answer.choices.length
          ? answer.choices.map((v) => labelOf(s.choices.find((c) => c.value === v) ?? { value: v })).join(', ')
          : 'no labels (nothing applies)'}
      </AnswerLine>
    </div>
  );
}

export const multilabel: EditorModule<MultiAnswer> = {
  Editor: MultiLabelEditor,
  empty: () => ({ choices: [] }),
  from: (schema, _d, _c, saved) => {
    const s = schema as MultiLabelSchema;
    const got = Array.isArray(saved.choices) ? saved.choices.filter((v): v is string => typeof v === 'string') : [];
    return { choices: s.choices.map((o) => o.value).filter((v) => got.includes(v)) };
  },
  validate: (schema, _d, a) => {
    const s = schema as MultiLabelSchema;
    const min = s.min ?? 0;
    const max = s.max ?? s.choices.length;
    if (a.choices.length < min) return `Choose at least ${min} label${min === 1 ? '' : 's'}.`;
    if (a.choices.length > max) return `Choose at most ${max} label${max === 1 ? '' : 's'}.`;
    return null;
  },
  toAnswer: (_s, _d, a) => ({ choices: [...a.choices] }),
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const s = schema as MultiLabelSchema;
    const keys = optionKeys(s.choices, km);
    return s.choices.map((c, i) => ({ keys: keyLabel(keys[i]), action: `Toggle “${labelOf(c)}”` })).filter((x) => x.keys);
  },
};

// ---- moderation ----

type ModAnswer = { categories: string[]; severity?: number };

const DEFAULT_SEVERITIES: ScalePoint[] = [
  { value: 0, label: 'None' },
  { value: 1, label: 'Low' },
  { value: 2, label: 'Medium' },
  { value: 3, label: 'High' },
];

export function severitiesOf(s: ModerationSchema): ScalePoint[] {
  return s.severities ?? DEFAULT_SEVERITIES;
}

function modKeys(s: ModerationSchema, km: Keymap) {
  const slots = Object.entries(km).filter(([a]) => a.startsWith('option_')).map(([, k]) => k);
  return letterHotkeys(s.categories, [...globalChars(km), ...slots]);
}

function needsSeverity(s: ModerationSchema, cats: string[]): boolean {
  if (severitiesOf(s).length === 0) return false;
  return cats.some((c) => !s.categories.find((o) => o.value === c)?.exclusive);
}

function ModerationEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<ModAnswer>) {
  const s = schema as ModerationSchema;
  const km = useKeymap();
  const keys = modKeys(s, km);
  const sev = severitiesOf(s);
  const sevKeys = scaleKeys(sev).map((k) => slotKey(km, k));
  const multi = s.multi ?? true;
  const toggle = (v: string) => {
    const categories = toggleChoice(s.categories, answer.categories, v, multi);
    onChange({ categories, severity: needsSeverity(s, categories) ? answer.severity : undefined });
  };
  useEffect(() => {
    keyRef.current = (e) => {
      if (readOnly) return false;
      const k = keyOf(e);
      if (!k) return false;
      const i = keys.indexOf(k);
      if (i >= 0) {
        toggle(s.categories[i].value);
        return true;
      }
      const j = sevKeys.indexOf(k);
      if (j >= 0) {
        onChange({ ...answer, severity: sev[j].value });
        return true;
      }
      return false;
    };
    return () => {
      keyRef.current = null;
    };
  });
  const sevPoint = sev.find((p) => p.value === answer.severity);
  return (
    <div className="editor editor-moderation">
      {convField(s) ? <ItemTranscript schema={s} data={data} /> : <ItemText label="Content" text={str(data, s.field ?? 'text')} />}
      <div className="mod-grid">
        <ChoiceInputs
          name="categories"
          legend={multi ? 'Policy categories (all that apply)' : 'Policy category'}
          options={s.categories}
          keys={keys}
          multi={multi}
          selected={answer.categories}
          onToggle={toggle}
          readOnly={readOnly}
        />
        {sev.length > 0 && (
          <fieldset className="choices">
            <legend>Severity</legend>
            {sev.map((p, i) => (
              <label key={p.value} className={`choice ${answer.severity === p.value ? 'choice-on' : ''}`}>
                <input
                  type="radio"
                  name="severity"
                  checked={answer.severity === p.value}
                  disabled={readOnly}
                  onChange={() => onChange({ ...answer, severity: p.value })}
                />
                <span className="choice-text">
                  {labelOf(p)}
                  {p.description && <span className="choice-desc">{p.description}</span>}
                </span>
                <Kbd k={sevKeys[i]} />
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <AnswerLine>
        {answer.categories.length ? answer.categories.map((v) => labelOf(s.categories.find((c) => c.value === v) ?? { value: v })).join(', ') : 'no category yet'}
        {sevPoint ? ` · severity ${labelOf(sevPoint)}` : ''}
      </AnswerLine>
    </div>
  );
}

export const moderation: EditorModule<ModAnswer> = {
  Editor: ModerationEditor,
  empty: () => ({ categories: [] }),
  from: (schema, _d, _c, saved) => {
    const s = schema as ModerationSchema;
    const got = Array.isArray(saved.categories) ? saved.categories : [];
    const categories = s.categories.map((o) => o.value).filter((v) => got.includes(v));
    const severity = typeof saved.severity === 'number' && severitiesOf(s).some((p) => p.value === saved.severity) ? saved.severity : undefined;
    return { categories, severity };
  },
  validate: (schema, _d, a) => {
    const s = schema as ModerationSchema;
    if (a.categories.length === 0) return 'Choose at least one category.';
    if (needsSeverity(s, a.categories) && a.severity === undefined) return 'Choose a severity.';
    return null;
  },
  toAnswer: (schema, _d, a) => {
    const s = schema as ModerationSchema;
    const out: Answer = { categories: [...a.categories] };
    if (a.severity !== undefined && severitiesOf(s).length > 0) out.severity = a.severity;
    return out;
  },
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const s = schema as ModerationSchema;
    const keys = modKeys(s, km);
    const sev = severitiesOf(s);
    const sk = scaleKeys(sev).map((k) => slotKey(km, k));
    return [
      ...s.categories.map((c, i) => ({ keys: keyLabel(keys[i]), action: `Toggle category “${labelOf(c)}”` })),
      ...sev.map((p, i) => ({ keys: keyLabel(sk[i]), action: `Severity “${labelOf(p)}”` })),
    ].filter((x) => x.keys);
  },
};
