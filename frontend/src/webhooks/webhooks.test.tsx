import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { WebhooksPage } from './Webhooks';

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

const endpoint = {
  id: 3,
  url: 'https://trainer.example/<b>hook</b>',
  description: 'trainer',
  event_types: ['snapshot.created'],
  created_by: 1,
  created_at: '2026-01-02T03:04:05Z',
  disabled_at: '2026-01-03T00:00:00Z',
  disabled_reason: '8 attempts at msg_9 failed; the last: HTTP 500',
  pending: 2,
};
const attempts = [
  { id: 11, endpoint_id: 3, delivery_id: 9, message_id: 'msg_9', event_type: 'snapshot.created', attempt: 2, status_code: 500, error: 'HTTP 500', duration_ms: 12, attempted_at: '2026-01-02T03:05:00Z' },
  { id: 10, endpoint_id: 3, delivery_id: 8, message_id: 'msg_8', event_type: 'snapshot.created', attempt: 1, status_code: 200, error: '', duration_ms: 7, attempted_at: '2026-01-02T03:04:30Z' },
];

describe('WebhooksPage', () => {
  it('lists endpoints with their attempts and response codes, as text', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string) => {
        if (url === '/api/webhooks?limit=100') return Promise.resolve(json(200, { items: [endpoint], event_types: ['snapshot.created', 'review.decided'] }));
        if (url === '/api/webhooks/3/attempts?limit=20') return Promise.resolve(json(200, { items: attempts, next_cursor: null }));
        return Promise.resolve(json(404, { code: 'not_found' }));
      }),
    );
    render(<WebhooksPage />);
    const card = await screen.findByRole('region', { name: `Endpoint ${endpoint.url}` });
    expect(within(card).getByRole('heading', { level: 2 }).textContent).toBe(endpoint.url); // text, never markup
    expect(card.querySelector('b')).toBeNull();
    expect(within(card).getByRole('alert').textContent).toContain('HTTP 500');
    await waitFor(() => expect(within(card).getAllByRole('row')).toHaveLength(3));
    const rows = within(card).getAllByRole('row');
    expect(rows[1].textContent).toContain('500');
    expect(rows[1].textContent).toContain('msg_9');
    expect(rows[2].textContent).toContain('200 OK');
    expect(within(card).getByRole('button', { name: 'Enable again' })).toBeTruthy();
  });

  it('registers an endpoint and shows the secret once, and shows a refusal', async () => {
    const fetchMock = vi.fn().mockImplementation((url: string, init?: RequestInit) => {
      if (url === '/api/webhooks' && init?.method === 'POST') {
        const body = JSON.parse(String(init.body));
        if (body.url.includes('127.0.0.1')) return Promise.resolve(json(400, { code: 'webhook_url_refused', message: 'webhooks cannot be sent to 127.0.0.1' }));
        return Promise.resolve(json(201, { ...endpoint, id: 4, disabled_at: null, disabled_reason: '', secret: 'whsec_abc' }));
      }
      if (url === '/api/webhooks?limit=100') return Promise.resolve(json(200, { items: [], event_types: ['snapshot.created', 'review.decided'] }));
      return Promise.resolve(json(200, { items: [], next_cursor: null }));
    });
    vi.stubGlobal('fetch', fetchMock);
    render(<WebhooksPage />);
    fireEvent.click(await screen.findByLabelText('review.decided'));
    fireEvent.change(screen.getByLabelText('URL'), { target: { value: 'http://127.0.0.1:9/x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Webhooks cannot be sent to 127.0.0.1');
    fireEvent.change(screen.getByLabelText('URL'), { target: { value: 'https://trainer.example/h' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    await waitFor(() => expect((screen.getByLabelText('Signing secret') as HTMLInputElement).value).toBe('whsec_abc'));
    const posts = fetchMock.mock.calls.filter((c) => c[1]?.method === 'POST');
    expect(JSON.parse(posts[1][1].body)).toEqual({ url: 'https://trainer.example/h', description: '', event_types: ['review.decided'] });
  });
});
