// The reviewer's view of conversation items: the transcript with the
// differing turns marked, per-turn scores and spans listed turn by turn.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Disagreement } from './api';
import { AnswerView, FieldTable, ItemView } from './AnswerView';

afterEach(cleanup);

const data = {
  messages: [
    { id: 't0', role: 'system', content: 'Kurz antworten.' },
    { id: 't1', role: 'user', content: 'Wie warm ist es in Zürich? 🌦' },
    { id: 't2', role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Zürich"}' } }] },
    { id: 't3', role: 'tool', tool_call_id: 'c1', content: '{"temp_c":7}' },
    { id: 't4', role: 'assistant', content: '7 °C <img src=x onerror=alert(1)>' },
  ],
};
const schema = { conversation_field: 'messages', turn: 'each_assistant', criteria: [{ id: 'helpful', label: 'Helpful' }] };
const d: Disagreement = {
  unanimous: false,
  keys: [
    { key: 't2/helpful=4', submissions: [1, 2] },
    { key: 't4/helpful=2', submissions: [1] },
    { key: 't4/helpful=5', submissions: [2] },
  ],
  differing: ['t4/helpful=2', 't4/helpful=5'],
  fields: [
    { name: 't2/helpful', values: { '1': '4', '2': '4' }, differ: false },
    { name: 't4/helpful', values: { '1': '2', '2': '5' }, differ: true, spread: 3 },
  ],
  turns: ['t4'],
};

describe('conversation review', () => {
  it('shows the transcript once, the differing turn marked, markup as text', () => {
    const { container } = render(<ItemView taskType="rubric" schema={schema} data={data} d={d} />);
    expect(container.querySelector('li[data-turn="t4"] .rv-differs')).not.toBeNull();
    expect(container.querySelector('li[data-turn="t2"] .rv-differs')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText(/onerror=alert/)).toBeTruthy();
    expect(screen.getByLabelText('Arguments of weather').textContent).toBe('{\n  "city": "Zürich"\n}');
  });
  it('lists a per-turn rubric answer by assistant turn, the differing score marked', () => {
    render(<AnswerView taskType="rubric" schema={schema} data={data} answer={{ turns: { t2: { scores: { helpful: 4 } }, t4: { scores: { helpful: 2 }, exclude: true, rationale: 'Zu knapp 🙂' } } }} answerKey={[]} d={d} count={2} />);
    const list = screen.getByRole('list', { name: 'Scores per assistant turn' });
    const [t2, t4] = within(list).getAllByRole('listitem').filter((li) => li.hasAttribute('data-turn'));
    expect(t2.textContent).toMatch(/^Assistant turn 1 t2 Helpful: 4 \(Good\) $/);
    expect(t4.textContent).toContain('Assistant turn 2');
    expect(within(t4).getAllByText('differs')).toHaveLength(2); // the turn and its score
    expect(t4.textContent).toContain('do not train on this turn');
    expect(t4.textContent).toContain('“Zu knapp 🙂”');
  });
  it('names per-turn rows of the side-by-side table by turn and criterion', () => {
    render(<FieldTable taskType="rubric" schema={schema} d={d} columns={[1, 2]} columnLabels={['One', 'Two']} />);
    expect(screen.getByRole('rowheader', { name: /Turn t4 · Helpful/ }).textContent).toContain('differs');
  });
  it('lists per-turn spans by turn with their keys marked', () => {
    const spans = { conversation_field: 'messages', labels: [{ value: 'CITY', label: 'City' }] };
    const sd: Disagreement = { unanimous: false, keys: [{ key: 't1/19:25:CITY', submissions: [1] }], differing: ['t1/19:25:CITY'], turns: ['t1'] };
    render(<AnswerView taskType="spans" schema={spans} data={data} answer={{ spans: [{ turn_id: 't1', start: 19, end: 25, label: 'CITY' }] }} answerKey={[]} d={sd} count={2} />);
    const list = screen.getByRole('list', { name: 'Spans per turn' });
    expect(list.textContent).toContain('Message 2 (user)');
    expect(list.textContent).toContain('City “Zürich” 19–25');
    expect(within(list).getAllByText(/differs/)).toHaveLength(2);
  });
});
