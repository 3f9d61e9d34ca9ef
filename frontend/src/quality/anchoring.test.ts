import { describe, expect, it } from 'vitest';
import { anchoringReading, pct, type Anchoring } from './Anchoring';

const base: Anchoring = {
  policy: 'after_answer', control_bp: 1000, shown: 10, shown_agreed: 9, control: 10, control_agreed: 5,
  first_differed: 4, changed_to_suggestion: 3, shown_agreement_bp: 9000, control_agreement_bp: 5000, changed_toward_bp: 7500,
};

describe('anchoring', () => {
  it('formats rates and their absence', () => {
    expect(pct(9000)).toBe('90.0 %');
    expect(pct(null)).toBe('—');
  });
  it('reads the gap between suggested and control items', () => {
    expect(anchoringReading(base)).toContain('may be anchored');
    expect(anchoringReading({ ...base, shown_agreement_bp: 5200 })).toContain('little sign of anchoring');
    expect(anchoringReading({ ...base, control_agreement_bp: null })).toContain('Not enough answers');
  });
});
