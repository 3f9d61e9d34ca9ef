// The coordinator's webhook routes (docs/API.md, "Webhooks").
import { request } from '../api';

export interface WebhookEndpoint {
  id: number;
  url: string;
  description: string;
  event_types: string[];
  /** Only in the answer to a registration: shown once. */
  secret?: string;
  created_by: number;
  created_at: string;
  disabled_at: string | null;
  disabled_reason: string;
  pending: number;
}

export interface WebhookAttempt {
  id: number;
  endpoint_id: number;
  delivery_id: number;
  message_id: string;
  event_type: string;
  attempt: number;
  /** 0 when no response came (the error says why). */
  status_code: number;
  error: string;
  duration_ms: number;
  attempted_at: string;
}

const enc = (n: number) => encodeURIComponent(String(n));

export const webhooksApi = {
  list: () => request<{ items: WebhookEndpoint[]; event_types: string[] }>('GET', '/api/webhooks'),
  create: (url: string, description: string, event_types: string[]) =>
    request<WebhookEndpoint>('POST', '/api/webhooks', { url, description, event_types }),
  remove: (id: number) => request<void>('DELETE', `/api/webhooks/${enc(id)}`),
  enable: (id: number) => request<WebhookEndpoint>('POST', `/api/webhooks/${enc(id)}/enable`),
  attempts: (id: number) =>
    request<{ items: WebhookAttempt[]; next_cursor: string | null }>('GET', `/api/webhooks/${enc(id)}/attempts?limit=20`),
};
