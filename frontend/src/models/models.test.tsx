import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ModelsPage, capabilityRows } from './Models';

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

const caps = {
  chat: true, n: false, seed: true, logprobs: 'pre_sampling', json_schema: true, tools: false, stream: true,
  probed_at: '2026-12-05T12:00:00Z',
  notes: ['n=2 was refused (HTTP 400: Only one completion choice is allowed); copyhold sends one request per choice', '<b>not markup</b>'],
};
const endpoint = {
  id: 7, name: 'llama box', base_url: 'http://127.0.0.1:8081/v1', model: 'qwen', has_key: true, params: {},
  concurrency: 2, per_minute: 0, capabilities: caps, created_at: '2026-12-05T12:00:00Z',
};

describe('ModelsPage', () => {
  it('shows each endpoint\'s capabilities as a table with the probe notes, as text', async () => {
    vi.stubGlobal('fetch', vi.fn().mockImplementation((url: string) => {
      if (url.startsWith('/api/model-endpoints?')) return Promise.resolve(json(200, { items: [endpoint], next_cursor: null }));
      return Promise.resolve(json(404, { code: 'not_found', message: 'no' }));
    }));
    render(<ModelsPage />);
    const card = await screen.findByRole('region', { name: 'Model endpoint llama box' });
    const rows = within(card).getAllByRole('row');
    expect(rows).toHaveLength(8);
    expect(rows[2].textContent).toContain('Several choices (n)✗ no');
    expect(rows[4].textContent).toContain('before sampling');
    expect(rows[1].textContent).toContain('✓ yes');
    const notes = within(card).getByRole('list', { name: 'Probe notes for llama box' });
    expect(notes.textContent).toContain('Only one completion choice');
    expect(card.querySelector('b')).toBeNull();
    expect(card.textContent).toContain('key: stored');
  });

  it('registers with a write-only key and shows a refusal', async () => {
    const fetchMock = vi.fn().mockImplementation((url: string, init?: RequestInit) => {
      if (url === '/api/model-endpoints' && init?.method === 'POST') {
        const body = JSON.parse(String(init.body));
        if (body.base_url.startsWith('ftp')) return Promise.resolve(json(400, { code: 'model_url_scheme', message: 'a model endpoint URL must be http:// or https://' }));
        return Promise.resolve(json(201, endpoint));
      }
      return Promise.resolve(json(200, { items: [], next_cursor: null }));
    });
    vi.stubGlobal('fetch', fetchMock);
    render(<ModelsPage />);
    await screen.findByText('No model endpoints yet.');
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'llama box' } });
    fireEvent.change(screen.getByLabelText('Base URL'), { target: { value: 'ftp://x' } });
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'qwen' } });
    fireEvent.change(screen.getByLabelText(/API key/), { target: { value: 'sk-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register and probe' }));
    expect((await screen.findByRole('alert')).textContent).toContain('http://');
    expect((screen.getByLabelText(/API key/) as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByLabelText(/API key/), { target: { value: 'sk-2' } });
    fireEvent.change(screen.getByLabelText('Base URL'), { target: { value: 'http://127.0.0.1:8081/v1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register and probe' }));
    await waitFor(() => expect(fetchMock.mock.calls.filter((c) => c[1]?.method === 'POST')).toHaveLength(2));
    const posts = fetchMock.mock.calls.filter((c) => c[1]?.method === 'POST');
    expect(JSON.parse(posts[1][1].body)).toEqual({ name: 'llama box', base_url: 'http://127.0.0.1:8081/v1', model: 'qwen', api_key: 'sk-2', concurrency: 1, per_minute: 0 });
    await waitFor(() => expect((screen.getByLabelText(/API key/) as HTMLInputElement).value).toBe(''));
  });

  it('words every capability', () => {
    const rows = capabilityRows({ ...caps, logprobs: '', notes: [] });
    expect(rows.map((r) => r.ok)).toEqual([true, false, true, false, true, false, true]);
  });
});
