// Equity home: my holdings per model, a chart over time, my successor and my
// name on the public register.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { PageHeading } from '../pages/PageHeading';
import { Link } from '../router';
import { ErrorAlert, Notice } from '../ui';
import { useChannel } from '../live/live';
import { equityApi, type Balance, type HoldingPoint, type MyEquity } from './api';
import { fmtAmount, isZero, modelOfUnit } from './decimal';
import { EquityTabs, positiveInt, useModels } from './common';
import { HoldingsChart } from './HoldingsChart';

export interface ModelHolding {
  modelId: number;
  vested: string;
  pending: string;
  receivable: string;
}

export function holdingsFrom(balances: readonly Balance[] | null | undefined): { models: ModelHolding[]; payouts: Balance[] } {
  const by = new Map<number, ModelHolding>();
  const payouts: Balance[] = [];
  for (const b of balances ?? []) {
    const id = modelOfUnit(b.unit);
    if (id === null) {
      if (b.account.endsWith(':payout')) payouts.push(b);
      continue;
    }
    const h = by.get(id) ?? { modelId: id, vested: '0.000000', pending: '0.000000', receivable: '0.000000' };
    if (b.account.endsWith(':vested')) h.vested = b.amount;
    else if (b.account.endsWith(':pending')) h.pending = b.amount;
    else if (b.account.endsWith(':receivable')) h.receivable = b.amount;
    by.set(id, h);
  }
  return { models: [...by.values()].sort((a, b) => a.modelId - b.modelId), payouts };
}

export function EquityHomePage() {
  const { me } = useSession();
  const { models } = useModels();
  const [mine, setMine] = useState<MyEquity | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [chartModel, setChartModel] = useState<number | null>(null);
  const [points, setPoints] = useState<HoldingPoint[] | null>(null);
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const chartId = useId();

  const load = useCallback(() => {
    equityApi.me().then(
      (m) => {
        if (!alive.current) return;
        setMine(m);
        setError(null);
      },
      (e) => alive.current && setError(e as ApiError),
    );
  }, []);
  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);

  const { models: holdings, payouts } = holdingsFrom(mine?.balances);
  const selected = chartModel ?? holdings[0]?.modelId ?? null;
  const loadChart = useCallback(() => {
    if (selected === null) return;
    equityApi.holdings(selected).then(
      (p) => alive.current && setPoints(p),
      () => alive.current && setPoints([]),
    );
  }, [selected]);
  useEffect(() => {
    setPoints(null);
    loadChart();
  }, [loadChart]);

  useChannel(
    me ? `member:${me.id}` : null,
    (e) => {
      if (!e.type.startsWith('equity.')) return;
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        load();
        loadChart();
      }, 200);
    },
    {
      onReset: () => {
        load();
        loadChart();
      },
    },
  );

  const nameOf = (id: number) => models?.find((m) => m.id === id)?.name ?? `Model ${id}`;
  return (
    <>
      <PageHeading title="Equity" lead="Your units in the models your accepted work helps build, recorded on the co-op's public register." />
      <p className="small">
        <Link to="/datasets/mine">Releases your work is in, and your data</Link> · <Link to="/datasets/leaderboard">Model leaderboard</Link>
      </p>
      <EquityTabs current="mine" />
      <ErrorAlert error={error} />
      {mine === null && !error && <p className="muted">Loading your holdings…</p>}
      {mine && holdings.length === 0 && (
        <section className="empty-state" aria-labelledby="eq-empty">
          <h2 id="eq-empty">No units yet</h2>
          <p>Every accepted contribution credits you with units in the model it helps build. They will appear here.</p>
        </section>
      )}
      {holdings.length > 0 && (
        <section className="card" aria-labelledby="eq-holdings">
          <h2 id="eq-holdings">My holdings</h2>
          <div className="table-wrap">
            <table className="table eq-table">
              <caption className="visually-hidden">Units per model</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Vested units
                  </th>
                  <th scope="col" className="num">
                    Awaiting review
                  </th>
                  <th scope="col" className="no-print">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {holdings.map((h) => (
                  <tr key={h.modelId} data-testid={`holding-${h.modelId}`}>
                    <th scope="row">{nameOf(h.modelId)}</th>
                    <td className="num mono">
                      {fmtAmount(h.vested)}
                      {!isZero(h.receivable) && <span className="small muted"> (owes {fmtAmount(h.receivable)})</span>}
                    </td>
                    <td className="num mono">{fmtAmount(h.pending)}</td>
                    <td className="actions no-print">
                      <Link to={`/equity/statement?model=${h.modelId}`} className="btn btn-small" aria-label={`Statement for ${nameOf(h.modelId)}`}>
                        Statement
                      </Link>{' '}
                      <Link to={`/equity/register?model=${h.modelId}`} className="btn btn-small" aria-label={`Court roll of ${nameOf(h.modelId)}`}>
                        Court roll
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {payouts.length > 0 && (
            <p>
              Paid to you by distributions:{' '}
              {payouts.map((p, i) => (
                <span key={p.unit}>
                  {i > 0 && ', '}
                  <strong className="mono">{fmtAmount(p.amount)}</strong> {p.unit}
                </span>
              ))}
            </p>
          )}
        </section>
      )}
      {selected !== null && (
        <section className="card" aria-labelledby={`${chartId}-h`}>
          <div className="section-head">
            <h2 id={`${chartId}-h`}>Over time</h2>
            {holdings.length > 1 && (
              <div className="field eq-inline-field">
                <label htmlFor={`${chartId}-m`}>Model</label>
                <select id={`${chartId}-m`} value={selected} onChange={(e) => setChartModel(Number(e.target.value))}>
                  {holdings.map((h) => (
                    <option key={h.modelId} value={h.modelId}>
                      {nameOf(h.modelId)}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          {points === null ? <p className="muted">Loading…</p> : <HoldingsChart points={points} modelName={nameOf(selected)} />}
        </section>
      )}
      {mine && <SuccessorSection current={mine.successor_id ?? 0} onSaved={load} />}
      {mine && <PrivacySection holdings={holdings.filter((h) => !isZero(h.vested)).map((h) => h.modelId)} />}
    </>
  );
}

function SuccessorSection({ current, onSaved }: { current: number; onSaved: () => void }) {
  const { me } = useSession();
  const [value, setValue] = useState(current ? String(current) : '');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setValue(current ? String(current) : ''), [current]);
  async function save(id: number) {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      await equityApi.setSuccessor(id);
      setNotice(id ? `Member ${id} is now your successor.` : 'You have no successor now: your units would go to the co-op reserve.');
      onSaved();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const id = positiveInt(value.trim());
    if (!id) return setError('Enter the member number of your successor.');
    if (id === me?.id) return setError('You cannot be your own successor.');
    void save(id);
  }
  return (
    <section className="card no-print" aria-labelledby="eq-successor">
      <h2 id="eq-successor">Successor</h2>
      <p>
        If you leave the co-op, your vested units pass to the member you name here (when the co-op's exit rule allows it), otherwise to the co-op's reserve.{' '}
        {current ? (
          <>
            Your successor now: <strong data-testid="successor">member {current}</strong>.
          </>
        ) : (
          <>You have not named a successor.</>
        )}
      </p>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="successor-id">Successor's member number</label>
          <input id="successor-id" inputMode="numeric" pattern="[0-9]*" value={value} onChange={(e) => setValue(e.target.value)} aria-describedby="successor-hint" />
          <p className="hint" id="successor-hint">
            Member numbers are shown on the court roll next to each name.
          </p>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Name successor
        </button>
        {current > 0 && (
          <button type="button" className="btn" disabled={busy} onClick={() => void save(0)}>
            Clear
          </button>
        )}
      </form>
    </section>
  );
}

function PrivacySection({ holdings }: { holdings: number[] }) {
  const { me } = useSession();
  const [hidden, setHidden] = useState<boolean | null>(null);
  const [pseudonym, setPseudonym] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const key = holdings.join(',');
  // The server does not report the setting; read it off the court roll: holding
  // vested units but not listed under my member number means my name is hidden.
  useEffect(() => {
    let live = true;
    let stored: { hidden: boolean; pseudonym?: string } | null = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(`copyhold.privacy.${me?.id}`) ?? 'null');
    } catch {
      stored = null;
    }
    if (stored && typeof stored.hidden === 'boolean') {
      setHidden(stored.hidden);
      setPseudonym(stored.pseudonym ?? '');
      return;
    }
    if (!key || !me) return;
    Promise.all(key.split(',').map(Number).map((id) => equityApi.register(id).catch(() => null))).then((regs) => {
      if (!live) return;
      const seen = regs.filter((r) => r !== null);
      if (seen.length === 0) return;
      setHidden(!seen.some((r) => (r!.holders ?? []).some((h) => h.member_id === me.id)));
    });
    return () => {
      live = false;
    };
  }, [key, me]);
  async function save(next: boolean) {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      const r = await equityApi.setPrivacy(next);
      setHidden(r.hidden);
      setPseudonym(r.pseudonym ?? '');
      sessionStorage.setItem(`copyhold.privacy.${me?.id}`, JSON.stringify(r));
      setNotice(r.hidden ? `Other members now see you on the court roll as “${r.pseudonym ?? 'a pseudonym'}”.` : 'Your name is shown on the court roll.');
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card no-print" aria-labelledby="eq-privacy">
      <h2 id="eq-privacy">Your name on the court roll</h2>
      <p>
        The court roll is public to every member. You can appear under a pseudonym instead of your name; your units and share are shown either way.{' '}
        {hidden === true && (
          <>
            Now: <strong>hidden</strong>
            {pseudonym && <> (shown as “{pseudonym}”)</>}.
          </>
        )}
        {hidden === false && (
          <>
            Now: <strong>your name is shown</strong>.
          </>
        )}
      </p>
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div className="task-actions">
        <button type="button" className="btn" disabled={busy || hidden === true} onClick={() => void save(true)}>
          Hide my name
        </button>
        <button type="button" className="btn" disabled={busy || hidden === false} onClick={() => void save(false)}>
          Show my name
        </button>
      </div>
    </section>
  );
}
