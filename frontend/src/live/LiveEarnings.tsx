// The labeller's calm, live counter of accepted work and units: balances from
// the register, refreshed when a review lands on member:<id>. No pressure, no
// confetti: one quiet line that screen readers hear politely.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSession } from '../auth';
import { Link } from '../router';
import { equityApi, type Balance } from '../equity/api';
import { fmtAmount, isZero, modelOfUnit, signedAmount } from '../equity/decimal';
import { labelApi } from '../labeling/api';
import { useChannel, type LiveEvent } from './live';

interface ModelUnits {
  modelId: number;
  vested: string;
  pending: string;
}

export function unitsByModel(balances: readonly Balance[] | null | undefined): ModelUnits[] {
  const out = new Map<number, ModelUnits>();
  for (const b of balances ?? []) {
    const id = modelOfUnit(b.unit);
    if (id === null) continue;
    const m = out.get(id) ?? { modelId: id, vested: '0.000000', pending: '0.000000' };
    if (b.account.endsWith(':vested')) m.vested = b.amount;
    else if (b.account.endsWith(':pending')) m.pending = b.amount;
    out.set(id, m);
  }
  return [...out.values()].sort((a, b) => a.modelId - b.modelId);
}

/** The sentence for one live equity event, or null when it is not news for this counter. */
export function describeEquityEvent(e: LiveEvent, modelName: (id: number) => string): string | null {
  const p = e.payload;
  const model = typeof p.model_id === 'number' ? modelName(p.model_id) : 'the model';
  const sub = typeof p.submission_id === 'number' ? ` (submission ${p.submission_id})` : '';
  const amt = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'equity.vested':
      return `${signedAmount(amt(p.vested))} units in ${model} — a reviewer accepted your work${sub}.`;
    case 'equity.corrected':
      return `${signedAmount(amt(p.vested))} units in ${model} — a reviewer corrected your work${sub}.`;
    case 'equity.voided':
      return `No units for a rejected submission${sub}; its ${amt(p.pending)} pending units in ${model} were released.`;
    case 'equity.credited':
      return p.state === 'vested'
        ? `${signedAmount(amt(p.amount))} units in ${model} for a review decision.`
        : `${fmtAmount(amt(p.amount))} units in ${model} credited, awaiting review${sub}.`;
    case 'equity.transferred':
      return `A transfer of ${fmtAmount(amt(p.amount))} units in ${model} was recorded.`;
    default:
      return null;
  }
}

export function LiveEarnings({ modelId }: { modelId?: number }) {
  const { me } = useSession();
  const [units, setUnits] = useState<ModelUnits[] | null>(null);
  const [names, setNames] = useState<Record<number, string>>({});
  const [update, setUpdate] = useState('');
  const [accepted, setAccepted] = useState(0);
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    equityApi.me().then(
      (r) => alive.current && setUnits(unitsByModel(r.balances)),
      () => alive.current && setUnits((u) => u ?? []),
    );
  }, []);
  useEffect(() => {
    alive.current = true;
    load();
    labelApi.models().then(
      (ms) => alive.current && setNames(Object.fromEntries(ms.map((m) => [m.id, m.name]))),
      () => {},
    );
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);

  const later = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(load, 150);
  }, [load]);

  const nameOf = (id: number) => names[id] ?? `model ${id}`;
  useChannel(
    me ? `member:${me.id}` : null,
    (e) => {
      if (!e.type.startsWith('equity.')) return;
      if (modelId && typeof e.payload.model_id === 'number' && e.payload.model_id !== modelId) {
        later();
        return;
      }
      const text = describeEquityEvent(e, nameOf);
      if (text) setUpdate(text);
      if (e.type === 'equity.vested' || e.type === 'equity.corrected') setAccepted((n) => n + 1);
      later();
    },
    { onReset: load },
  );

  const shown = (units ?? []).filter((u) => (modelId ? u.modelId === modelId : true) && (!isZero(u.vested) || !isZero(u.pending)));
  return (
    <section className="live-earnings" aria-label="Your units">
      {units === null ? (
        <p className="muted small">Loading your units…</p>
      ) : shown.length === 0 ? (
        <p className="muted small">No units yet: accepted work earns units in the model it helps build.</p>
      ) : (
        <ul className="le-list">
          {shown.map((u) => (
            <li key={u.modelId} data-testid={`units-${u.modelId}`}>
              <span className="le-model">{nameOf(u.modelId)}</span>: <strong>{fmtAmount(u.vested)}</strong> units vested
              {!isZero(u.pending) && (
                <>
                  {' '}
                  · <span>{fmtAmount(u.pending)}</span> awaiting review
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="le-update" role="status" aria-live="polite" data-testid="live-units-update">
        {update}
        {accepted > 0 && <span className="muted"> Accepted since you opened this page: {accepted}.</span>}
      </p>
      <p className="small">
        <Link to="/equity">Your equity statement</Link>
      </p>
    </section>
  );
}
