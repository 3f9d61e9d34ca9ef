// "Know the pay before the work": what an accepted task of a project earns,
// how long a task takes (median of real lead times) and so what an hour
// earns, what a unit recently received where the co-op has distributed
// revenue, and how much work is left for the member today. Amounts stay
// exact: units per hour are computed in integer micro-units, and the value of
// a unit is the server's decimal string, only shortened for reading.
import { useEffect, useState } from 'react';
import { equityApi, type RateCardView } from '../equity/api';
import { formatDecimal, groupThousands, parseDecimal } from '../equity/decimal';
import { duration } from '../review/api';
import { labelApi } from './api';
import type { MyProgress, ProjectPace } from './types';

/** Two decimals for reading; the exact amount stays in the title. */
function short(units: string): string {
  const v = parseDecimal(units);
  if (v === null) return units;
  const cents = (v + (v >= 0n ? 5_000n : -5_000n)) / 10_000n; // round half away from zero
  return groupThousands(formatDecimal(cents, 2));
}

/** A value per unit ("0.042137") shortened by two decimals for reading ("0.0421"). */
export function shortValue(perUnit: string): string {
  const dot = perUnit.indexOf('.');
  if (dot === -1 || perUnit.length - dot - 1 <= 2) return perUnit;
  return perUnit.slice(0, -2);
}

/** Units an hour at `perTask` units and a median of `ms` per task (exact, then shown with two decimals). */
export function unitsPerHour(perTask: string, ms: number): string | null {
  const v = parseDecimal(perTask);
  if (v === null || !Number.isInteger(ms) || ms <= 0) return null;
  return formatDecimal((v * 3_600_000n) / BigInt(ms));
}

export function ProjectPay({ projectId }: { projectId: number }) {
  const [rate, setRate] = useState<RateCardView | null>(null);
  const [pace, setPace] = useState<ProjectPace | null>(null);
  const [mine, setMine] = useState<MyProgress | null>(null);
  useEffect(() => {
    let live = true;
    equityApi.rateCard(projectId).then((r) => live && setRate(r), () => {});
    labelApi.pace(projectId).then((p) => live && setPace(p), () => {});
    labelApi.myProgress(projectId).then((m) => live && setMine(m), () => {});
    return () => {
      live = false;
    };
  }, [projectId]);
  const ms = pace?.median_lead_time_ms ?? null;
  const hourly = rate && ms ? unitsPerHour(rate.annotation_accepted, ms) : null;
  return (
    <dl className="facts pay" data-testid={`pay-${projectId}`}>
      <dt>Pay</dt>
      <dd>{rate ? <span title={`${rate.annotation_accepted} units`}>{short(rate.annotation_accepted)} units per accepted task</span> : <span className="muted">no rate card yet</span>}</dd>
      <dt>Time</dt>
      <dd>
        {ms ? (
          <>
            median {duration(ms)} a task{hourly && <span title={`${hourly} units`}> · about {short(hourly)} units an hour</span>}
          </>
        ) : (
          <span className="muted">no answers timed yet</span>
        )}
      </dd>
      {pace?.recent_value && (
        <>
          <dt>Value</dt>
          <dd data-testid={`unit-value-${projectId}`}>
            <span title={`${pace.recent_value.per_unit} ${pace.recent_value.currency}: ${pace.recent_value.paid} paid over ${pace.recent_value.units} units`}>
              a unit received {shortValue(pace.recent_value.per_unit)} {pace.recent_value.currency}
            </span>{' '}
            in the distribution of {new Date(pace.recent_value.distributed_at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}
          </dd>
        </>
      )}
      <dt>Left</dt>
      <dd>
        {mine ? (
          <>
            {mine.items_left.toLocaleString('en-GB')} {mine.items_left === 1 ? 'task' : 'tasks'} for you
            {mine.stint_left !== null && ` · ${mine.stint_left.toLocaleString('en-GB')} in today’s stint`}
          </>
        ) : (
          <span className="muted">…</span>
        )}
      </dd>
    </dl>
  );
}
