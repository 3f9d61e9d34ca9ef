// Transfer vested units to another member. The fee (from governance, rounded
// up, paid to the co-op reserve) is shown before anything is sent.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { PageHeading } from '../pages/PageHeading';
import { ErrorAlert, Notice } from '../ui';
import { equityApi, type GovernanceView, type MyEquity, type Register } from './api';
import { bpToPercent, compareDecimals, feeFor, fmtAmount, formatDecimal, isZero, parseDecimal, sumDecimals } from './decimal';
import { EquityTabs, positiveInt, useModels, useQuery } from './common';
import { holdingsFrom } from './Holdings';
import { ChangedBy } from '../votes/Provenance';

function newKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

interface Draft {
  modelId: number;
  to: number;
  toName: string;
  amount: string;
  fee: string;
  total: string;
  after: string;
  reason: string;
}

export function TransferPage() {
  const { me } = useSession();
  const { models } = useModels();
  const [q] = useQuery();
  const [mine, setMine] = useState<MyEquity | null>(null);
  const [gov, setGov] = useState<GovernanceView | null>(null);
  const [reg, setReg] = useState<Register | null>(null);
  const [modelId, setModelId] = useState<number | null>(positiveInt(q.get('model')));
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const key = useRef(newKey());
  const confirmRef = useRef<HTMLButtonElement>(null);

  const reload = () => {
    equityApi.me().then(setMine, setError);
    equityApi.governance().then(setGov, () => setGov(null));
  };
  useEffect(reload, []);
  const holdings = holdingsFrom(mine?.balances).models.filter((h) => !isZero(h.vested) && !h.vested.startsWith('-'));
  const selected = modelId ?? holdings[0]?.modelId ?? null;
  useEffect(() => {
    if (selected === null) return;
    let current = true; // a slow answer for the model chosen before is dropped
    equityApi.register(selected).then(
      (r) => current && setReg(r),
      () => current && setReg(null),
    );
    return () => {
      current = false;
    };
  }, [selected]);
  useEffect(() => {
    if (draft) confirmRef.current?.focus();
  }, [draft]);

  const vested = holdings.find((h) => h.modelId === selected)?.vested ?? '0.000000';
  const others = (reg?.holders ?? []).filter((h) => h.member_id !== undefined && h.member_id !== me?.id);
  const nameOf = (id: number) => models?.find((m) => m.id === id)?.name ?? `Model ${id}`;
  const bp = gov?.transfer_fee_bp ?? 0;

  function review(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice('');
    if (selected === null) return setError('You have no vested units to transfer.');
    const toId = positiveInt(to.trim());
    if (!toId) return setError('Enter the member number of the recipient.');
    if (toId === me?.id) return setError('You cannot transfer units to yourself.');
    const a = parseDecimal(amount);
    if (a === null) return setError('Enter an amount like 1.5 (at most 6 decimals).');
    if (a <= 0n) return setError('The amount must be more than zero.');
    if (!reason.trim()) return setError('Say why you transfer the units: it is recorded on the register.');
    const amt = formatDecimal(a);
    const fee = feeFor(amt, bp) ?? '0.000000';
    const total = sumDecimals([amt, fee]);
    if (compareDecimals(total, vested) > 0) return setError(`You hold ${fmtAmount(vested)} vested units; the transfer and its fee need ${fmtAmount(total)}.`);
    const name = others.find((h) => h.member_id === toId)?.name;
    setDraft({
      modelId: selected,
      to: toId,
      toName: name ? `${name} (member ${toId})` : `member ${toId}`,
      amount: amt,
      fee,
      total,
      after: sumDecimals([vested, '-' + total]),
      reason: reason.trim(),
    });
  }

  async function send() {
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      const t = await equityApi.transfer({ idempotency_key: key.current, model_id: draft.modelId, to: draft.to, amount: draft.amount, reason: draft.reason });
      setNotice(`Sent ${fmtAmount(draft.amount)} units of ${nameOf(draft.modelId)} to ${draft.toName} (register entry ${t.id}).`);
      key.current = newKey();
      setDraft(null);
      setAmount('');
      setReason('');
      reload();
      if (selected !== null) equityApi.register(selected).then(setReg, () => {});
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading title="Transfer units" lead="Give some of your vested units in a model to another member of the co-op." />
      <EquityTabs current="transfer" />
      <ErrorAlert error={error} />
      {notice && <Notice>{notice}</Notice>}
      {mine && holdings.length === 0 && <p className="muted">You have no vested units to transfer yet.</p>}
      {holdings.length > 0 && !draft && (
        <form className="card narrow-form" onSubmit={review} aria-labelledby="tr-h">
          <h2 id="tr-h">What to send</h2>
          <div className="field">
            <label htmlFor="tr-model">Model</label>
            <select
              id="tr-model"
              value={selected ?? ''}
              onChange={(e) => {
                setModelId(Number(e.target.value));
                setDraft(null);
              }}
            >
              {holdings.map((h) => (
                <option key={h.modelId} value={h.modelId}>
                  {nameOf(h.modelId)} — {fmtAmount(h.vested)} vested
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tr-to">Recipient's member number</label>
            <input id="tr-to" inputMode="numeric" list="tr-holders" value={to} onChange={(e) => setTo(e.target.value)} aria-describedby="tr-to-hint" autoComplete="off" />
            <datalist id="tr-holders">
              {others.map((h) => (
                <option key={h.member_id} value={String(h.member_id)}>
                  {h.name}
                </option>
              ))}
            </datalist>
            <p className="hint" id="tr-to-hint">
              Numbers are on the court roll next to each name. The recipient must be an active member.
            </p>
          </div>
          <div className="field">
            <label htmlFor="tr-amount">Units</label>
            <input id="tr-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-describedby="tr-amount-hint" autoComplete="off" />
            <p className="hint" id="tr-amount-hint">
              Up to 6 decimals. The co-op charges a transfer fee of {bpToPercent(bp)}, rounded up, paid into the co-op reserve on top of the amount.
              {gov?.proposal_id ? (
                <>
                  {' '}
                  The fee was set by the members’ vote: <ChangedBy proposalId={gov.proposal_id} at={gov.created_at} />.
                </>
              ) : null}
            </p>
          </div>
          <div className="field">
            <label htmlFor="tr-reason">Why (recorded on the register)</label>
            <input id="tr-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </div>
          <button type="submit" className="btn btn-primary">
            Review transfer
          </button>
        </form>
      )}
      {draft && (
        <section className="card narrow-form" aria-labelledby="tr-confirm">
          <h2 id="tr-confirm">Confirm the transfer</h2>
          <dl className="facts" data-testid="transfer-summary">
            <dt>Model</dt>
            <dd>{nameOf(draft.modelId)}</dd>
            <dt>To</dt>
            <dd>{draft.toName}</dd>
            <dt>Amount</dt>
            <dd className="mono">{fmtAmount(draft.amount)}</dd>
            <dt>Fee ({bpToPercent(bp)}, to the reserve)</dt>
            <dd className="mono" data-testid="transfer-fee">
              {fmtAmount(draft.fee)}
            </dd>
            <dt>Leaves your holding</dt>
            <dd className="mono">{fmtAmount(draft.total)}</dd>
            <dt>Your vested units after</dt>
            <dd className="mono">{fmtAmount(draft.after)}</dd>
            <dt>Reason</dt>
            <dd>{draft.reason}</dd>
          </dl>
          <p className="small muted">Transfers are final: the register is append-only.</p>
          <div className="task-actions">
            <button type="button" className="btn btn-primary" ref={confirmRef} disabled={busy} onClick={() => void send()}>
              {busy ? 'Sending…' : `Send ${fmtAmount(draft.amount)} units`}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => setDraft(null)}>
              Back
            </button>
          </div>
        </section>
      )}
    </>
  );
}
