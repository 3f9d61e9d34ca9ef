import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MyWorkTable, toggled, type Outcome } from './MyWorkRow';
import type { Project } from './types';
import { MyWorkAnswer } from './MyWorkAnswer';
import { apiParamsOf, isFiltered, NO_FILTER, queryOf, searchOf } from './MyWorkFilters';

describe('My work filters', () => {
  it('round-trip through the address and become API parameters', () => {
    const f = queryOf('?status=rejected&project=7&from=2026-12-01&to=2026-12-05&x=1');
    expect(f).toEqual({ status: 'rejected', project: '7', from: '2026-12-01', to: '2026-12-05' });
    expect(searchOf(f)).toBe('?status=rejected&project=7&from=2026-12-01&to=2026-12-05');
    expect(apiParamsOf(f)).toEqual({ status: 'rejected', project_id: 7, from: '2026-12-01', to: '2026-12-05' });
    expect(isFiltered(f)).toBe(true);
    expect(searchOf(NO_FILTER)).toBe('');
    expect(isFiltered(queryOf(''))).toBe(false);
    // A project that is not an id is no filter, not a request the server must refuse.
    expect(apiParamsOf({ ...NO_FILTER, project: 'abc' }).project_id).toBeUndefined();
  });
});

describe('My work answers as given', () => {
  it('classification: the chosen label, not JSON', () => {
    const { container } = render(
      <MyWorkAnswer label="Your answer" taskType="classification" schema={{ field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] }} data={{ text: 'Lovely soup' }} answer={{ choice: 'neg' }} />,
    );
    expect(screen.getByText('Negative')).toBeTruthy();
    expect(screen.getByText('Lovely soup')).toBeTruthy();
    expect(container.textContent).not.toContain('"choice"');
    expect(container.textContent).not.toContain('differs');
  });

  it('spans: the spans in the text, by label', () => {
    render(<MyWorkAnswer label="Your answer" taskType="spans" schema={{ field: 'text', labels: [{ value: 'PER', label: 'Person' }] }} data={{ text: 'Anna Schmidt called' }} answer={{ spans: [{ start: 0, end: 12, label: 'PER' }] }} />);
    const spans = screen.getByRole('list', { name: 'Spans' });
    expect(spans.textContent).toContain('Person');
    expect(spans.textContent).toContain('“Anna Schmidt”');
  });

  it('pairwise and ranking: the preferred response and the order by quote', () => {
    const { rerender } = render(<MyWorkAnswer label="Your answer" taskType="pairwise" schema={{}} data={{ prompt: 'Hi', response_a: 'One', response_b: 'Two' }} answer={{ choice: 'b', shown_order: 'ab' }} />);
    expect(screen.getByText('Response b is better')).toBeTruthy();
    rerender(
      <MyWorkAnswer
        label="Your answer"
        taskType="ranking"
        schema={{}}
        data={{ prompt: 'Pick', responses: [{ id: 'r1', text: 'Short answer' }, { id: 'r2', text: 'Long answer' }] }}
        answer={{ ranking: [['r2'], ['r1']] }}
      />,
    );
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items.some((t) => t?.startsWith('“Long answer”'))).toBe(true);
  });
});

describe('My work table', () => {
  const sub = {
    id: 9,
    project_id: 1,
    project_name: 'Reviews',
    item_id: 42,
    task_type: 'classification',
    status: 'rejected',
    reason: 'wrong_label',
    created_at: '2026-12-05T10:00:00Z',
    revisions: 1,
    data: { text: '<img src=x onerror="window.__pwned=1">' },
    answer: { choice: 'neg' },
    units: '0',
    units_pending: '0',
  } as unknown as Outcome;
  const project = { id: 1, task_type: 'classification', schema: { field: 'text', choices: [{ value: 'neg', label: 'Negative' }] } } as unknown as Project;

  it('shows one line per submission and opens its detail with the disclosure button', () => {
    let open = new Set<number>();
    const detail = (s: Outcome) => <p>detail of {s.id}</p>;
    const { rerender, container } = render(<MyWorkTable subs={[sub]} viewOf={() => project} open={open} onToggle={(id) => (open = toggled(open, id))} detail={detail} />);
    const row = screen.getByRole('row', { name: /Reviews · item 42/ });
    expect(within(row).getByRole('rowheader').textContent).toBe('Reviews · item 42');
    expect(row.textContent).toContain('Negative');
    expect(row.textContent).toContain('Wrong label');
    // The item's markup is text, never elements.
    expect(row.textContent).toContain('<img src=x');
    expect(container.querySelector('img')).toBeNull();
    const button = within(row).getByRole('button', { name: 'Show details of Reviews · item 42' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('detail of 9')).toBeNull();
    fireEvent.click(button);
    rerender(<MyWorkTable subs={[sub]} viewOf={() => project} open={open} onToggle={(id) => (open = toggled(open, id))} detail={detail} />);
    expect(screen.getByRole('region', { name: 'Details of Reviews · item 42' }).textContent).toBe('detail of 9');
    expect(screen.getByRole('button', { name: 'Hide details of Reviews · item 42' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('J and K move between the rows’ disclosure buttons', () => {
    const second = { ...sub, id: 10, item_id: 43 } as Outcome;
    render(<MyWorkTable subs={[sub, second]} viewOf={() => project} open={new Set()} onToggle={() => {}} detail={() => null} />);
    const [a, b] = screen.getAllByRole('button', { name: /^Show details of / });
    a.focus();
    fireEvent.keyDown(a, { key: 'j' });
    expect(document.activeElement).toBe(b);
    fireEvent.keyDown(b, { key: 'j' });
    expect(document.activeElement).toBe(b);
    fireEvent.keyDown(b, { key: 'K' });
    expect(document.activeElement).toBe(a);
  });

  it('toggled opens and closes one row', () => {
    expect([...toggled(new Set([1]), 2)]).toEqual([1, 2]);
    expect([...toggled(new Set([1, 2]), 1)]).toEqual([2]);
  });
});
