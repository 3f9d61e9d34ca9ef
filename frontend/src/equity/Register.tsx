// The court roll: the public register of one model — holders with units and
// share (pseudonyms respected), governance and rate-card history, the
// distributions, and the register's head hash.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { PageHeading } from '../pages/PageHeading';
import { ErrorAlert, formatDate } from '../ui';
import { useChannel } from '../live/live';
import { labelApi } from '../labeling/api';
import { equityApi, type GovernanceRow, type RateCardRow, type Register } from './api';
import { bpToPercent, fmtAmount, fractionToPercent, minorToDecimal } from './decimal';
import { EquityTabs, HeadHash, positiveInt, useModels, useQuery } from './common';
import { ChangedBy } from '../votes/Provenance';
import { VerifierKeyPanel, WitnessPanel } from './roll/RollStatus';

export const EXIT_RULE_TEXT: Record<string, string> = {
  successor_else_reserve: 'to the successor, else the reserve',
  reserve: 'always to the reserve',
};

export type HistoryEntry = { kind: 'governance'; at: string; row: GovernanceRow } | { kind: 'rate_card'; at: string; row: RateCardRow };

/** Governance versions and rate cards as one timeline, newest first. */
export function governanceTimeline(reg: Pick<Register, 'governance' | 'rate_cards'>): HistoryEntry[] {
  const out: HistoryEntry[] = [
    ...(reg.governance ?? []).map((row) => ({ kind: 'governance' as const, at: row.created_at, row })),
    ...(reg.rate_cards ?? []).map((row) => ({ kind: 'rate_card' as const, at: row.created_at, row })),
  ];
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export function RegisterPage() {
  const { me } = useSession();
  const { models } = useModels();
  const [q, setQ] = useQuery();
  const modelId = positiveInt(q.get('model')) ?? models?.[0]?.id ?? null;
  const [reg, setReg] = useState<Register | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [projects, setProjects] = useState<Record<number, string>>({});
  const alive = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    if (modelId === null) return;
    equityApi.register(modelId).then(
      (r) => {
        if (!alive.current) return;
        setReg(r);
        setError(null);
      },
      (e) => alive.current && setError(e as ApiError),
    );
  }, [modelId]);
  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  useEffect(() => {
    labelApi.projects().then(
      (ps) => alive.current && setProjects(Object.fromEntries(ps.map((p) => [p.id, p.name]))),
      () => {},
    );
  }, []);
  const later = (e: { type: string }) => {
    // A proposal's close may execute a new rule version (governance, rate card).
    if (!e.type.startsWith('equity.') && e.type !== 'proposal.closed') return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(load, 200);
  };
  useChannel('coop', later, { onReset: load });
  useChannel(me ? `member:${me.id}` : null, later, { onReset: load });

  const names: Record<number, string> = {};
  for (const h of reg?.holders ?? []) if (h.member_id !== undefined) names[h.member_id] = h.name;
  const who = (id?: number) => (id ? (id === me?.id ? 'you' : names[id] ? `${names[id]} (member ${id})` : `member ${id}`) : 'the system');

  return (
    <>
      <PageHeading title="Court roll" lead="The co-op's public register: who holds units in each model, how the rules were set, and what was distributed." />
      <EquityTabs current="register" />
      {models && models.length > 1 && (
        <div className="field eq-inline-field no-print">
          <label htmlFor="reg-model">Model</label>
          <select id="reg-model" value={modelId ?? ''} onChange={(e) => setQ({ model: e.target.value })}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <ErrorAlert error={error} />
      {!reg && !error && <p className="muted">Loading the register…</p>}
      {models && models.length === 0 && <p className="muted">The co-op has no models yet.</p>}
      {reg && (
        <>
          <section className="card" aria-labelledby="reg-holders">
            <h2 id="reg-holders">Holders of {reg.model_name}</h2>
            <dl className="facts eq-totals">
              <dt>Units issued</dt>
              <dd className="mono">{fmtAmount(reg.issued)}</dd>
              <dt>Vested with members</dt>
              <dd className="mono">{fmtAmount(reg.vested)}</dd>
              <dt>Awaiting review</dt>
              <dd className="mono">{fmtAmount(reg.pending)}</dd>
              <dt>Co-op reserve</dt>
              <dd className="mono">{fmtAmount(reg.reserve)}</dd>
            </dl>
            {(reg.holders ?? []).length === 0 ? (
              <p className="muted">No member holds vested units in this model yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="table eq-table" data-testid="holders">
                  <caption className="visually-hidden">Holders with their units and share of all issued units</caption>
                  <thead>
                    <tr>
                      <th scope="col">Holder</th>
                      <th scope="col" className="num">
                        Units
                      </th>
                      <th scope="col" className="num">
                        Share of issued
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {(reg.holders ?? []).map((h, i) => (
                      <tr key={h.member_id ?? `p-${h.name}-${i}`} className={h.member_id === me?.id ? 'eq-me' : undefined}>
                        <th scope="row">
                          {h.name}
                          {h.member_id !== undefined ? <span className="muted small"> · member {h.member_id}</span> : <span className="muted small"> · pseudonym</span>}
                          {h.member_id === me?.id && <span className="tag tag-self">you</span>}
                        </th>
                        <td className="num mono">{fmtAmount(h.units)}</td>
                        <td className="num mono">{fractionToPercent(h.share)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="reg-dist">
            <h2 id="reg-dist">Distributions</h2>
            {(reg.distributions ?? []).length === 0 ? (
              <p className="muted">No revenue has been distributed for this model yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="table eq-table">
                  <caption className="visually-hidden">Revenue distributed to holders</caption>
                  <thead>
                    <tr>
                      <th scope="col">Recorded</th>
                      <th scope="col">Source</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col" className="num">
                        To the reserve
                      </th>
                      <th scope="col">Record date</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(reg.distributions ?? []).map((d) => (
                      <tr key={d.tx_id}>
                        <td>{formatDate(d.created_at)}</td>
                        <td>{d.source}</td>
                        <td className="num mono">
                          {fmtAmount(d.amount)} {d.currency}
                        </td>
                        <td className="num mono">
                          {fmtAmount(d.reserve)} {d.currency}
                        </td>
                        <td>{formatDate(d.record_date)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="reg-rel">
            <h2 id="reg-rel">Releases</h2>
            {(reg.releases ?? []).length === 0 ? (
              <p className="muted">No release of this model has been registered yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="table eq-table">
                  <caption className="visually-hidden">Model releases and the register head when each was made</caption>
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Registered</th>
                      <th scope="col">Release hash</th>
                      <th scope="col">Register head then</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(reg.releases ?? []).map((r) => (
                      <tr key={r.id}>
                        <td>{r.version}</td>
                        <td>{formatDate(r.created_at)}</td>
                        <td className="mono" title={r.hash}>
                          {r.hash.slice(0, 12)}…
                        </td>
                        <td className="mono" title={r.ledger_head}>
                          #{r.ledger_seq} {r.ledger_head.slice(0, 12)}…
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="reg-gov">
            <h2 id="reg-gov">Rules and their history</h2>
            <p className="small muted">
              Every change is a new version on the register, with who made it (or the proposal the members voted for), when and why. Nothing is overwritten.
            </p>
            {governanceTimeline(reg).length === 0 ? (
              <p className="muted">Default rules apply: no transfer fee, no holding cap, no reserve share; holdings pass to a successor.</p>
            ) : (
              <ol className="eq-history">
                {governanceTimeline(reg).map((h) =>
                  h.kind === 'governance' ? (
                    <li key={`g${h.row.id}`}>
                      <p>
                        <strong>Governance v{h.row.version}</strong> · {formatDate(h.at)} ·{' '}
                        {h.row.proposal_id ? <ChangedBy proposalId={h.row.proposal_id} at={h.at} /> : <>by {who(h.row.actor_id)}</>}
                      </p>
                      {h.row.reason && <p className="eq-reason">“{h.row.reason}”</p>}
                      <p className="small">
                        Transfer fee {bpToPercent(h.row.transfer_fee_bp)} · holding cap {bpToPercent(h.row.holding_cap_bp)} (from {fmtAmount(minorToDecimal(h.row.cap_floor))} units
                        issued) · reserve share of revenue {bpToPercent(h.row.reserve_share_bp)} · on exit, units go {EXIT_RULE_TEXT[h.row.exit_rule] ?? h.row.exit_rule}
                      </p>
                    </li>
                  ) : (
                    <li key={`r${h.row.id}`}>
                      <p>
                        <strong>Rate card v{h.row.version}</strong> for {projects[h.row.project_id] ?? `project ${h.row.project_id}`} · {formatDate(h.at)} ·{' '}
                        {h.row.proposal_id ? <ChangedBy proposalId={h.row.proposal_id} at={h.at} /> : <>by {who(h.row.actor_id)}</>}
                      </p>
                      {h.row.reason && <p className="eq-reason">“{h.row.reason}”</p>}
                      <p className="small">
                        Accepted annotation {fmtAmount(minorToDecimal(h.row.annotation_accepted))} · correction {fmtAmount(minorToDecimal(h.row.correction))} · review decision{' '}
                        {fmtAmount(minorToDecimal(h.row.review_decision))} units · labeller keeps {bpToPercent(h.row.correction_labeller_bp)} when corrected
                        {h.row.difficulty && Object.keys(h.row.difficulty).length > 0 && (
                          <> · difficulty: {Object.entries(h.row.difficulty).map(([k, v]) => `${k} ×${bpToPercent(v)}`).join(', ')}</>
                        )}
                      </p>
                    </li>
                  ),
                )}
              </ol>
            )}
          </section>
          <HeadHash seq={reg.head.seq} hash={reg.head.hash} />
        </>
      )}
      <VerifierKeyPanel />
      <WitnessPanel />
    </>
  );
}
