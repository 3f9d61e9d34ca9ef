import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { bucketOf, heatmap, lineChart, topReasons } from './charts';
import { standingText } from './MyQuality';
import { percentToBp, reasonsFromText } from './QualityPage';
import { PairHeatmap } from './Charts';
import { DisputeForm, disputeProblem } from '../review/DisputeForm';
import { ApiError } from '../api';
import type { LabellerStats } from '../review/api';

const box = { width: 200, height: 120, left: 20, right: 10, top: 10, bottom: 10 };

describe('agreement chart data', () => {
  it('sorts days, scales 0–100 % into the plot and draws a path', () => {
    const c = lineChart(
      [
        { day: '2031-03-05', items: 4, agreement_bp: 5000 },
        { day: '2031-03-04', items: 12, agreement_bp: 10000 },
        { day: '2031-03-06', items: 2, agreement_bp: 0 },
      ],
      box,
    );
    expect(c.points.map((p) => p.day)).toEqual(['2031-03-04', '2031-03-05', '2031-03-06']);
    expect(c.points.map((p) => p.x)).toEqual([20, 105, 190]);
    expect(c.points.map((p) => p.y)).toEqual([10, 60, 110]);
    expect(c.path).toBe('M20 10 L105 60 L190 110');
    expect(c.zeroY).toBeNull();
    expect(c.yTicks.map((t) => t.label)).toEqual(['100 %', '75 %', '50 %', '25 %', '0 %']);
  });

  it('extends below zero for negative agreement (Kendall’s tau) and marks zero', () => {
    const c = lineChart([{ day: '2031-03-04', items: 3, agreement_bp: -5000 }], box);
    expect(c.minBp).toBe(-5000);
    expect(c.points[0].x).toBe(105); // a single point sits in the middle
    expect(c.points[0].y).toBe(110);
    expect(c.zeroY).toBeCloseTo(76.7, 1);
    expect(c.yTicks.map((t) => t.label)).toEqual(['100 %', '50 %', '0 %', '-50 %']);
  });

  it('copes with no data and thins x labels', () => {
    expect(lineChart(null, box).points).toEqual([]);
    expect(lineChart([], box).path).toBe('');
    const many = Array.from({ length: 30 }, (_, i) => ({ day: `2031-03-${String(i + 1).padStart(2, '0')}`, items: 1, agreement_bp: 8000 }));
    const c = lineChart(many, box, 6);
    expect(c.xTicks.length).toBeLessThanOrEqual(7);
    expect(c.xTicks[0].label).toBe('03-01');
    expect(c.xTicks[c.xTicks.length - 1].label).toBe('03-30');
  });
});

const stats = (id: number, name: string): LabellerStats =>
  ({ member_id: id, login: name.toLowerCase(), display_name: name, gold: { checked: 0, correct: 0, accuracy_bp: null } }) as unknown as LabellerStats;

describe('heatmap data', () => {
  const pairs = [
    { a: '3', b: '5', value: 0.82, units: 12 },
    { a: '3', b: '4', value: null, units: 1, reason: 'needs at least two items' },
  ];
  const labellers = [stats(3, 'Cy'), stats(4, 'Ana'), stats(5, 'Bo')];

  it('builds a symmetric matrix ordered by name with buckets, n/a and the diagonal', () => {
    const h = heatmap(pairs, labellers);
    expect(h.members.map((m) => m.name)).toEqual(['Ana', 'Bo', 'Cy']);
    const [ana, bo, cy] = h.rows;
    expect(ana[0].bucket).toBe(-2); // diagonal
    expect(ana[2]).toMatchObject({ a: 4, b: 3, value: null, bucket: -1, reason: 'needs at least two items' });
    expect(ana[1]).toMatchObject({ value: null, bucket: -1, reason: 'no items labelled by both' });
    expect(bo[2]).toMatchObject({ value: 0.82, units: 12, bucket: 5 });
    expect(cy[1]).toMatchObject({ value: 0.82, bucket: 5 }); // symmetric
  });

  it('buckets values and falls back to ids for unknown members', () => {
    expect([-0.1, 0, 0.25, 0.5, 0.7, 0.9, null].map(bucketOf)).toEqual([0, 1, 2, 3, 4, 5, -1]);
    expect(heatmap([{ a: '9', b: '8', value: 0.1, units: 2 }], []).members.map((m) => m.name)).toEqual(['#8', '#9']);
  });

  it('renders cells with accessible labels and n/a reasons in a title', () => {
    render(<PairHeatmap pairs={pairs} labellers={labellers} metric="Cohen" />);
    expect(screen.getByLabelText('Bo and Cy: 0.82 over 12 items').textContent).toBe('0.82');
    const na = screen.getByLabelText('Ana and Cy: n/a (needs at least two items)');
    expect(na.textContent).toBe('n/a');
    expect(na.getAttribute('title')).toBe('needs at least two items');
  });

  it('sorts rejection reasons and parses settings input', () => {
    expect(topReasons({ low_effort: 1, wrong_label: 5, other: 0 })).toEqual([
      ['wrong_label', 5],
      ['low_effort', 1],
    ]);
    expect(percentToBp('87.5')).toBe(8750);
    expect(percentToBp('100')).toBe(10000);
    expect(percentToBp('12,25')).toBe(1225);
    expect(percentToBp('101')).toBeNull();
    expect(percentToBp('-1')).toBeNull();
    expect(percentToBp('abc')).toBeNull();
    expect(reasonsFromText('wrong_label\nOff topic\n\nwrong_label, other')).toEqual(['wrong_label', 'off_topic', 'other']);
  });
});

describe('gold standing wording', () => {
  it('says plainly why all work is reviewed on probation', () => {
    const s = standingText({ window: 20, threshold_bp: 7000, recent: { checked: 10, correct: 5, accuracy_bp: 5000 }, on_probation: true, reason: 'x' });
    expect(s.tone).toBe('warn');
    expect(s.title).toMatch(/reviewer checks all your work/);
    expect(s.body).toContain('Your accuracy on your last 10 check items is 50 %; the project asks for 70 %.');
  });
  it('is reassuring in good standing and explains when gold is not used', () => {
    expect(standingText({ window: 20, threshold_bp: 7000, recent: { checked: 4, correct: 4, accuracy_bp: 10000 }, on_probation: false }).title).toBe('You are in good standing');
    expect(standingText({ window: 20, threshold_bp: 0, recent: { checked: 0, correct: 0, accuracy_bp: null }, on_probation: false }).tone).toBe('info');
  });
});

describe('dispute form', () => {
  it('validates the comment', () => {
    expect(disputeProblem('   ')).toMatch(/Say why/);
    expect(disputeProblem('x'.repeat(5001))).toMatch(/5000/);
    expect(disputeProblem('It is praise.')).toBeNull();
  });

  it('opens, refuses an empty comment, sends a trimmed one once', async () => {
    const send = vi.fn(async () => ({}));
    const done = vi.fn();
    render(<DisputeForm submissionId={42} onDisputed={done} send={send} />);
    fireEvent.click(screen.getByRole('button', { name: 'Dispute this rejection' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send dispute' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Say why/);
    expect(send).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Why is the rejection wrong?'), { target: { value: '  It is praise.  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send dispute' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith('It is praise.'));
    expect(send).toHaveBeenCalledWith(42, 'It is praise.');
  });

  it('explains a second dispute in plain words', async () => {
    const send = vi.fn(async () => {
      throw new ApiError(409, 'already_disputed', 'already disputed');
    });
    const done = vi.fn();
    render(<DisputeForm submissionId={1} onDisputed={done} send={send} />);
    fireEvent.click(screen.getByRole('button', { name: 'Dispute this rejection' }));
    fireEvent.change(screen.getByLabelText('Why is the rejection wrong?'), { target: { value: 'Again' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send dispute' }));
    await screen.findByText(/already disputed this rejection/);
    expect(done).toHaveBeenCalledWith('');
  });
});
