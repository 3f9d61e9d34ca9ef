import { describe, expect, it } from 'vitest';
import { unitsPerHour } from './ProjectPay';

describe('unitsPerHour', () => {
  it('is exact in micro-units', () => {
    expect(unitsPerHour('1.000000', 8_000)).toBe('450.000000');
    expect(unitsPerHour('0.250000', 7_000)).toBe('128.571428');
    expect(unitsPerHour('1.000000', 0)).toBeNull();
    expect(unitsPerHour('nonsense', 1_000)).toBeNull();
  });
});
