// My holdings over time: a hand-drawn SVG step chart (vested solid, pending
// dashed) with the numbers in a table underneath for screen readers.
import { useId } from 'react';
import type { HoldingPoint } from './api';
import { fmtAmount } from './decimal';
import { HOLDINGS_BOX, holdingsChart } from './shape';
import { todayUTC } from './common';

export function HoldingsChart({ points, modelName }: { points: HoldingPoint[]; modelName: string }) {
  const id = useId();
  const box = HOLDINGS_BOX;
  const c = holdingsChart(points, box, todayUTC());
  if (c.points.length === 0) return <p className="muted">No movements yet in {modelName}.</p>;
  const last = c.points[c.points.length - 1];
  const title = `Your units in ${modelName} over time`;
  const desc = `${c.points.length} day${c.points.length === 1 ? '' : 's'} with movements from ${c.points[0].day} to ${last.day}; now ${last.vested} vested and ${last.pending} awaiting review.`;
  return (
    <figure className="eq-chart">
      <svg viewBox={`0 0 ${box.width} ${box.height}`} className="eq-svg" role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{desc}</desc>
        {c.yTicks.map((t) => (
          <g key={t.label}>
            <line x1={box.left} x2={box.width - box.right} y1={t.y} y2={t.y} className="eq-grid" />
            <text x={box.left - 6} y={t.y + 4} textAnchor="end" className="eq-axis">
              {t.label}
            </text>
          </g>
        ))}
        {c.xTicks.map((t, i) => (
          <text key={t.label} x={t.x} y={box.height - 8} textAnchor={i === 0 ? 'start' : 'end'} className="eq-axis">
            {t.label}
          </text>
        ))}
        <path d={c.pendingPath} className="eq-line-pending" fill="none" />
        <path d={c.vestedPath} className="eq-line-vested" fill="none" />
        {c.points.map((p) => (
          <circle key={p.day} cx={p.x} cy={p.yVested} r={3.5} className="eq-dot">
            <title>{`${p.day}: ${p.vested} vested, ${p.pending} awaiting review`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="small muted">
        <span className="eq-key eq-key-vested" aria-hidden="true" /> vested <span className="eq-key eq-key-pending" aria-hidden="true" /> awaiting review (end of each day, UTC)
      </figcaption>
      <details className="eq-data">
        <summary>Show the numbers</summary>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Vested
                </th>
                <th scope="col" className="num">
                  Awaiting review
                </th>
              </tr>
            </thead>
            <tbody>
              {c.points.map((p) => (
                <tr key={p.day}>
                  <th scope="row">{p.day}</th>
                  <td className="num mono">{fmtAmount(p.vested)}</td>
                  <td className="num mono">{fmtAmount(p.pending)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
