// The workbench's wellbeing pieces: the forced break's screen with its
// countdown, and "this affected me", which pauses sensitive work and tells
// the co-op's designated contact (never the member's reviewer).
import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError } from '../api';
import { ErrorAlert } from '../ui';
import { Dialog } from './Dialog';
import { wellbeingApi } from './wellbeingApi';

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The forced break after a run of sensitive items: a countdown, then Resume. */
export function BreakScreen({ until, onResume }: { until: string; onResume: () => void }) {
  const end = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = end - now;
  const over = left <= 0;
  return (
    <section className="empty-state break-screen" aria-labelledby="wb-forced-break">
      <h2 id="wb-forced-break">Time for a short break</h2>
      <p>You worked through a run of sensitive items. Step away from the screen, stretch, look at something far away.</p>
      <p className="break-countdown" aria-live="polite" data-testid="break-countdown">
        {over ? 'Your break is over.' : <>You can resume in <strong>{mmss(left)}</strong> (at {new Date(end).toLocaleTimeString()}).</>}
      </p>
      <p>
        <button type="button" className="btn btn-primary" disabled={!over} onClick={onResume} ref={(b) => (over ? b?.focus() : undefined)}>
          Resume labelling
        </button>
      </p>
    </section>
  );
}

/** "This affected me": a button and its dialog. */
export function AffectedButton({ projectId, hasContact, onPaused }: { projectId: number; hasContact: boolean; onPaused: (msg: string) => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function send(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await wellbeingApi.affected(projectId, note.trim());
      setOpen(false);
      setNote('');
      onPaused(
        r.notified
          ? 'Your sensitive work is paused, and the co-op’s wellbeing contact has been told. Nobody else is: not your reviewer, not the coordinators.'
          : 'Your sensitive work is paused. The co-op has not named a wellbeing contact yet, so nobody was told.',
      );
    } catch (x) {
      setErr(x as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        This affected me
      </button>
      {open && (
        <Dialog title="This affected me" onClose={() => setOpen(false)}>
          <form onSubmit={send}>
            <p>
              Sensitive items stop until you resume them.{' '}
              {hasContact ? 'The co-op’s wellbeing contact is told, and only them.' : 'The co-op has not named a wellbeing contact yet.'}
            </p>
            <div className="field">
              <label htmlFor="affected-note">Anything you want the contact to know (optional)</label>
              <textarea id="affected-note" data-autofocus rows={3} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
            </div>
            <ErrorAlert error={err} />
            <div className="task-actions">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Pause sensitive work{hasContact ? ' and tell the contact' : ''}
              </button>
              <button type="button" className="btn" onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}
