import { describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import type { LiveEvent } from '../live/live';

let handler: ((e: LiveEvent) => void) | null = null;
let channel: string | null = null;
vi.mock('../live/live', () => ({
  useChannel: (c: string | null, fn: ((e: LiveEvent) => void) | null) => {
    channel = c;
    handler = fn;
  },
}));

const { WebhookAlert } = await import('./WebhookAlert');

function ev(type: string, payload: Record<string, unknown>): LiveEvent {
  return { op: 'event', channel: 'member:5', seq: 1, type, at: '2026-01-01T00:00:00Z', payload };
}

describe('WebhookAlert', () => {
  it('tells the coordinator when their endpoint is disabled, as text', () => {
    render(<WebhookAlert memberId={5} />);
    expect(channel).toBe('member:5');
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => handler!(ev('equity.credited', { url: 'x' })));
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => handler!(ev('webhook.disabled', { endpoint_id: 2, url: 'https://t.example/<i>h</i>', reason: '8 attempts failed' })));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('https://t.example/<i>h</i> was disabled after repeated failures: 8 attempts failed');
    expect(alert.querySelector('i')).toBeNull();
    expect(screen.getByRole('link', { name: 'Open Webhooks' }).getAttribute('href')).toBe('/admin/webhooks');
  });
});
