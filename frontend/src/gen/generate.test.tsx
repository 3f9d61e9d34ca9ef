import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LiveEvent } from '../live/live';
import { parsePrompts } from './api';

let handler: ((e: LiveEvent) => void) | null = null;
let channel: string | null = null;
vi.mock('../live/live', () => ({
  useChannel: (c: string | null, fn: ((e: LiveEvent) => void) | null) => {
    channel = c;
    handler = fn;
  },
}));

const { GenerateSection } = await import('./GenerateSection');

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
function ev(type: string, payload: Record<string, unknown>): LiveEvent {
  return { op: 'event', channel: 'coordinators', seq: 1, type, at: '2026-01-01T00:00:00Z', payload: { project_id: 4, ...payload } };
}

afterEach(() => vi.unstubAllGlobals());

const counts = { tasks: 4, tasks_done: 0, tasks_skipped: 0, sources: 2, items: 0, sources_failed: 0, flagged: 0 };
const job = { id: 9, kind: 'candidates', project_id: 4, status: 'queued', counts, created_at: '2026-01-01T00:00:00Z' };

describe('parsePrompts', () => {
  it('reads JSONL and names the bad line', () => {
    expect(parsePrompts('{"prompt":"a"}\n\n{"messages":[]}')).toEqual({ prompts: [{ prompt: 'a' }, { messages: [] }] });
    expect(parsePrompts('{"prompt":"a"}\nnope')).toEqual({ error: 'Line 2 is not valid JSON.' });
    expect(parsePrompts('[1]')).toEqual({ error: 'Line 1 is not a JSON object.' });
    expect(parsePrompts('  ')).toEqual({ error: 'Give at least one prompt.' });
  });
});

describe('GenerateSection', () => {
  it('starts a job, follows its progress and errors live, and cancels it', async () => {
    const posted: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string, init?: RequestInit) => {
        if (url === '/api/model-endpoints?limit=100') return Promise.resolve(json(200, { items: [{ id: 1, name: 'alpha', model: 'llama-3' }], next_cursor: null }));
        if (url === '/api/gen/jobs?project_id=4&limit=10') return Promise.resolve(json(200, { items: [], next_cursor: null }));
        if (url === '/api/projects/4/generate') {
          posted.push(JSON.parse(String(init?.body)));
          return Promise.resolve(json(201, job));
        }
        if (url === '/api/gen/jobs/9')
          return Promise.resolve(json(200, { ...job, failures: [{ source_key: 'abc', slot: 1, attempts: 3, reason: 'gave up after 3 attempts', at: '2026-01-01T00:00:00Z' }], flags: [{ source_key: 'k', slot: 0, item_id: 31 }] }));
        if (url === '/api/gen/jobs/9/cancel') return Promise.resolve(json(200, { ...job, status: 'cancelled' }));
        return Promise.resolve(json(404, { code: 'not_found', message: 'no' }));
      }),
    );
    render(<GenerateSection projectId={4} taskType="pairwise" />);
    expect(channel).toBe('coordinators');
    await waitFor(() => expect(screen.getAllByText('alpha (llama-3)').length).toBe(2));
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    expect(screen.getByRole('alert').textContent).toBe('Give at least one prompt.');
    fireEvent.change(screen.getByLabelText(/Prompts/), { target: { value: '{"prompt":"Say hi"}\n{"prompt":"<b>x</b>"}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose the endpoint of candidate 1.');
    fireEvent.change(screen.getByLabelText('Endpoint', { selector: '#gen-ep-0' }), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Endpoint', { selector: '#gen-ep-1' }), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Temperature', { selector: '#gen-temp-1' }), { target: { value: '0.9' } });
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    const row = await screen.findByRole('listitem', { name: 'Job 9' });
    expect(posted[0]).toEqual({ slots: [{ endpoint_id: 1, seed: 1 }, { endpoint_id: 1, seed: 2, temperature: 0.9 }], prompts: [{ prompt: 'Say hi' }, { prompt: '<b>x</b>' }] });
    expect(row.textContent).toContain('Queued — 0 of 2 items written, 0 of 4 candidates settled');

    act(() => handler!(ev('gen.progress', { job_id: 9, project_id: 5, status: 'failed', counts })));
    expect(row.textContent).toContain('Queued'); // another project's job
    act(() => handler!(ev('gen.progress', { job_id: 9, status: 'running', counts: { ...counts, tasks_done: 2, items: 1, flagged: 1 } })));
    expect(row.textContent).toContain('Running — 1 of 2 items written, 2 of 4 candidates settled');
    expect((row.querySelector('progress') as HTMLProgressElement).value).toBe(2);
    expect(within(row).getByRole('status').textContent).toContain('1 candidate name their own model');
    act(() => handler!(ev('gen.item_failed', { job_id: 9, slot: 1, source_key: 'abc', reason: '<i>model_timeout</i>' })));
    const errs = within(row).getByRole('list', { name: 'Errors of job 9' });
    expect(errs.textContent).toBe('Prompt abc, candidate 2: <i>model_timeout</i>');
    expect(errs.querySelector('i')).toBeNull();

    fireEvent.click(within(row).getByRole('button', { name: 'Show errors and flags' }));
    const flagged = await within(row).findByRole('list', { name: 'Candidates of job 9 naming their model' });
    expect(flagged.textContent).toBe('Item 31, candidate 1 names its own model or endpoint');
    expect(within(row).getByRole('list', { name: 'Errors of job 9' }).textContent).toBe('Prompt abc, candidate 2: gave up after 3 attempts');

    fireEvent.click(within(row).getByRole('button', { name: 'Cancel job 9' }));
    await waitFor(() => expect(row.textContent).toContain('Cancelled'));
    expect(within(row).queryByRole('button', { name: 'Cancel job 9' })).toBeNull();
  });

  it('asks a model for suggestions on a classification project and shows that job\'s progress', async () => {
    const posted: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string, init?: RequestInit) => {
        if (url === '/api/model-endpoints?limit=100') return Promise.resolve(json(200, { items: [{ id: 3, name: 'tagger', model: 'qwen' }], next_cursor: null }));
        if (url === '/api/gen/jobs?project_id=4&limit=10') return Promise.resolve(json(200, { items: [], next_cursor: null }));
        if (url === '/api/projects/4/suggest') {
          posted.push(JSON.parse(String(init?.body)));
          return Promise.resolve(json(201, { ...job, id: 11, kind: 'suggestions', counts: { ...counts, tasks: 3, sources: 3 } }));
        }
        return Promise.resolve(json(404, { code: 'not_found', message: 'no' }));
      }),
    );
    render(<GenerateSection projectId={4} taskType="classification" />);
    expect(screen.getByRole('heading', { name: 'Suggestions from a model' })).toBeTruthy();
    expect(screen.queryByLabelText(/Prompts/)).toBeNull();
    await waitFor(() => expect(screen.getByText('tagger (qwen)')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Ask for suggestions' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose the endpoint that suggests.');
    fireEvent.change(screen.getByLabelText('Endpoint'), { target: { value: '3' } });
    fireEvent.click(screen.getByLabelText(/Replace suggestions/));
    fireEvent.click(screen.getByRole('button', { name: 'Ask for suggestions' }));
    const row = await screen.findByRole('listitem', { name: 'Job 11' });
    expect(posted[0]).toEqual({ endpoint_id: 3, replace: true });
    expect(row.textContent).toContain('Queued — 0 of 3 items have a suggestion, 0 of 3 requests settled');
  });
});
