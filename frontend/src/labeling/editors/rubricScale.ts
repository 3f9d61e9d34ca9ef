// The rubric's default scale, shared by the flat and the per-turn rubric editors.
import type { Criterion, ScalePoint } from '../types';

export const DEFAULT_SCALE: ScalePoint[] = [
  { value: 1, label: 'Very poor' },
  { value: 2, label: 'Poor' },
  { value: 3, label: 'Fair' },
  { value: 4, label: 'Good' },
  { value: 5, label: 'Excellent' },
];

export const scaleOf = (c: Criterion) => c.scale ?? DEFAULT_SCALE;
