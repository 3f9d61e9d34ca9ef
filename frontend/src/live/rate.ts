// Shaping live project events for the coordinator's dashboard: completions
// per minute and open leases, both pure so they are unit tested.

export interface MinuteBucket {
  /** Start of the minute (ms since epoch). */
  t: number;
  label: string;
  submitted: number;
  completed: number;
}

/** Counts events of the last `minutes` whole minutes ending with the current one. */
export function perMinute(events: readonly { type: string; at: string }[], now: number, minutes = 30): MinuteBucket[] {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - (minutes - 1) * 60_000;
  const buckets: MinuteBucket[] = [];
  for (let i = 0; i < minutes; i++) {
    const t = start + i * 60_000;
    const d = new Date(t);
    buckets.push({ t, label: `${pad(d.getHours())}:${pad(d.getMinutes())}`, submitted: 0, completed: 0 });
  }
  for (const e of events) {
    const at = Date.parse(e.at);
    if (Number.isNaN(at) || at < start || at >= end + 60_000) continue;
    const b = buckets[Math.floor((at - start) / 60_000)];
    if (e.type === 'task.submitted') b.submitted++;
    else if (e.type === 'item.completed') b.completed++;
  }
  return buckets;
}

function pad(n: number) {
  return String(n).padStart(2, '0');
}

export interface BarChart {
  bars: { x: number; w: number; y: number; h: number; b: MinuteBucket }[];
  max: number;
  yTicks: { y: number; label: string }[];
}

export const RATE_BOX = { width: 640, height: 160, left: 36, right: 10, top: 10, bottom: 24 };

/** Bars of submissions per minute (completions are drawn inside them). */
export function barChart(buckets: readonly MinuteBucket[], box = RATE_BOX): BarChart {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const peak = Math.max(0, ...buckets.map((b) => Math.max(b.submitted, b.completed)));
  const max = Math.max(4, niceInt(peak));
  const slot = buckets.length ? plotW / buckets.length : plotW;
  const bars = buckets.map((b, i) => {
    const h = (b.submitted / max) * plotH;
    return { x: box.left + i * slot + 1, w: Math.max(1, slot - 2), y: box.top + plotH - h, h, b };
  });
  const yTicks = [0, max / 2, max].map((v) => ({ y: box.top + plotH - (v / max) * plotH, label: String(v) }));
  return { bars, max, yTicks };
}

function niceInt(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// ---------------- leases ----------------

export interface OpenLease {
  assignment_id: number;
  item_id: number;
  member_id?: number;
  claimed_at: number;
  /** Estimated end: claim + the project's lease time (heartbeats extend it, unseen). */
  ends_at: number;
}

/** Applies one project event to the open-lease map (returns a new map when it changed). */
export function applyLeaseEvent(
  leases: ReadonlyMap<number, OpenLease>,
  e: { type: string; at: string; actor_id?: number; payload: Record<string, unknown> },
  leaseSeconds: number,
): ReadonlyMap<number, OpenLease> {
  const id = typeof e.payload.assignment_id === 'number' ? e.payload.assignment_id : null;
  if (id === null) return leases;
  if (e.type === 'task.claimed') {
    const at = Date.parse(e.at) || Date.now();
    const next = new Map(leases);
    next.set(id, {
      assignment_id: id,
      item_id: typeof e.payload.item_id === 'number' ? e.payload.item_id : 0,
      member_id: e.actor_id,
      claimed_at: at,
      ends_at: at + leaseSeconds * 1000,
    });
    return next;
  }
  if (['task.submitted', 'task.released', 'task.skipped', 'task.expired'].includes(e.type) && leases.has(id)) {
    const next = new Map(leases);
    next.delete(id);
    return next;
  }
  return leases;
}

/** Leases ending within `withinMs` (or already past their estimated end), soonest first. */
export function expiringSoon(leases: ReadonlyMap<number, OpenLease>, now: number, withinMs: number): OpenLease[] {
  return [...leases.values()].filter((l) => l.ends_at - now <= withinMs).sort((a, b) => a.ends_at - b.ends_at);
}
