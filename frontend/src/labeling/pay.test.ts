import { describe, expect, it } from 'vitest';
import { shortValue, unitsPerHour } from './ProjectPay';

describe('unitsPerHour', () => {
  it('is exact in micro-units', () => {
    expect(unitsPerHour('1.000000', 8_000)).toBe('450.000000');
    expect(unitsPerHour('0.250000', 7_000)).toBe('128.571428');
    expect(unitsPerHour('1.000000', 0)).toBeNull();
    expect(unitsPerHour('nonsense', 1_000)).toBeNull();
  });
});

describe('shortValue', () => {
  it('drops two decimals and never rounds up', () => {
    expect(shortValue('3.333333')).toBe('3.3333');
    expect(shortValue('0.049999')).toBe('0.0499');
    expect(shortValue('5000000.0000')).toBe('5000000.00');
    expect(shortValue('12.50')).toBe('12.50');
    expect(shortValue('7')).toBe('7');
  });
});
