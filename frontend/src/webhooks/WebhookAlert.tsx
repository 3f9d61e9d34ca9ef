import { useState } from 'react';
import { useChannel } from '../live/live';
import { Link } from '../router';

interface Disabled {
  endpoint_id: number;
  url: string;
  reason: string;
}

/**
 * Tells the coordinator who registered a webhook endpoint, wherever they are
 * in the app, that it was disabled after repeated failures (the server's
 * webhook.disabled event on their own channel).
 */
export function WebhookAlert({ memberId }: { memberId: number }) {
  const [disabled, setDisabled] = useState<Disabled[]>([]);
  useChannel(`member:${memberId}`, (e) => {
    if (e.type !== 'webhook.disabled') return;
    const p = e.payload as Partial<Disabled>;
    if (typeof p.url !== 'string') return;
    const d = { endpoint_id: Number(p.endpoint_id), url: p.url, reason: String(p.reason ?? '') };
    setDisabled((all) => [...all.filter((x) => x.endpoint_id !== d.endpoint_id), d]);
  });
  if (disabled.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert">
      {disabled.map((d) => (
        <p key={d.endpoint_id}>
          The webhook endpoint {d.url} was disabled after repeated failures: {d.reason}.{' '}
          <Link to="/admin/webhooks">Open Webhooks</Link>
        </p>
      ))}
      <button type="button" className="btn btn-small" onClick={() => setDisabled([])}>
        Dismiss
      </button>
    </div>
  );
}
