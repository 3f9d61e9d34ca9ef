// The member's own preferences on the Account page: the keyboard map (press
// the new key; conflicts and reserved keys are refused here and by the
// server), sensitive-content choices, and, for the co-op's wellbeing
// contact only, the notices addressed to them.
import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiError } from '../api';
import { ErrorAlert, Notice, formatDate } from '../ui';
import { conflictFor, keyLabel, keyOf, keymapOf, type Binding, type Keymap, type ShortcutAction } from './keymap';
import { CATEGORY_LABELS, wellbeingApi, type MyWellbeing, type SensitiveCategory, type WellbeingNotice } from './wellbeingApi';

export function ShortcutsSection() {
  const [bindings, setBindings] = useState<Binding[] | null>(null);
  const [defaults, setDefaults] = useState<Binding[]>([]);
  const [reserved, setReserved] = useState<string[]>([]);
  const [km, setKm] = useState<Keymap | null>(null);
  const [capturing, setCapturing] = useState<ShortcutAction | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState('');

  const load = useCallback(async () => {
    try {
      const r = await wellbeingApi.shortcuts();
      setBindings(r.shortcuts ?? []);
      setDefaults(r.defaults ?? []);
      setReserved(r.reserved ?? []);
      setKm(keymapOf(r.shortcuts ?? []));
    } catch (e) {
      setError(e as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function save(next: Keymap, msg: string) {
    // Only the keys that differ from the defaults are the member's own.
    const own: Record<string, string> = {};
    for (const d of defaults) if (next[d.action] !== d.key) own[d.action] = next[d.action];
    try {
      const r = await wellbeingApi.setShortcuts(own);
      setBindings(r.shortcuts ?? []);
      setKm(keymapOf(r.shortcuts ?? []));
      setError(null);
      setDone(msg);
    } catch (e) {
      setError(e as ApiError);
    }
  }

  function onCapture(e: KeyboardEvent<HTMLButtonElement>, b: Binding) {
    if (e.key === 'Tab') {
      setCapturing(null);
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (e.key === 'Escape') {
      setCapturing(null);
      setDone('');
      return;
    }
    const key = keyOf(e);
    if (!key || !km || !bindings) return;
    setCapturing(null);
    if (reserved.includes(key)) {
      setError(`${keyLabel(key)} is kept for moving around or for the browser; choose another key for “${b.label}”.`);
      return;
    }
    const clash = conflictFor(bindings, km, b.action, key);
    if (clash) {
      setError(`${keyLabel(key)} already does “${clash.label}”. Change that one first, or choose another key.`);
      return;
    }
    void save({ ...km, [b.action]: key }, `“${b.label}” is now ${keyLabel(key)}.`);
  }

  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keyboard shortcuts</h2>
      <p className="muted">
        Choose the key for each workbench action: press <em>Change</em>, then the new key (Esc cancels). Keys that would do two things at once, and
        keys kept for moving around (Tab, Esc, arrows left and right, Space…), are refused.
      </p>
      <ErrorAlert error={error} />
      {done && <Notice>{done}</Notice>}
      {!bindings && !error && <p className="muted">Loading your keys…</p>}
      {bindings && km && (
        <>
          <div className="table-wrap">
            <table className="table keymap-table">
              <caption className="visually-hidden">Your keyboard shortcuts</caption>
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Key</th>
                  <th scope="col">
                    <span className="visually-hidden">Change</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {bindings.map((b) => (
                  <tr key={b.action} data-action={b.action}>
                    <th scope="row">{b.label}</th>
                    <td>
                      <kbd className="kbd">{keyLabel(km[b.action])}</kbd>
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-small keymap-capture"
                        aria-label={capturing === b.action ? `Press the new key for ${b.label}` : `Change the key for ${b.label}`}
                        onClick={() => {
                          setDone('');
                          setError(null);
                          setCapturing(b.action);
                        }}
                        onKeyDown={capturing === b.action ? (e) => onCapture(e, b) : undefined}
                        onBlur={() => capturing === b.action && setCapturing(null)}
                      >
                        {capturing === b.action ? 'Press a key…' : 'Change'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="btn" onClick={() => void save(keymapOf(defaults), 'Every key is back to its default.')}>
            Reset to defaults
          </button>
        </>
      )}
    </section>
  );
}

export function SensitiveSection() {
  const [w, setW] = useState<MyWellbeing | null>(null);
  const [minutes, setMinutes] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState('');
  useEffect(() => {
    wellbeingApi.mine().then(
      (x) => {
        setW(x);
        setMinutes(x.own_minutes === null ? '' : String(x.own_minutes));
      },
      (e) => setError(e as ApiError),
    );
  }, []);
  if (!w) return error ? <ErrorAlert error={error} /> : null;
  const cats = w.categories ?? [];

  async function change(c: Parameters<typeof wellbeingApi.setMine>[0], msg: string) {
    try {
      setW(await wellbeingApi.setMine(c));
      setError(null);
      setDone(msg);
    } catch (e) {
      setError(e as ApiError);
    }
  }
  function toggle(c: SensitiveCategory) {
    const next = cats.includes(c) ? cats.filter((x) => x !== c) : [...cats, c];
    void change({ categories: next }, `You will ${cats.includes(c) ? 'no longer' : 'now'} be sent items marked “${CATEGORY_LABELS[c]}”.`);
  }
  function saveMinutes(e: FormEvent) {
    e.preventDefault();
    const t = minutes.trim();
    const n = t === '' ? -1 : Number(t);
    if (!Number.isInteger(n) || n < -1 || (w && n > w.coop_minutes)) {
      setError(`Choose whole minutes from 0 to ${w?.coop_minutes}, or leave it empty for the co-op’s budget.`);
      return;
    }
    void change({ own_minutes: n }, n < 0 ? 'You use the co-op’s daily budget.' : `Your daily budget is now ${n} minutes.`);
  }
  return (
    <section className="card" aria-labelledby="sensitive-heading">
      <h2 id="sensitive-heading">Sensitive content</h2>
      <ErrorAlert error={error} />
      {done && <Notice>{done}</Notice>}
      <fieldset className="check-list">
        <legend>Kinds of sensitive content you agree to be sent (none until you choose)</legend>
        {(Object.keys(CATEGORY_LABELS) as SensitiveCategory[]).map((c) => (
          <label key={c} className="check">
            <input type="checkbox" checked={cats.includes(c)} onChange={() => toggle(c)} /> {CATEGORY_LABELS[c]}
          </label>
        ))}
      </fieldset>
      <form className="inline-form" onSubmit={saveMinutes}>
        <div className="field">
          <label htmlFor="own-minutes">My daily budget of sensitive minutes</label>
          <input id="own-minutes" inputMode="numeric" value={minutes} placeholder={String(w.coop_minutes)} onChange={(e) => setMinutes(e.target.value)} />
          <p className="hint">
            The co-op’s maximum is {w.coop_minutes} minutes; today you used {Math.floor(w.used_ms / 60_000)}. After {w.break_after || 'no'} sensitive items in a
            row comes a {w.break_minutes}-minute break.
          </p>
        </div>
        <button type="submit" className="btn">
          Set budget
        </button>
      </form>
      <label className="check">
        <input type="checkbox" checked={w.greyscale} onChange={(e) => void change({ greyscale: e.target.checked }, e.target.checked ? 'Images show in greyscale.' : 'Images show in colour.')} />{' '}
        Show images in tasks in greyscale
      </label>
      {w.paused && (
        <p>
          Your sensitive work is paused.{' '}
          <button type="button" className="btn btn-small" onClick={() => void wellbeingApi.resume().then(setW)}>
            Resume sensitive work
          </button>
        </p>
      )}
    </section>
  );
}

/** Notices for the co-op's wellbeing contact: shown only to them (the server answers an empty list to everyone else). */
export function ContactNotices() {
  const [notices, setNotices] = useState<WellbeingNotice[]>([]);
  useEffect(() => {
    wellbeingApi.notices().then(setNotices, () => {});
  }, []);
  if (notices.length === 0) return null;
  return (
    <section className="card" aria-labelledby="notices-heading">
      <h2 id="notices-heading">Members who asked for support</h2>
      <p className="muted">You are the co-op’s wellbeing contact. Only you see these.</p>
      <ul>
        {notices.map((n) => (
          <li key={n.id}>
            <strong>{n.member_name}</strong> pressed “This affected me” on {formatDate(n.created_at)}
            {n.note ? <>: “{n.note}”</> : '.'}
          </li>
        ))}
      </ul>
    </section>
  );
}
