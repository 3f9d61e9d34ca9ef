// The what-if preview: members' earnings over the last 30 and 90 days under
// the current rule and the proposed one, median and "you" marked, and the
// effect on the reserve. Hand-drawn SVG; the numbers in a table underneath.
import { useId } from 'react';
import { fmtAmount } from '../equity/decimal';
import type { Preview, PreviewWindow } from './api';
import { delta, PREVIEW_BOX, previewShape, reserveBars } from './chart';
import { H } from './Heading';

function WindowChart({ w, level }: { w: PreviewWindow; level: number }) {
  const id = useId();
  const box = PREVIEW_BOX;
  const c = previewShape(w, box);
  const n = c.points.length;
  const title = `Members’ earnings over the last ${w.days} days, current rule against proposed rule`;
  const parts = [`${n} member${n === 1 ? '' : 's'} earned units`];
  if (w.median) parts.push(`median member ${w.median.current} now, ${w.median.proposed} proposed`);
  if (w.you) parts.push(`you ${w.you.current} now, ${w.you.proposed} proposed`);
  if (w.reserve) parts.push(`reserve ${w.reserve.current} now, ${w.reserve.proposed} proposed`);
  const desc = parts.join('; ') + '.';
  const bars = reserveBars(w.reserve ?? null, 200);
  return (
    <div className="vt-window" data-testid={`preview-${w.days}`}>
      <H level={level} className="vt-window-h">
        Last {w.days} days
      </H>
      {n === 0 ? (
        <p className="muted small">No member earned units in these {w.days} days, so there is nothing to compare.</p>
      ) : (
        <svg viewBox={`0 0 ${box.width} ${box.height}`} className="eq-svg vt-svg" role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
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
          <text x={box.left} y={box.height - 8} className="eq-axis">
            least earned
          </text>
          <text x={box.width - box.right} y={box.height - 8} textAnchor="end" className="eq-axis">
            most earned
          </text>
          {c.median && (
            <g>
              <line x1={box.left} x2={box.width - box.right} y1={c.median.yCurrent} y2={c.median.yCurrent} className="vt-median-now" />
              <line x1={box.left} x2={box.width - box.right} y1={c.median.yProposed} y2={c.median.yProposed} className="vt-median-new" />
              <text x={box.left + 4} y={Math.min(c.median.yCurrent, c.median.yProposed) - 4} className="eq-axis">
                median
              </text>
            </g>
          )}
          {c.currentPath && <path d={c.currentPath} className="eq-line-pending" fill="none" />}
          {c.proposedPath && <path d={c.proposedPath} className="eq-line-vested" fill="none" />}
          {c.points.map((p) => (
            <g key={p.i}>
              <circle cx={p.x} cy={p.yCurrent} r={3} className="vt-dot-now">
                <title>{`Member ${p.i + 1} of ${n}: ${p.current} now`}</title>
              </circle>
              <circle cx={p.x} cy={p.yProposed} r={3} className="eq-dot">
                <title>{`Member ${p.i + 1} of ${n}: ${p.proposed} proposed`}</title>
              </circle>
            </g>
          ))}
          {c.you && (
            <g className="vt-you">
              <line x1={c.you.x} x2={c.you.x} y1={c.you.yCurrent} y2={c.you.yProposed} className="vt-you-line" />
              <circle cx={c.you.x} cy={c.you.yProposed} r={7} className="vt-you-ring" fill="none" />
              <text x={c.you.x} y={Math.max(box.top + 10, Math.min(c.you.yCurrent, c.you.yProposed) - 10)} textAnchor="middle" className="vt-you-label">
                you
              </text>
            </g>
          )}
        </svg>
      )}
      {w.reserve && (
        <div className="vt-reserve">
          <p className="small">
            Reserve: <span className="mono">{fmtAmount(w.reserve.current)}</span> now → <span className="mono">{fmtAmount(w.reserve.proposed)}</span> proposed (
            <span className="mono">{delta(w.reserve)}</span>)
          </p>
          <svg viewBox="0 0 260 26" className="vt-reserve-svg" aria-hidden="true">
            <text x={0} y={10} className="eq-axis">
              now
            </text>
            <rect x={56} y={2} height={9} width={Math.max(bars.current, 1)} className="vt-bar-now" />
            <text x={0} y={24} className="eq-axis">
              proposed
            </text>
            <rect x={56} y={15} height={9} width={Math.max(bars.proposed, 1)} className="vt-bar-new" />
          </svg>
        </div>
      )}
      {w.you && (
        <p className="small">
          You: <span className="mono">{fmtAmount(w.you.current)}</span> now → <span className="mono">{fmtAmount(w.you.proposed)}</span> proposed (
          <span className="mono">{delta(w.you)}</span>)
        </p>
      )}
    </div>
  );
}

function NumbersTable({ w }: { w: PreviewWindow }) {
  const rows: { label: string; current: string; proposed: string }[] = [];
  if (w.median) rows.push({ label: 'Median member', ...w.median });
  if (w.you) rows.push({ label: 'You', ...w.you });
  if (w.reserve) rows.push({ label: 'Co-op reserve', ...w.reserve });
  (w.members ?? []).forEach((m, i) => rows.push({ label: `Member ${i + 1} (by earnings now)`, ...m }));
  return (
    <div className="table-wrap">
      <table className="table eq-table">
        <caption>Last {w.days} days</caption>
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col" className="num">
              Current rule
            </th>
            <th scope="col" className="num">
              Proposed rule
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td className="num mono">{fmtAmount(r.current)}</td>
              <td className="num mono">{fmtAmount(r.proposed)}</td>
              <td className="num mono">{delta(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PreviewChart({ preview, level = 4 }: { preview: Preview; level?: number }) {
  if (!preview.applies) return <p className="muted small">This proposal changes no money or units, so there is no earnings preview.</p>;
  const windows = [...(preview.windows ?? [])].sort((a, b) => a.days - b.days);
  if (windows.length === 0) return <p className="muted small">No preview is available for this proposal.</p>;
  return (
    <figure className="vt-preview" data-testid="preview-chart">
      <div className="vt-windows">
        {windows.map((w) => (
          <WindowChart key={w.days} w={w} level={level} />
        ))}
      </div>
      <figcaption className="small muted">
        Each dot is one member, sorted by what they earned under the current rule. <span className="eq-key eq-key-pending" aria-hidden="true" /> current rule{' '}
        <span className="eq-key" aria-hidden="true" /> proposed rule; the ringed point is you. Recomputed from the register’s own history.
      </figcaption>
      <details className="eq-data">
        <summary>Show the numbers</summary>
        {windows.map((w) => (
          <NumbersTable key={w.days} w={w} />
        ))}
      </details>
    </figure>
  );
}
