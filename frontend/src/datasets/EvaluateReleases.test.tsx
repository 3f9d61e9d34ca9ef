import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';

// Each releases request waits until the test resolves it, so the answers can
// arrive in the opposite order of the requests.
const pending: { modelId: number; resolve: (rs: unknown[]) => void }[] = [];
const generated: unknown[] = [];
vi.mock('./api', () => ({
  datasetsApi: {
    releases: (modelId: number) => new Promise((resolve) => pending.push({ modelId, resolve })),
    snapshots: () => Promise.resolve([{ id: 7, task_type: 'pairwise', items: 12 }]),
    generateEvaluation: (req: unknown) => {
      generated.push(req);
      return Promise.resolve({ id: 31, project_id: 44 });
    },
  },
}));

const { EvaluateReleases } = await import('./EvaluateReleases');

const release = (id: number, version: string) => ({ id, model_id: 0, version }) as never;

describe('EvaluateReleases', () => {
  it("shows the chosen model's releases even when the previous model's answer arrives last", async () => {
    const models = [
      { id: 1, name: 'first' },
      { id: 2, name: 'second' },
    ] as never[];
    render(<EvaluateReleases models={models} initialModelId={1} />);
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: '2' } });
    expect(pending.map((p) => p.modelId)).toEqual([1, 2]);
    await act(async () => pending[1].resolve([release(20, 'beta-one'), release(21, 'beta-two')]));
    await act(async () => pending[0].resolve([release(10, 'alpha-one'), release(11, 'alpha-two')]));
    expect(screen.getByRole('checkbox', { name: 'release beta-one' })).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: 'release alpha-one' })).toBeNull();
  });

  it("lets the releases' endpoints write the outputs for a snapshot's prompts", async () => {
    pending.length = 0;
    render(<EvaluateReleases models={[{ id: 1, name: 'first' }] as never[]} initialModelId={1} />);
    await act(async () =>
      pending[0].resolve([{ id: 10, model_id: 1, version: 'alpha', endpoint_id: 3 }, { id: 11, model_id: 1, version: 'beta', endpoint_id: null }] as never[]),
    );
    fireEvent.click(screen.getByLabelText(/written by the releases/));
    expect(screen.queryByLabelText(/rubric/)).toBeNull();
    expect(screen.getByText(/no endpoint serves it/).textContent).toContain('set one under Releases');
    fireEvent.change(screen.getByLabelText('Evaluation name'), { target: { value: 'Arena' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /release alpha/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /release beta/ }));
    await screen.findByText('snapshot 7 (pairwise, 12 items)');
    fireEvent.change(screen.getByLabelText('Prompts from a snapshot'), { target: { value: '7' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create evaluation' })));
    expect(generated).toEqual([{ model_id: 1, name: 'Arena', release_ids: [10, 11], prompts: undefined, snapshot_id: 7 }]);
    expect(screen.getByRole('status').textContent).toContain('Generation job 31 queued');
  });
});
