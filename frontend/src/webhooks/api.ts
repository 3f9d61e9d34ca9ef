// The coordinator's webhook routes (docs/API.md, "Webhooks").
import { listPage, pagePath, request, type Page } from '../api';
import type { Body, Ok } from '../schema';

/** A registered endpoint; its signing secret only in the answer to a registration. */
export type WebhookEndpoint = Ok<'/api/webhooks', 'post', 201>;

/** One delivery attempt; status_code 0 when no response came (the error says why). */
export type WebhookAttempt = Ok<'/api/webhooks/{id}/attempts', 'get'>['items'][number];

const enc = (n: number) => encodeURIComponent(String(n));

export const webhooksApi = {
  /** Every endpoint (every page) and the event types they may subscribe to. */
  list: async (): Promise<{ items: WebhookEndpoint[]; event_types: string[] }> => {
    type ListPage = Partial<Page<WebhookEndpoint>> & { event_types?: string[] };
    let page = await request<ListPage>('GET', pagePath('/api/webhooks'));
    const items = [...(page.items ?? [])];
    const event_types = page.event_types ?? [];
    while (page.next_cursor) {
      const cursor: string = page.next_cursor;
      page = await request<ListPage>('GET', pagePath('/api/webhooks', cursor));
      items.push(...(page.items ?? []));
      if (page.next_cursor === cursor) break;
    }
    return { items, event_types };
  },
  create: (url: string, description: string, event_types: string[]) =>
    request<WebhookEndpoint>('POST', '/api/webhooks', { url, description, event_types } satisfies Body<'/api/webhooks', 'post'>),
  remove: (id: number) => request<void>('DELETE', `/api/webhooks/${enc(id)}`),
  enable: (id: number) => request<WebhookEndpoint>('POST', `/api/webhooks/${enc(id)}/enable`),
  /** One page of an endpoint's attempts, newest first; next_cursor continues it. */
  attempts: (id: number, cursor?: string | null) => listPage<WebhookAttempt>(`/api/webhooks/${enc(id)}/attempts`, cursor, 20),
};
