// A small hand-drawn SVG line chart and the pairwise agreement heatmap (a
// table: every cell has an accessible label, n/a cells say why in a title).
import { useId } from 'react';
import { pct, type DayAgreement, type LabellerStats, type PairCell } from '../review/api';
import { DEFAULT_BOX, fmtValue, heatmap, lineChart } from './charts';

export function AgreementChart({ days, title }: { days: DayAgreement[] | null | undefined; title: string }) {
  const id = useId();
  const box = DEFAULT_BOX;
  const c = lineChart(days, box);
  if (c.points.length === 0) return <p className="muted">No scored items yet: the chart appears once items have been answered by enough labellers.</p>;
  const last = c.points[c.points.length - 1];
  const desc = `${c.points.length} day${c.points.length === 1 ? '' : 's'} from ${c.points[0].day} to ${last.day}; latest ${pct(last.bp)} over ${last.items} items.`;
  return (
    <figure className="q-chart">
      <svg viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="q-svg" preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{desc}</desc>
        {c.yTicks.map((t) => (
          <g key={t.label}>
            <line x1={box.left} x2={box.width - box.right} y1={t.y} y2={t.y} className="q-grid" />
            <text x={box.left - 6} y={t.y + 4} textAnchor="end" className="q-axis">
              {t.label}
            </text>
          </g>
        ))}
        {c.zeroY !== null && <line x1={box.left} x2={box.width - box.right} y1={c.zeroY} y2={c.zeroY} className="q-zero" />}
        {c.xTicks.map((t) => (
          <text key={t.label + t.x} x={t.x} y={box.height - box.bottom + 18} textAnchor="middle" className="q-axis">
            {t.label}
          </text>
        ))}
        <path d={c.path} className="q-line" fill="none" />
        {c.points.map((p) => (
          <circle key={p.day} cx={p.x} cy={p.y} r={3.5} className="q-dot">
            <title>{`${p.day}: ${pct(p.bp)} over ${p.items} items`}</title>
          </circle>
        ))}
      </svg>
      <details className="q-data">
        <summary>Show the numbers</summary>
        <table className="table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Items</th>
              <th scope="col">Agreement</th>
            </tr>
          </thead>
          <tbody>
            {c.points.map((p) => (
              <tr key={p.day}>
                <th scope="row">{p.day}</th>
                <td>{p.items}</td>
                <td>{pct(p.bp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function PairHeatmap({ pairs, labellers, metric }: { pairs: PairCell[] | null | undefined; labellers: LabellerStats[] | null | undefined; metric: string }) {
  const h = heatmap(pairs, labellers);
  if (h.members.length < 2) return <p className="muted">Pairwise agreement needs at least two labellers who answered the same items.</p>;
  return (
    <div className="table-wrap" role="region" aria-label="Pairwise agreement table (scrolls sideways)" tabIndex={0}>
      <table className="q-heat">
        <caption className="visually-hidden">Pairwise labeller agreement ({metric}); n/a where it is undefined</caption>
        <thead>
          <tr>
            <td />
            {h.members.map((m) => (
              <th scope="col" key={m.id}>
                {m.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {h.rows.map((row, i) => (
            <tr key={h.members[i].id}>
              <th scope="row">{h.members[i].name}</th>
              {row.map((c, j) => {
                const other = h.members[j].name;
                if (c.bucket === -2)
                  return (
                    <td key={c.b} className="q-heat-self" aria-label={`${h.members[i].name} with themselves: not compared`}>
                      —
                    </td>
                  );
                const label =
                  c.value === null
                    ? `${h.members[i].name} and ${other}: n/a (${c.reason})`
                    : `${h.members[i].name} and ${other}: ${fmtValue(c.value)} over ${c.units} item${c.units === 1 ? '' : 's'}`;
                return (
                  <td key={c.b} className={`q-heat-${c.bucket < 0 ? 'na' : c.bucket}`} title={c.value === null ? c.reason : `${c.units} items`} aria-label={label}>
                    {fmtValue(c.value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint q-legend">
        <span className="q-heat-0 q-key">&lt; 0</span>
        <span className="q-heat-1 q-key">0–0.2</span>
        <span className="q-heat-2 q-key">0.2–0.4</span>
        <span className="q-heat-3 q-key">0.4–0.6</span>
        <span className="q-heat-4 q-key">0.6–0.8</span>
        <span className="q-heat-5 q-key">≥ 0.8</span>
        <span className="q-heat-na q-key">n/a (the reason is in the cell’s tooltip)</span>
      </p>
    </div>
  );
}
