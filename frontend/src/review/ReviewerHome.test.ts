import { describe, expect, it } from 'vitest';
import type { Project } from '../labeling/types';
import type { ReviewerHome } from './api';
import { homeCards } from './ReviewerHome';

const project = (id: number, status = 'open') => ({ id, name: `p${id}`, task_type: 'classification', status }) as unknown as Project;

describe('homeCards', () => {
  it('sorts by waiting count, keeps projects with nothing waiting, and leaves drafts out', () => {
    const home = {
      projects: [
        { project_id: 3, name: 'p3', task_type: 'classification', status: 'open', waiting: 5, for_you: 4, disputes: 1, gold_failures: 0 },
        { project_id: 1, name: 'p1', task_type: 'classification', status: 'open', waiting: 2, for_you: 2, disputes: 0, gold_failures: 1 },
      ],
      for_you: 6,
      next_project_id: 1,
      disputes: [],
      gold_failures: [],
    } as unknown as ReviewerHome;
    const cards = homeCards([project(1), project(2), project(3), project(4, 'draft')], home);
    expect(cards.map((c) => [c.id, c.waiting])).toEqual([
      [3, 5],
      [1, 2],
      [2, 0],
    ]);
    expect(cards[1].goldFailures).toBe(1);
  });
});
