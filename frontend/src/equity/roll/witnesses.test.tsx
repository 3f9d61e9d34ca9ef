// The witnesses' cosignatures as members see them: "cosigned by N of M
// witnesses" on the status line and the register page, and a loud warning
// when a listed witness's cosignature does not verify. The checkpoint and
// its cosignatures were made by the Go code (testdata/cosigned.json, written
// by equity/roll/fixture_test.go).
import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import fixture from './testdata/cosigned.json';
import type { RollSource } from './roll';
import { RollStatus, WitnessPanel } from './RollStatus';
import { resetRollForTests, startRollCheck } from './useRoll';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

function source(note: string, witnesses: { name: string; key: string }[] | null): RollSource {
  const unused = async () => {
    throw new Error('unused');
  };
  return {
    key: async () => fixture.log_key + '\n',
    checkpoint: async () => note,
    consistency: unused,
    inclusion: unused,
    entry: unused,
    witnesses: async () => {
      if (!witnesses) throw new Error('404');
      return { witnesses };
    },
  };
}

async function show(note: string, witnesses: { name: string; key: string }[] | null) {
  resetRollForTests(source(note, witnesses), new MemStorage());
  render(
    <>
      <RollStatus />
      <WitnessPanel />
    </>,
  );
  await act(() => startRollCheck());
}

describe('witness cosignatures in the browser', () => {
  it('shows which trusted witnesses cosigned, with the time inside the signature', async () => {
    await show(fixture.note, fixture.witnesses);
    expect(screen.getByTestId('roll-status').textContent).toBe('Court roll verified up to entry 8 ✓ · cosigned by 1 of 2 witnesses');
    expect(screen.getByTestId('witness-summary').textContent).toBe('This checkpoint (entry 8) is cosigned by 1 of 2 witnesses.');
    const items = within(screen.getByTestId('witness-list')).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([expect.stringMatching(/^witness\.a\.test: cosigned ✓ at .+ UTC$/), 'witness.b.test: not cosigned']);
    expect(screen.queryByTestId('witness-none')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when no trusted witness cosigned the checkpoint', async () => {
    await show(fixture.note, [fixture.witnesses[1]]);
    expect(screen.getByTestId('witness-summary').textContent).toMatch(/cosigned by 0 of 1 witness\./);
    expect(screen.getByTestId('witness-none').textContent).toMatch(/cannot rule out that it is shown a different court roll/);
  });

  it('warns loudly when a listed witness’s cosignature does not verify', async () => {
    const i = fixture.note.indexOf('— witness.a.test ') + 60;
    const bad = fixture.note.slice(0, i) + (fixture.note[i] === 'A' ? 'B' : 'A') + fixture.note.slice(i + 1);
    await show(bad, fixture.witnesses);
    const alert = screen.getByRole('alert');
    expect(within(alert).getByRole('heading').textContent).toBe('Warning: a witness’s cosignature does not verify');
    expect(alert.textContent).toMatch(/witness\.a\.test/);
    expect((within(alert).getByRole('textbox') as HTMLTextAreaElement).value).toBe(bad);
    expect(screen.getByTestId('witness-list').textContent).toMatch(/cosignature does not verify ✗/);
  });

  it('shows no count when the co-op lists no witnesses, and says what that means', async () => {
    await show(fixture.note, []);
    expect(screen.getByTestId('roll-status').textContent).toBe('Court roll verified up to entry 8 ✓');
    expect(screen.getByTestId('witness-summary').textContent).toMatch(/lists no witnesses/);
  });

  it('still verifies the court roll when the list cannot be fetched', async () => {
    await show(fixture.note, null);
    expect(screen.getByTestId('roll-status').textContent).toBe('Court roll verified up to entry 8 ✓');
    expect(screen.getByTestId('witness-panel').textContent).toMatch(/could not be fetched/);
  });
});
