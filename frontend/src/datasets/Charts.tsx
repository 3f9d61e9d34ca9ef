// Leaderboard charts, drawn as SVG with React (no chart library).
import type { BTRating, RubricMean, WinRates } from './api';

/** Ratings with their 95% intervals as horizontal whiskers, best first. */
export function RatingChart({ ratings }: { ratings: BTRating[] }) {
  const row = 34, left = 140, width = 560, right = 60;
  const lo = Math.min(...ratings.map((r) => r.lower)) - 10;
  const hi = Math.max(...ratings.map((r) => r.upper)) + 10;
  const x = (v: number) => left + ((v - lo) / (hi - lo || 1)) * (width - left - right);
  const h = ratings.length * row + 30;
  return (
    <svg role="img" aria-label="Bradley–Terry ratings with 95% intervals" viewBox={`0 0 ${width} ${h}`} width="100%" style={{ maxWidth: width }}>
      {ratings.map((r, i) => {
        const y = 20 + i * row;
        return (
          <g key={r.player}>
            <text x={left - 10} y={y + 4} textAnchor="end" fontSize="13">{r.player}</text>
            <line x1={x(r.lower)} x2={x(r.upper)} y1={y} y2={y} stroke="currentColor" strokeWidth="2" />
            <line x1={x(r.lower)} x2={x(r.lower)} y1={y - 6} y2={y + 6} stroke="currentColor" />
            <line x1={x(r.upper)} x2={x(r.upper)} y1={y - 6} y2={y + 6} stroke="currentColor" />
            <circle cx={x(r.score)} cy={y} r="5" fill="#2563eb" />
            <text x={x(r.upper) + 8} y={y + 4} fontSize="12">{r.score.toFixed(0)}</text>
          </g>
        );
      })}
      <line x1={x(1000)} x2={x(1000)} y1={8} y2={h - 16} stroke="#999" strokeDasharray="3 3" />
      <text x={x(1000)} y={h - 4} textAnchor="middle" fontSize="11" fill="#555">1000</text>
    </svg>
  );
}

/** Win rate of the row release against the column release, as a heat map. */
export function WinMatrix({ m }: { m: WinRates }) {
  const cell = 56, left = 120, top = 90;
  const n = m.players.length;
  const color = (r: number | null) => (r === null ? '#eee' : `hsl(${Math.round(r * 120)}, 60%, ${85 - Math.abs(r - 0.5) * 40}%)`);
  return (
    <svg role="img" aria-label="Win-rate matrix" viewBox={`0 0 ${left + n * cell + 10} ${top + n * cell + 10}`} width="100%" style={{ maxWidth: left + n * cell + 10 }}>
      {m.players.map((p, j) => (
        <text key={`c${p}`} x={left + j * cell + cell / 2} y={top - 8} fontSize="12" textAnchor="start" transform={`rotate(-40 ${left + j * cell + cell / 2} ${top - 8})`}>{p}</text>
      ))}
      {m.players.map((p, i) => (
        <g key={`r${p}`}>
          <text x={left - 8} y={top + i * cell + cell / 2 + 4} fontSize="12" textAnchor="end">{p}</text>
          {m.players.map((q, j) => {
            const r = i === j ? null : m.rate[i][j];
            return (
              <g key={q}>
                <rect x={left + j * cell} y={top + i * cell} width={cell - 2} height={cell - 2} fill={color(r)}>
                  <title>{i === j ? p : `${p} vs ${q}: ${r === null ? 'never met' : `${Math.round(r * 100)}% of ${m.games[i][j]}`}`}</title>
                </rect>
                <text x={left + j * cell + cell / 2 - 1} y={top + i * cell + cell / 2 + 4} fontSize="12" textAnchor="middle">
                  {i === j ? '—' : r === null ? '' : `${Math.round(r * 100)}%`}
                </text>
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}

/** Rubric means per release and criterion with t intervals. */
export function RubricChart({ means }: { means: RubricMean[] }) {
  const row = 26, left = 220, width = 600;
  const lo = Math.min(...means.map((m) => m.lower), 0);
  const hi = Math.max(...means.map((m) => m.upper), 1);
  const x = (v: number) => left + ((v - lo) / (hi - lo || 1)) * (width - left - 40);
  return (
    <svg role="img" aria-label="Rubric means with 95% intervals" viewBox={`0 0 ${width} ${means.length * row + 20}`} width="100%" style={{ maxWidth: width }}>
      {means.map((m, i) => {
        const y = 16 + i * row;
        return (
          <g key={`${m.release}/${m.criterion}`}>
            <text x={left - 10} y={y + 4} textAnchor="end" fontSize="12">{`${m.release} · ${m.criterion}`}</text>
            <rect x={x(lo)} y={y - 7} width={Math.max(0, x(m.mean) - x(lo))} height="14" fill="#93c5fd" />
            {m.interval && <line x1={x(m.lower)} x2={x(m.upper)} y1={y} y2={y} stroke="currentColor" strokeWidth="2" />}
            <text x={x(hi) + 4} y={y + 4} fontSize="11">{`${m.mean.toFixed(2)} (n=${m.n})`}</text>
          </g>
        );
      })}
    </svg>
  );
}
