// The court roll's check, as members see it: a small status on every equity
// page, a loud warning when a check fails, the verifier key on the register
// page, and "in the register ✓" on statement lines. Everything the server
// sends is shown as React text (never as HTML).
import { useId, useRef, useState } from 'react';
import type { Problem } from './roll';
import type { WitnessCheck } from './cosign';
import { useLineProof, useRollCheck, useRollSnapshot, type RollState } from './useRoll';

const PROBLEM_TEXT: Record<Problem, string> = {
  key_changed: 'The server signs the court roll with a different key than the one your browser saw first.',
  bad_key: 'The server’s published signing key is not a valid key.',
  bad_signature: 'The court roll’s latest checkpoint is not validly signed by the co-op’s key.',
  other_log: 'The server sent the checkpoint of a different court roll.',
  smaller: 'The court roll is now shorter than when your browser last checked it: entries have been removed.',
  fork: 'The court roll has as many entries as before, but different contents.',
  inconsistent: 'The court roll no longer contains the history your browser verified before: past entries were changed or removed.',
  bad_entry: 'An entry of your statement could not be proven to be in the court roll.',
};

export function RollStatus() {
  const roll = useRollCheck();
  const { entryFailures } = useRollSnapshot();
  return (
    <div className="roll-status" data-testid="roll-status-box">
      <p className={`roll-line small${roll.state === 'verified' ? ' roll-ok' : ''}`} role="status" data-testid="roll-status">
        <StatusText roll={roll} />
      </p>
      {roll.state === 'failed' && (
        <RollWarning problem={roll.problem} detail={roll.detail} stored={roll.stored} received={roll.received} pinnedKey={roll.pinnedKey} servedKey={roll.servedKey} />
      )}
      {roll.state === 'verified' && <CosignatureWarning witnesses={roll.witnesses} note={roll.checkpoint.note} />}
      {roll.state !== 'failed' && entryFailures.length > 0 && (
        <RollWarning
          problem="bad_entry"
          detail={entryFailures.map((f) => f.detail).join(' ')}
          stored={roll.state === 'verified' ? roll.checkpoint.note : null}
          received={null}
          pinnedKey={roll.state === 'verified' ? roll.key.text : null}
          servedKey={null}
        />
      )}
    </div>
  );
}

function StatusText({ roll }: { roll: RollState }) {
  switch (roll.state) {
    case 'checking':
      return <>Checking the court roll…</>;
    case 'verified':
      return roll.checkpoint.size === 0 ? (
        <>Court roll verified (no entries yet) ✓</>
      ) : (
        <>
          Court roll verified up to entry {roll.checkpoint.size.toLocaleString('en-GB')} ✓
          {roll.witnesses && roll.witnesses.length > 0 && <> · {cosignedText(roll.witnesses)}</>}
        </>
      );
    case 'unavailable':
      return <>The court roll could not be checked just now ({roll.detail}). Your browser keeps its last verified checkpoint and will check again on your next visit.</>;
    case 'failed':
      return <>Court roll check failed ✗ (see the warning below)</>;
  }
}

function RollWarning({
  problem,
  detail,
  stored,
  received,
  pinnedKey,
  servedKey,
}: {
  problem: Problem;
  detail: string;
  stored: string | null;
  received: string | null;
  pinnedKey: string | null;
  servedKey: string | null;
}) {
  const id = useId();
  return (
    <section className="alert alert-error roll-warning" role="alert" aria-labelledby={`${id}-h`} data-testid="roll-warning">
      <h2 id={`${id}-h`} className="roll-warning-title">
        Warning: the court roll failed its check
      </h2>
      <p>
        <strong>{PROBLEM_TEXT[problem]}</strong> <span>({detail})</span>
      </p>
      <p>
        The court roll is the co-op’s register of everyone’s units. Your browser remembers the last version it checked, and every later version must
        only add entries to it. This one does not pass that check. It may mean that someone with access to the server changed or removed past entries,
        or is showing different members different registers. It may also be a fault in the server. Either way, the amounts on these pages cannot be
        trusted until it is explained.
      </p>
      <p>
        <strong>What to do:</strong> copy both checkpoints below and send them to your co-op’s coordinators and to members you trust, by a channel
        outside this server (for example email). Compare the signing key with the one your co-op published. Do not clear this browser’s data for this
        site: it holds the evidence. Your browser has kept the checkpoint it verified before and has not accepted the new one.
      </p>
      <CopyText label="The checkpoint your browser verified before (kept)" value={stored ?? '(none yet)'} />
      <CopyText label="The checkpoint the server sent now (refused)" value={received ?? '(none)'} />
      {(pinnedKey || servedKey) && (
        <CopyText label="Signing keys: pinned by your browser, then served now" value={`${pinnedKey ?? '(none)'}\n${servedKey ?? '(not fetched)'}`} />
      )}
    </section>
  );
}

/** A read-only multi-line text with a copy button. */
function CopyText({ label, value }: { label: string; value: string }) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      ref.current?.select();
      setState('failed');
    }
  }
  return (
    <div className="field roll-copy">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} ref={ref} readOnly value={value} rows={Math.min(8, value.split('\n').length + 1)} className="mono" spellCheck={false} />
      <button type="button" className="btn btn-small" onClick={copy} aria-label={`Copy: ${label}`}>
        Copy
      </button>
      <span className="hint" role="status">
        {state === 'copied' ? ' Copied.' : state === 'failed' ? ' Selected: press Ctrl+C to copy.' : ''}
      </span>
    </div>
  );
}

/** The register page: the key this browser pinned, to compare with the published one. */
export function VerifierKeyPanel() {
  const { roll } = useRollSnapshot();
  const key = roll.state === 'verified' ? roll.key.text : roll.state === 'failed' ? roll.pinnedKey : null;
  return (
    <section className="roll-key" aria-labelledby="roll-key-h">
      <h2 id="roll-key-h">Signing key of the court roll</h2>
      <p className="small">
        Your browser checks every version of the court roll against this key. It kept the key from your first visit. Compare it with the key your co-op
        published (for example in its rules or on its notice board); if they differ, tell the coordinators.
      </p>
      {key ? (
        <code className="eq-hash" data-testid="verifier-key">
          {key}
        </code>
      ) : (
        <p className="muted small">{roll.state === 'checking' ? 'Checking…' : 'Not known yet.'}</p>
      )}
    </section>
  );
}

/** A statement line's court-roll mark. */
export function LineProofTag({ index, txId }: { index: number | null | undefined; txId: number }) {
  const p = useLineProof(index, txId);
  switch (p) {
    case 'none':
      return null;
    case 'pending':
      return (
        <span className="tag roll-tag" title="Not yet in a signed checkpoint of the court roll" data-testid="roll-line">
          pending
        </span>
      );
    case 'checking':
      return (
        <span className="tag roll-tag muted" data-testid="roll-line">
          checking…
        </span>
      );
    case 'in':
      return (
        <span className="tag roll-tag roll-in" title={`Entry ${(index ?? 0) + 1} of the verified court roll`} data-testid="roll-line">
          in the register ✓
        </span>
      );
    case 'failed':
      return (
        <span className="tag roll-tag roll-bad" data-testid="roll-line">
          not proven ✗
        </span>
      );
    case 'unavailable':
      return (
        <span className="tag roll-tag muted" data-testid="roll-line">
          not checked
        </span>
      );
  }
}

/** "cosigned by N of M witnesses". */
export function cosignedText(ws: WitnessCheck[]): string {
  const n = ws.filter((w) => w.result.state === 'cosigned').length;
  return `cosigned by ${n} of ${ws.length} witness${ws.length === 1 ? '' : 'es'}`;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A listed witness's cosignature that does not verify: loud, on every equity page. */
function CosignatureWarning({ witnesses, note }: { witnesses: WitnessCheck[] | null; note: string }) {
  const id = useId();
  const bad = (witnesses ?? []).filter((w) => w.result.state === 'invalid');
  if (bad.length === 0) return null;
  return (
    <section className="alert alert-error roll-warning" role="alert" aria-labelledby={`${id}-h`} data-testid="cosignature-warning">
      <h2 id={`${id}-h`} className="roll-warning-title">
        Warning: a witness’s cosignature does not verify
      </h2>
      <p>
        The checkpoint carries a cosignature line from {bad.map((w) => w.name).join(', ')}, a witness your co-op trusts, but it does not verify for this
        checkpoint. The server may have re-signed the court roll after the witness saw it, or altered the line. Copy the checkpoint below and send it to
        your co-op’s coordinators and to the witness’s operator.
      </p>
      <CopyText label="The checkpoint the server sent, with its cosignatures" value={note} />
    </section>
  );
}

/** The register page: which trusted witnesses cosigned the checkpoint this browser verified. */
export function WitnessPanel() {
  const { roll } = useRollSnapshot();
  const ws = roll.state === 'verified' ? roll.witnesses : null;
  return (
    <section className="roll-witnesses" aria-labelledby="roll-witnesses-h" data-testid="witness-panel">
      <h2 id="roll-witnesses-h">Witnesses</h2>
      <p className="small">
        A witness is run by someone outside the co-op, often another co-op. It keeps the last checkpoint it saw and cosigns a new one only if it extends
        that one, so a cosigned checkpoint is the same court roll that everyone else is shown.
      </p>
      {roll.state === 'checking' ? (
        <p className="muted small">Checking…</p>
      ) : roll.state !== 'verified' ? (
        <p className="muted small">Not checked: the court roll itself did not pass its check.</p>
      ) : ws === null ? (
        <p className="muted small">The list of witnesses could not be fetched just now.</p>
      ) : ws.length === 0 ? (
        <p className="small" data-testid="witness-summary">
          Your co-op lists no witnesses. Your browser can tell that the court roll never loses or changes what it has already seen, but not whether other
          members are shown the same court roll.
        </p>
      ) : (
        <>
          <p className="small" data-testid="witness-summary">
            This checkpoint (entry {roll.checkpoint.size.toLocaleString('en-GB')}) is {cosignedText(ws)}.
          </p>
          <ul className="small" data-testid="witness-list">
            {ws.map((w) => (
              <li key={w.key}>
                <strong>{w.name}</strong>:{' '}
                {w.result.state === 'cosigned' ? (
                  <>cosigned ✓ at {timeFormat.format(w.result.time)} UTC</>
                ) : w.result.state === 'absent' ? (
                  <>not cosigned</>
                ) : (
                  <span className="roll-bad">cosignature does not verify ✗</span>
                )}
              </li>
            ))}
          </ul>
          {ws.every((w) => w.result.state !== 'cosigned') && (
            <p className="small" data-testid="witness-none">
              No witness your co-op trusts has cosigned this checkpoint. Witnesses check every few minutes, so a new checkpoint waits a little. If this
              lasts, your browser cannot rule out that it is shown a different court roll than other members: compare the checkpoint with a member you
              trust.
            </p>
          )}
        </>
      )}
    </section>
  );
}
