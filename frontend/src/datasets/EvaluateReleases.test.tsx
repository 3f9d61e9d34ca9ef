import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';

// Each releases request waits until the test resolves it, so the answers can
// arrive in the opposite order of the requests.
const pending: { modelId: number; resolve: (rs: unknown[]) => void }[] = [];
vi.mock('./api', () => ({
  datasetsApi: {
    releases: (modelId: number) => new Promise((resolve) => pending.push({ modelId, resolve })),
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
});
