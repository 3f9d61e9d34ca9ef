// A live count of a project's review queue, for the reviewer's project picker:
// a snapshot from /api/projects/:id/quality (queued + leased, as the review
// pages count it), re-fetched when review:<project> says the queue moved.
import { useCallback, useEffect, useRef, useState } from 'react';
import { reviewApi } from '../review/api';
import { useChannel } from './live';

const QUEUE_EVENTS = new Set(['item.queued_for_review', 'review.decided', 'review.claimed', 'review.released', 'review.disputed']);

/** undefined while loading, null when unknown (no access, error), else the count. */
export function useReviewQueueCount(projectId: number): number | null | undefined {
  const [count, setCount] = useState<number | null | undefined>(undefined);
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const load = useCallback(() => {
    reviewApi.quality(projectId).then(
      (q) => alive.current && setCount((q.queue?.queued ?? 0) + (q.queue?.leased ?? 0)),
      () => alive.current && setCount(null),
    );
  }, [projectId]);
  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  useChannel(
    `review:${projectId}`,
    (e) => {
      if (!QUEUE_EVENTS.has(e.type)) return;
      // Coalesce a burst of events into one re-count.
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(load, 200);
    },
    { onReset: load },
  );
  return count;
}

/**
 * Drop-in text for a project card: "3 waiting for review", kept live.
 * `initial` (a count the page already has) is shown until the first re-count.
 */
export function ReviewQueueCount({ projectId, initial }: { projectId: number; initial?: number | null }) {
  const live = useReviewQueueCount(projectId);
  const q = live === undefined ? initial : live;
  if (q === undefined) return <span className="muted">Counting the queue…</span>;
  if (q === null) return <span className="muted">Queue unknown</span>;
  return (
    <span data-live-count={q}>
      <strong>{q}</strong> waiting for review
    </span>
  );
}
