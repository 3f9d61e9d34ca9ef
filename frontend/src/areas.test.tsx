import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { areasFor, homeFor } from './areas';
import { Nav } from './Shell';

function navLabels(roles: string[]) {
  render(<Nav roles={roles} pathname="/equity" />);
  const nav = screen.getByRole('navigation', { name: 'Areas' });
  return within(nav)
    .getAllByRole('link')
    .map((a) => a.textContent);
}

describe('role-aware areas', () => {
  it('labeller sees Work, Equity, Votes and Account', () => {
    expect(navLabels(['labeller'])).toEqual(['Work', 'Equity', 'Votes', 'Account']);
  });

  it('reviewer sees Review but not Work or admin', () => {
    expect(navLabels(['reviewer'])).toEqual(['Review', 'Quality', 'Equity', 'Votes', 'Account']);
  });

  it('coordinator sees Co-op admin', () => {
    expect(navLabels(['coordinator'])).toEqual(['Quality', 'Equity', 'Votes', 'Datasets', 'Co-op admin', 'Account']);
  });

  it('a member with every role sees every area', () => {
    expect(navLabels(['coordinator', 'reviewer', 'labeller'])).toEqual(['Work', 'Review', 'Quality', 'Equity', 'Votes', 'Datasets', 'Co-op admin', 'Account']);
  });

  it('a member with no roles still has Equity and Votes', () => {
    expect(areasFor([]).map((a) => a.id)).toEqual(['equity', 'votes']);
  });

  it('marks the current area', () => {
    render(<Nav roles={['labeller']} pathname="/work" />);
    expect(screen.getByRole('link', { name: 'Work' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Equity' }).getAttribute('aria-current')).toBeNull();
  });

  it('sends each member to the area they can use', () => {
    expect(homeFor(['labeller'])).toBe('/work');
    expect(homeFor(['reviewer', 'labeller'])).toBe('/work');
    expect(homeFor(['reviewer'])).toBe('/review');
    expect(homeFor(['coordinator'])).toBe('/admin');
    expect(homeFor([])).toBe('/equity');
  });
});
