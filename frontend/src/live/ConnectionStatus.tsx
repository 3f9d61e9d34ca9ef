// The shell's calm connection line: says "Reconnecting…" when live updates
// have been down for a moment, nothing while all is well.
import { useEffect, useState } from 'react';
import { useConnectionState } from './live';

/** Waits this long before saying anything, so a quick resume stays silent. */
const GRACE_MS = 1000;

export function ConnectionStatus() {
  const state = useConnectionState();
  const [shown, setShown] = useState<'reconnecting' | 'ended' | null>(null);
  useEffect(() => {
    if (state === 'ended') {
      setShown('ended');
      return;
    }
    if (state !== 'reconnecting') {
      setShown(null);
      return;
    }
    const t = setTimeout(() => setShown('reconnecting'), GRACE_MS);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <span className={shown ? 'live-status live-status-on' : 'live-status'} role="status" data-testid="live-status" data-state={state}>
      {shown === 'reconnecting' && (
        <>
          <span className="live-dot" aria-hidden="true" />
          Reconnecting… live updates resume on their own.
        </>
      )}
      {shown === 'ended' && 'Live updates stopped. Reload the page to see the latest.'}
    </span>
  );
}
