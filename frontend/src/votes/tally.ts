// Counting votes in the browser, exactly as the contract counts them, so any
// member can recount a closed proposal from its published ballots.
//
// - Quorum: ballots cast (abstentions included) ≥ quorum_bp/10000 × eligible.
// - Ordinary resolution: yes > ordinary_majority_bp/10000 × (yes + no).
// - Special resolution:  yes ≥ special_majority_bp/10000 × (yes + no).
// - Nothing but abstentions fails (on majority).
// Integer arithmetic only: both sides are multiplied by 10000.
import type { Choice, PublishedBallot, Tally } from './api';

export interface Counts {
  yes: number;
  no: number;
  abstain: number;
}

export interface CountRules {
  quorum_bp: number;
  ordinary_majority_bp: number;
  special_majority_bp: number;
}

export interface Result extends Counts {
  eligible: number;
  cast: number;
  quorum_needed: number;
  quorum_met: boolean;
  passed: boolean;
  reason: '' | 'quorum' | 'majority';
}

/** Counts published ballots; anything but yes/no/abstain is reported as invalid, not counted. */
export function countBallots(ballots: readonly PublishedBallot[]): Counts & { invalid: number } {
  const c = { yes: 0, no: 0, abstain: 0, invalid: 0 };
  for (const b of ballots) {
    if (b.choice === 'yes' || b.choice === 'no' || b.choice === 'abstain') c[b.choice as Choice]++;
    else c.invalid++;
  }
  return c;
}

/** The smallest number of ballots that meets the quorum. */
export function quorumNeeded(eligible: number, quorumBp: number): number {
  if (eligible <= 0 || quorumBp <= 0) return 0;
  return Math.ceil((quorumBp * eligible) / 10000);
}

/** The result of a vote, as the server's Tally computes it. */
export function tally(eligible: number, c: Counts, rules: CountRules, special: boolean): Result {
  const cast = c.yes + c.no + c.abstain;
  const quorum_met = cast * 10000 >= rules.quorum_bp * eligible;
  const decided = c.yes + c.no;
  let majority: boolean;
  if (decided === 0) majority = false;
  else if (special) majority = c.yes * 10000 >= rules.special_majority_bp * decided;
  else majority = c.yes * 10000 > rules.ordinary_majority_bp * decided;
  const passed = quorum_met && majority;
  return {
    ...c,
    eligible,
    cast,
    quorum_needed: quorumNeeded(eligible, rules.quorum_bp),
    quorum_met,
    passed,
    reason: passed ? '' : !quorum_met ? 'quorum' : 'majority',
  };
}

export interface Recount {
  counted: Counts & { invalid: number };
  /** Recomputed outcome; null when the counting rules are not known. */
  result: Result | null;
  /** Which parts differ from the recorded tally (empty: it matches). */
  differences: string[];
  matches: boolean;
}

/**
 * Recounts published ballots and compares them with the recorded tally:
 * the counts always, and the outcome (quorum, passed) when the rules in
 * force at the opening are known.
 */
export function recount(ballots: readonly PublishedBallot[], recorded: Tally, rules: CountRules | null, special: boolean): Recount {
  const counted = countBallots(ballots);
  const differences: string[] = [];
  for (const k of ['yes', 'no', 'abstain'] as const) if (counted[k] !== recorded[k]) differences.push(`${k}: ${counted[k]} counted, ${recorded[k]} recorded`);
  if (counted.invalid > 0) differences.push(`${counted.invalid} ballot${counted.invalid === 1 ? '' : 's'} with no valid choice`);
  let result: Result | null = null;
  if (rules) {
    result = tally(recorded.eligible, counted, rules, special);
    if (result.quorum_met !== recorded.quorum_met) differences.push(`quorum ${result.quorum_met ? 'met' : 'not met'} on recount, recorded ${recorded.quorum_met ? 'met' : 'not met'}`);
    if (result.passed !== recorded.passed) differences.push(`${result.passed ? 'passes' : 'fails'} on recount, recorded as ${recorded.passed ? 'passed' : 'failed'}`);
  }
  return { counted, result, differences, matches: differences.length === 0 };
}

/** "3 yes / 1 no / 1 abstain" */
export function countsText(c: Counts): string {
  return `${c.yes} yes / ${c.no} no / ${c.abstain} abstain`;
}
