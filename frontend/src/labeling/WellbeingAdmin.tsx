// The coordinator's wellbeing settings (the designated contact, the daily
// budget, the break) and the co-op's sums per day: never who was exposed,
// who took a break or who asked for support.
import { useEffect, useState, type FormEvent } from 'react';
import { api, type ApiError, type Member } from '../api';
import { ErrorAlert, Notice } from '../ui';
import { wellbeingApi, type WellbeingDay, type WellbeingSettings } from './wellbeingApi';

const NUMBERS: [keyof Omit<WellbeingSettings, 'contact_member_id'>, string, string][] = [
  ['daily_minutes', 'Daily budget of sensitive minutes per member', 'the most any member may see in a UTC day'],
  ['task_cap_minutes', 'Minutes one task counts at most', 'from claim to submit or skip'],
  ['break_after', 'Forced break after this many sensitive items in a row', '0 turns it off'],
  ['break_minutes', 'Length of that break, in minutes', ''],
];

export function WellbeingAdminSection() {
  const [s, setS] = useState<WellbeingSettings | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [days, setDays] = useState<WellbeingDay[]>([]);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    wellbeingApi.settings().then(setS, (e) => setError(e as ApiError));
    api.members().then(setMembers, () => {});
    wellbeingApi.summary(14).then(setDays, () => {});
  }, []);
  if (!s) return error ? <ErrorAlert error={error} /> : null;
  async function save(e: FormEvent) {
    e.preventDefault();
    if (!s) return;
    try {
      setS(await wellbeingApi.setSettings(s));
      setError(null);
      setDone(true);
    } catch (x) {
      setError(x as ApiError);
      setDone(false);
    }
  }
  return (
    <section className="card" aria-labelledby="wellbeing-heading">
      <h2 id="wellbeing-heading">Wellbeing</h2>
      <p className="muted">
        When a member presses “This affected me”, their sensitive work pauses and the contact you name here is told; only them, never the member’s
        reviewer and never the coordinators.
      </p>
      <ErrorAlert error={error} />
      {done && <Notice>Wellbeing settings saved.</Notice>}
      <form onSubmit={save} className="narrow">
        <div className="field">
          <label htmlFor="wb-contact">Designated contact</label>
          <select
            id="wb-contact"
            value={s.contact_member_id ?? ''}
            onChange={(e) => setS({ ...s, contact_member_id: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">Nobody yet</option>
            {members
              .filter((m) => m.active)
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {m.display_name} ({m.login})
                </option>
              ))}
          </select>
        </div>
        {NUMBERS.map(([k, label, hint]) => (
          <div className="field" key={k}>
            <label htmlFor={`wb-${k}`}>{label}</label>
            <input id={`wb-${k}`} type="number" min={0} value={s[k]} onChange={(e) => setS({ ...s, [k]: Number(e.target.value) })} aria-describedby={hint ? `wb-${k}-hint` : undefined} />
            {hint && (
              <p className="hint" id={`wb-${k}-hint`}>
                {hint}
              </p>
            )}
          </div>
        ))}
        <button type="submit" className="btn btn-primary">
          Save wellbeing settings
        </button>
      </form>
      <h3>The last 14 days, across all members</h3>
      {days.length === 0 ? (
        <p className="muted">No sensitive work yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Sensitive work per day, summed across members</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Sensitive minutes</th>
                <th scope="col">Sensitive items</th>
                <th scope="col">Members</th>
                <th scope="col">Forced breaks</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{Math.round(d.sensitive_ms / 60_000)}</td>
                  <td>{d.sensitive_items}</td>
                  <td>{d.members_exposed}</td>
                  <td>{d.breaks}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
