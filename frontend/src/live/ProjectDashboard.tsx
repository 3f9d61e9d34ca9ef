// The coordinator's live project dashboard: progress bars, submissions and
// completions per minute (the last half hour from the progress snapshot, then
// project:<id> events as they come),
// who is working now (presence) and leases that may run out soon.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api';
import { labelApi } from '../labeling/api';
import type { Progress, Project } from '../labeling/types';
import { useChannel } from './live';
import { applyLeaseEvent, barChart, expiringSoon, perMinute, RATE_BOX, type OpenLease } from './rate';

const MINUTES = 30;
const REFRESH_TYPES = /^(task\.|item\.|import\.|review\.decided|project\.)/;

function pct(done: number, total: number) {
  return total > 0 ? Math.round((done / total) * 100) : 0;
}

export function LiveProjectDashboard({ project, progress, onProgress }: { project: Project; progress: Progress | null; onProgress: (p: Progress) => void }) {
  const [events, setEvents] = useState<{ type: string; at: string }[]>([]);
  const [presence, setPresence] = useState<{ count: number; members?: number[] } | null>(null);
  const [leases, setLeases] = useState<ReadonlyMap<number, OpenLease>>(new Map());
  const [names, setNames] = useState<Record<number, string>>({});
  const [now, setNow] = useState(() => Date.now());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  const titleId = useId();

  const refresh = useCallback(() => {
    labelApi.progress(project.id).then((p) => alive.current && onProgress(p), () => {});
  }, [project.id, onProgress]);

  useEffect(() => {
    alive.current = true;
    api.members().then(
      (ms) => alive.current && setNames(Object.fromEntries(ms.map((m) => [m.id, m.display_name]))),
      () => {},
    );
    const t = setInterval(() => setNow(Date.now()), 10_000);
    return () => {
      alive.current = false;
      clearInterval(t);
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  useChannel(
    `project:${project.id}`,
    (e) => {
      if (e.type === 'task.submitted' || e.type === 'item.completed') {
        setEvents((list) => {
          const cutoff = Date.now() - (MINUTES + 1) * 60_000;
          return [...list.filter((x) => Date.parse(x.at) >= cutoff), { type: e.type, at: e.at }];
        });
      }
      setLeases((m) => applyLeaseEvent(m, e, project.lease_seconds));
      if (REFRESH_TYPES.test(e.type)) {
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(refresh, 250);
      }
      setNow(Date.now());
    },
    { presence: false, onReset: refresh, onPresence: (p) => setPresence({ count: p.count, members: p.members }) },
  );

  // The snapshot's recent events, then live ones newer than its last.
  const recent = progress?.recent ?? [];
  const lastKnown = recent.reduce((m, e) => Math.max(m, Date.parse(e.at)), 0);
  const buckets = perMinute([...recent, ...events.filter((e) => Date.parse(e.at) > lastKnown)], now, MINUTES);
  const chart = barChart(buckets);
  const lastFive = buckets.slice(-5).reduce((n, b) => n + b.submitted, 0);
  const completedTotal = buckets.reduce((n, b) => n + b.completed, 0);
  const window = Math.max(60_000, (project.lease_seconds * 1000) / 4);
  // The server knows the real lease ends (heartbeats extend them); between
  // refreshes, claims seen live are estimated from the project's lease time.
  const known: ReadonlyMap<number, OpenLease> = progress?.expiring
    ? new Map(
        progress.expiring.map((l) => [
          l.assignment_id,
          { assignment_id: l.assignment_id, item_id: l.item_id, member_id: l.member_id, claimed_at: 0, ends_at: Date.parse(l.lease_expires_at) },
        ]),
      )
    : new Map();
  const merged = new Map([...leases].filter(([, l]) => now - l.ends_at < project.lease_seconds * 1000));
  for (const [id, l] of known) merged.set(id, l);
  const soon = expiringSoon(merged, now, window);
  const who = (id?: number) => (id === undefined ? 'someone' : names[id] ?? `member ${id}`);
  const itemsPct = progress ? pct(progress.complete_items, Math.max(0, progress.items - progress.gold_items)) : 0;

  return (
    <section className="card live-dash" aria-labelledby={`${titleId}-h`}>
      <h2 id={`${titleId}-h`}>Live</h2>
      {progress && (
        <div className="ld-bars">
          <label htmlFor={`${titleId}-items`} className="progress-label">
            {progress.complete_items.toLocaleString()} of {Math.max(0, progress.items - progress.gold_items).toLocaleString()} items complete ({itemsPct}%)
          </label>
          <progress id={`${titleId}-items`} className="bar" max={Math.max(1, progress.items - progress.gold_items)} value={progress.complete_items} />
          {(progress.today ?? []).length > 0 && (
            <>
              <h3>Answers today by member</h3>
              <ul className="ld-members">
                {(progress.today ?? []).map((t) => {
                  const top = Math.max(1, ...(progress.today ?? []).map((x) => x.done_today));
                  return (
                    <li key={t.member_id}>
                      <label htmlFor={`${titleId}-m${t.member_id}`}>
                        {who(t.member_id)}: {t.done_today.toLocaleString()}
                      </label>
                      <progress id={`${titleId}-m${t.member_id}`} className="bar" max={top} value={t.done_today} />
                    </li>
                  );
                })}
              </ul>
            </>
          )}
        </div>
      )}
      <dl className="facts ld-facts">
        <dt>Working now</dt>
        <dd data-testid="live-presence">
          {presence === null ? (
            <span className="muted">Waiting for the live connection…</span>
          ) : (
            <>
              {presence.count} labeller{presence.count === 1 ? '' : 's'}
              {presence.members && presence.members.length > 0 && <span className="muted"> ({presence.members.map((id) => who(id)).join(', ')})</span>}
            </>
          )}
        </dd>
        <dt>Last 5 minutes</dt>
        <dd data-testid="live-rate">
          {lastFive} answer{lastFive === 1 ? '' : 's'} submitted · {completedTotal} item{completedTotal === 1 ? '' : 's'} completed in the last {MINUTES} minutes
        </dd>
      </dl>
      <figure className="ld-chart">
        <svg viewBox={`0 0 ${RATE_BOX.width} ${RATE_BOX.height}`} className="ld-svg" role="img" aria-labelledby={`${titleId}-ct ${titleId}-cd`}>
          <title id={`${titleId}-ct`}>Answers submitted per minute, last {MINUTES} minutes</title>
          <desc id={`${titleId}-cd`}>
            {`${buckets.reduce((n, b) => n + b.submitted, 0)} answers and ${completedTotal} completed items since ${buckets[0].label}.`}
          </desc>
          {chart.yTicks.map((t) => (
            <g key={t.label}>
              <line x1={RATE_BOX.left} x2={RATE_BOX.width - RATE_BOX.right} y1={t.y} y2={t.y} className="eq-grid" />
              <text x={RATE_BOX.left - 6} y={t.y + 4} textAnchor="end" className="eq-axis">
                {t.label}
              </text>
            </g>
          ))}
          {chart.bars.map((b) => (
            <g key={b.b.t}>
              {b.h > 0 && <rect x={b.x} y={b.y} width={b.w} height={b.h} className="ld-bar" />}
              {b.b.completed > 0 && (
                <rect
                  x={b.x + b.w / 4}
                  width={b.w / 2}
                  y={RATE_BOX.height - RATE_BOX.bottom - (b.b.completed / chart.max) * (RATE_BOX.height - RATE_BOX.top - RATE_BOX.bottom)}
                  height={(b.b.completed / chart.max) * (RATE_BOX.height - RATE_BOX.top - RATE_BOX.bottom)}
                  className="ld-bar-done"
                />
              )}
            </g>
          ))}
          {[0, buckets.length - 1].map((i) => (
            <text key={i} x={chart.bars[i].x + chart.bars[i].w / 2} y={RATE_BOX.height - 6} textAnchor={i === 0 ? 'start' : 'end'} className="eq-axis">
              {buckets[i].label}
            </text>
          ))}
        </svg>
        <figcaption className="small muted">
          <span className="ld-key ld-key-sub" aria-hidden="true" /> answers submitted <span className="ld-key ld-key-done" aria-hidden="true" /> items completed, per minute
        </figcaption>
      </figure>
      <h3>Leases that may run out soon</h3>
      {soon.length === 0 ? (
        <p className="muted small" data-testid="live-leases">
          None seen{progress ? ` · ${progress.leased} item${progress.leased === 1 ? '' : 's'} being labelled now` : ''}.
        </p>
      ) : (
        <ul className="plain-list" data-testid="live-leases">
          {soon.map((l) => {
            const s = Math.round((l.ends_at - now) / 1000);
            return (
              <li key={l.assignment_id}>
                Item {l.item_id}, {who(l.member_id)}: {s > 0 ? `about ${s < 90 ? `${s} s` : `${Math.round(s / 60)} min`} left` : 'past its lease time unless extended'}
              </li>
            );
          })}
        </ul>
      )}
      <p className="small muted">Lease ends come from the server at each refresh; labellers who are still working extend them.</p>
    </section>
  );
}
