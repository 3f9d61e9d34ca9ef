// The 95% bootstrap interval beside an agreement value, and whether the value
// is conclusive, in plain words (labeling/agreement/bootstrap.go; docs/REVIEW.md).
import type { Schema } from '../schema';
import { fmtValue } from './charts';

type MetricValue = Schema<'MetricValue'>;

/** The width above which an interval is inconclusive, and the fewest items that can be conclusive (as the server). */
export const WIDE_INTERVAL = 0.2;
export const FEW_ITEMS = 30;
/** The most ratings the server resamples (BootstrapBudget / BootstrapMinResamples). */
export const MAX_RESAMPLED_RATINGS = 2000;

export interface IntervalText {
  /** "0.62 – 0.91", or what stands in for it. */
  range: string;
  inconclusive: boolean;
  /** Why, in plain words; empty when conclusive. */
  why: string;
}

export function intervalText(m: MetricValue): IntervalText | null {
  if (!m.result) return null;
  const iv = m.interval;
  if (!iv) {
    if (m.interval_skipped === 'too_many_ratings') return { range: 'not computed', inconclusive: false, why: `more than ${MAX_RESAMPLED_RATINGS.toLocaleString('en')} answers to resample quickly` };
    return { range: '—', inconclusive: false, why: 'no resample could compute it' };
  }
  const reasons: string[] = [];
  const why = iv.why ?? [];
  if (why.includes('few_items')) reasons.push(`only ${iv.items} item${iv.items === 1 ? '' : 's'} (fewer than ${FEW_ITEMS})`);
  if (why.includes('wide')) reasons.push(`the interval is ${fmtValue(iv.high - iv.low, 2)} wide (more than ${WIDE_INTERVAL})`);
  return { range: `${fmtValue(iv.low, 2)} – ${fmtValue(iv.high, 2)}`, inconclusive: iv.inconclusive, why: reasons.join(' and ') };
}
