// The statement's grouped tables: one row per item or per day, two decimals
// shown and the full six on hover.
import { useId, useState, type ReactNode } from 'react';
import { formatDate } from '../ui';
import type { StatementLine } from './api';
import { fmtAmount, isZero, signedAmount, toPlaces } from './decimal';
import { GROUPINGS, groupStatement, type StatementGrouping, type StatementRow } from './statementRows';

/** An amount at two decimals, with the exact six as its title. */
export function Units({ value, signed = true, testId }: { value: string; signed?: boolean; testId?: string }) {
  const short = toPlaces(value);
  return (
    <span title={`${signed ? signedAmount(value) : value} units`} data-testid={testId} data-exact={value}>
      {signed ? signedAmount(short) : fmtAmount(short)}
    </span>
  );
}

/** The button that shows or hides a submission's details row. */
export function DetailsToggle({ open, onToggle, controls, submission }: { open: boolean; onToggle: () => void; controls: string; submission: number }) {
  return (
    <button
      type="button"
      className="btn btn-small no-print"
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
      aria-label={`${open ? 'Hide details of' : 'Details of'} submission ${submission}`}
    >
      {open ? 'Hide' : 'Details'}
    </button>
  );
}

export function GroupingPicker({ value, onChange }: { value: StatementGrouping; onChange: (g: StatementGrouping) => void }) {
  return (
    <fieldset className="checks st-grouping no-print">
      <legend>Show</legend>
      {GROUPINGS.map((g) => (
        <label key={g.value} className="check">
          <input type="radio" name="st-grouping" value={g.value} checked={value === g.value} onChange={() => onChange(g.value)} /> {g.label}
        </label>
      ))}
    </fieldset>
  );
}

export function GroupedLines({ lines, by, details }: { lines: readonly StatementLine[]; by: Exclude<StatementGrouping, 'entry'>; details: (l: StatementLine) => ReactNode }) {
  const rows = groupStatement(lines, by).reverse(); // newest first: what a member looks for
  return (
    <div className="table-wrap">
      <table className="table eq-table st-rows">
        <caption className="visually-hidden">{by === 'item' ? 'One row per item, newest first' : 'One row per day, newest first'}</caption>
        <thead>
          <tr>
            <th scope="col">{by === 'day' ? 'Day (UTC)' : 'When'}</th>
            <th scope="col">What</th>
            <th scope="col" className="num">
              Units
            </th>
            <th scope="col" className="num">
              Awaiting review
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row key={r.key} row={r} by={by} details={details} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row({ row, by, details }: { row: StatementRow; by: 'item' | 'day'; details: (l: StatementLine) => ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const sub = by === 'item' ? row.lines[0].cause?.submission_id : undefined;
  return (
    <>
      <tr className={!isZero(row.pending) ? 'st-pending' : undefined} data-testid={`row-${row.key}`}>
        <td className="nowrap">{by === 'day' ? row.key : formatDate(row.at)}</td>
        <td>
          {row.what || '—'}
          {row.state && <span className={`tag st-tag st-state-${row.state.replace(/\s+/g, '-')}`}>{row.state}</span>}
          {sub ? (
            <>
              {' '}
              <DetailsToggle open={open} onToggle={() => setOpen((o) => !o)} controls={`${id}-d`} submission={sub} />
            </>
          ) : null}
        </td>
        <td className="num mono">
          <Units value={row.holding} />
        </td>
        <td className="num mono">{isZero(row.pending) ? '' : <Units value={row.pending} />}</td>
      </tr>
      {sub && open ? (
        <tr className="st-drill no-print">
          <td colSpan={4} id={`${id}-d`}>
            {details(row.lines[row.lines.length - 1])}
          </td>
        </tr>
      ) : null}
    </>
  );
}
