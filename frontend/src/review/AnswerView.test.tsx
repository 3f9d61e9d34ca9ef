import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { AnswerView, FieldTable } from './AnswerView';
import type { Disagreement } from './api';

describe('side-by-side answer views', () => {
  it('spans: shows each span and marks the boundary disagreement as text', () => {
    const d: Disagreement = {
      unanimous: false,
      keys: [
        { key: '0:3:PER', submissions: [1] },
        { key: '0:5:PER', submissions: [2] },
      ],
      differing: ['0:3:PER', '0:5:PER'],
      spans: [{ label: 'PER', marks: [{ submission: 1, start: 0, end: 3 }, { submission: 2, start: 0, end: 5 }] }],
    };
    const { container } = render(
      <AnswerView
        taskType="spans"
        schema={{ field: 'text', labels: [{ value: 'PER', label: 'Person' }] }}
        data={{ text: 'Ana Lu went <b>home</b>' }}
        answer={{ spans: [{ start: 0, end: 3, label: 'PER' }] }}
        answerKey={['0:3:PER']}
        d={d}
        count={2}
      />,
    );
    expect(container.querySelector('.rv-zone')?.textContent).toBe('[boundaries differ:  L]');
    expect(screen.getByText(/differs · 1\/2/)).toBeTruthy();
    // Untrusted text stays text.
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<b>home</b>');
  });

  it('rubric: per-criterion table with spread, differing rows marked', () => {
    const d: Disagreement = {
      unanimous: false,
      keys: [],
      differing: [],
      fields: [
        { name: 'helpful', values: { '1': '2', '2': '5' }, differ: true, spread: 3 },
        { name: 'safe', values: { '1': '5', '2': '5' }, differ: false },
      ],
    };
    render(
      <FieldTable
        taskType="rubric"
        schema={{ criteria: [{ id: 'safe', label: 'Safe' }, { id: 'helpful', label: 'Helpful' }] }}
        d={d}
        columns={[1, 2]}
        columnLabels={['Submission 1', 'Submission 2']}
      />,
    );
    const rows = screen.getAllByRole('row');
    expect(rows[1].textContent).toBe('Safe 55same');
    expect(rows[2].textContent).toBe('Helpful differs253');
  });

  it('classification: the choice by label, with its votes when it differs', () => {
    render(
      <AnswerView
        taskType="classification"
        schema={{ choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] }}
        data={{ text: 'x' }}
        answer={{ choice: 'neg' }}
        answerKey={['neg']}
        d={{ unanimous: false, keys: [{ key: 'neg', submissions: [2] }, { key: 'pos', submissions: [1, 3] }], differing: ['neg', 'pos'] }}
        count={3}
      />,
    );
    expect(screen.getByText('Negative')).toBeTruthy();
    expect(screen.getByText('differs · 1/3')).toBeTruthy();
  });
});
