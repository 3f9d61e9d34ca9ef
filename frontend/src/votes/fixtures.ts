// Test fixtures: proposals and previews shaped like the contract's JSON.
import type { Constitution, Preview, Proposal } from './api';

export const CONSTITUTION: Constitution = {
  version: 1,
  quorum_bp: 2500,
  ordinary_majority_bp: 5000,
  special_majority_bp: 6667,
  min_period_hours: 24,
  default_period_hours: 168,
  max_period_hours: 720,
  cosponsors: 0,
  ballot: 'secret',
  eligibility: 'active_admitted_before_open',
  proposal_id: null,
  created_at: '2026-01-01T00:00:00Z',
};

export function proposal(over: Partial<Proposal> = {}): Proposal {
  return {
    id: 7,
    title: 'Charge 1% on transfers',
    reason: 'Fund the reserve from transfers.',
    kind: 'governance',
    special: false,
    change: { kind: 'governance', transfer_fee_bp: 100, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    current: { kind: 'governance', transfer_fee_bp: 0, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    status: 'open',
    revision: 1,
    ballot: 'secret',
    period_hours: 168,
    proposer: { id: 3, name: 'Lena Labeller' },
    sponsors: 0,
    sponsors_needed: 0,
    created_at: '2026-01-01T00:00:00Z',
    opened_at: '2026-01-01T00:00:00Z',
    closes_at: '2099-01-08T00:00:00Z',
    closed_at: null,
    eligible: 5,
    voted: 0,
    quorum_needed: 2,
    tally: null,
    my_vote: { voted: false, choice: null },
    executed: null,
    execution_error: '',
    register_seq: 123,
    ...over,
  };
}

export const PREVIEW: Preview = {
  kind: 'governance',
  applies: true,
  windows: [
    {
      days: 90,
      members: [
        { current: '1.000000', proposed: '1.000000' },
        { current: '3.000000', proposed: '2.970000' },
      ],
      median: { current: '2.000000', proposed: '1.985000' },
      you: { current: '3.000000', proposed: '2.970000' },
      reserve: { current: '0.000000', proposed: '0.030000' },
    },
    {
      days: 30,
      members: [
        { current: '1.000000', proposed: '1.000000' },
        { current: '2.000000', proposed: '1.980000' },
      ],
      median: { current: '1.500000', proposed: '1.490000' },
      you: { current: '2.000000', proposed: '1.980000' },
      reserve: { current: '0.000000', proposed: '0.020000' },
    },
  ],
};
