// A labeller contests the rejection of their own submission, once, with a
// comment the reviewer reads. Used by My work.
import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { ErrorAlert } from '../ui';
import { reviewApi } from './api';

export const DISPUTE_MAX = 5000;

const MESSAGES: Record<string, string> = {
  already_disputed: 'You have already disputed this rejection. A reviewer will decide, and that decision is final.',
  not_rejected: 'This submission is no longer rejected, so there is nothing to dispute.',
  not_found: 'This submission could not be found.',
};

/** Problems with a comment before it is sent, in plain words; null when fine. */
export function disputeProblem(comment: string): string | null {
  const n = [...comment.trim()].length;
  if (n === 0) return 'Say why you think the rejection is wrong, so the reviewer can look again.';
  if (n > DISPUTE_MAX) return `Keep the comment to ${DISPUTE_MAX} characters (now ${n}).`;
  return null;
}

export function DisputeForm({
  submissionId,
  onDisputed,
  send = reviewApi.dispute,
}: {
  submissionId: number;
  onDisputed: (comment: string) => void;
  send?: (id: number, comment: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const opener = useRef<HTMLButtonElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = disputeProblem(comment);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await send(submissionId, comment.trim());
      onDisputed(comment.trim());
    } catch (x) {
      const err = x as ApiError;
      setError(MESSAGES[err.code] ?? err);
      if (err.code === 'already_disputed') onDisputed('');
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" className="btn btn-small" ref={opener} onClick={() => setOpen(true)}>
        Dispute this rejection
      </button>
    );
  }
  return (
    <form className="dispute-form" onSubmit={submit} aria-label="Dispute this rejection">
      <div className="field">
        <label htmlFor={`${id}-c`}>Why is the rejection wrong?</label>
        <textarea
          id={`${id}-c`}
          rows={3}
          value={comment}
          autoFocus
          maxLength={DISPUTE_MAX + 100}
          aria-describedby={`${id}-h`}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              setOpen(false);
            }
          }}
        />
        <p className="hint" id={`${id}-h`}>
          You can dispute a rejection once. Another reviewer reads your comment and decides; that decision is final. Ctrl+Enter sends.
        </p>
      </div>
      <ErrorAlert error={error} />
      <div className="task-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
          {busy ? 'Sending…' : 'Send dispute'}
        </button>
        <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
