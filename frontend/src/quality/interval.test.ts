import { describe, expect, it } from 'vitest';
import { intervalText } from './interval';

const result = { metric: 'percent', value: 0.8, units: 10, annotators: 2, pairable: 20 };

describe('intervalText', () => {
  it('a narrow interval over many items is conclusive', () => {
    expect(intervalText({ metric: 'percent', result, interval: { low: 0.75, high: 0.85, resamples: 1000, items: 200, inconclusive: false, why: [] } })).toEqual({
      range: '0.75 – 0.85',
      inconclusive: false,
      why: '',
    });
  });

  it('says why a value is inconclusive', () => {
    const t = intervalText({ metric: 'percent', result, interval: { low: 0.5, high: 1, resamples: 990, items: 10, inconclusive: true, why: ['wide', 'few_items'] } });
    expect(t?.inconclusive).toBe(true);
    expect(t?.range).toBe('0.50 – 1.00');
    expect(t?.why).toBe('only 10 items (fewer than 30) and the interval is 0.50 wide (more than 0.2)');
  });

  it('says when no interval was computed, and gives none for an undefined value', () => {
    expect(intervalText({ metric: 'percent', result, interval_skipped: 'too_many_ratings' })?.range).toBe('not computed');
    expect(intervalText({ metric: 'percent', result, interval_skipped: 'too_many_ratings' })?.why).toContain('2,000');
    expect(intervalText({ metric: 'percent', reason: 'undefined' })).toBeNull();
  });
});
