// Client for collective rule: the constitution, proposals, ballots and the
// what-if preview (contract: PLAN-issue12.md). Amounts are decimal strings of
// units and stay strings; shares are basis points (10000 = 100 %); times are
// RFC 3339 UTC. Errors arrive as ApiError with the server's {code, message}.
import { allPages, request } from '../api';
import type { Body, Ok, Query, Refine, Schema } from '../schema';

const enc = (v: string | number) => encodeURIComponent(String(v));

export type Choice = 'yes' | 'no' | 'abstain';
export const CHOICES: readonly Choice[] = ['yes', 'no', 'abstain'];

export type ProposalStatus = 'seeking_sponsors' | 'open' | 'passed' | 'failed' | 'passed_not_executable' | 'withdrawn';

export type ChangeKind =
  | 'rate_card'
  | 'default_rate_card'
  | 'governance'
  | 'entry_rule'
  | 'work_limits'
  | 'distribution'
  | 'release_license'
  | 'constitution'
  | 'motion'
  | 'admission';

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'governance',
  'rate_card',
  'default_rate_card',
  'entry_rule',
  'work_limits',
  'distribution',
  'release_license',
  'constitution',
  'motion',
];

export type BallotMode = 'secret' | 'open';

export type Constitution = Refine<Schema<'Constitution'>, { ballot: BallotMode }>;

/** A constitution version as the history lists it: with the tally of the proposal that made it. */
export type ConstitutionVersion = Refine<Schema<'ConstitutionVersion'>, { ballot: BallotMode }>;

/** The editable fields of a constitution (what a `constitution` change carries). */
export type ConstitutionFields = Pick<
  Constitution,
  'quorum_bp' | 'ordinary_majority_bp' | 'special_majority_bp' | 'min_period_hours' | 'default_period_hours' | 'max_period_hours' | 'cosponsors' | 'ballot' | 'eligibility'
>;

// A proposal's change is one object in the document (Change: every field of
// every kind, each optional). The kinds below pick, by name, the fields each
// kind carries, so a field the server renames or retypes breaks the build.
type ChangeFields = Schema<'Change'>;

/** A change of kind K: the document's fields F, all present. */
type ChangeOf<K extends ChangeKind, F extends keyof ChangeFields> = Required<Pick<ChangeFields, F>> & { kind: K };

/** The three unit rates of a card (decimal strings). */
export type UnitRates = Required<Pick<Schema<'Rates'>, 'annotation_accepted' | 'correction' | 'review_decision'>>;

type RateFields = keyof UnitRates | 'correction_labeller_bp' | 'difficulty';

export type Rates = Required<Pick<ChangeFields, RateFields>>;

export type RateCardChange = ChangeOf<'rate_card', RateFields | 'project_id'>;

/** Coordinators may set a NEW project's card within [min, max] without a vote. */
export type DefaultRateCardChange = Refine<ChangeOf<'default_rate_card', RateFields | 'band'>, { band: { min: UnitRates; max: UnitRates } }>;

export type ExitRule = 'successor_else_reserve' | 'reserve';

export type GovernanceChange = Refine<
  ChangeOf<'governance', 'transfer_fee_bp' | 'holding_cap_bp' | 'cap_floor' | 'reserve_share_bp' | 'exit_rule'>,
  { exit_rule: ExitRule }
>;

export type EntryRuleChange = Refine<ChangeOf<'entry_rule', 'admission' | 'entry_fee'>, { admission: 'invite' | 'vote' }>;

export type WorkLimitsChange = ChangeOf<'work_limits', 'daily_stint' | 'sensitive_max'>;

export type DistributionChange = ChangeOf<'distribution', 'model_id' | 'amount' | 'currency' | 'source' | 'record_date'>;

export type ReleaseLicenseChange = ChangeOf<'release_license', 'release_id' | 'license' | 'terms'>;

export type ConstitutionChange = Partial<Refine<Pick<ChangeFields, keyof ConstitutionFields>, { ballot: BallotMode }>> & { kind: 'constitution' };

export type MotionChange = ChangeOf<'motion', 'text'>;

/** Opened by the server when an invitee applies under admission by vote; members cannot propose it. */
export type AdmissionChange = ChangeOf<'admission', 'applicant_id'>;

export type Change =
  | AdmissionChange
  | RateCardChange
  | DefaultRateCardChange
  | GovernanceChange
  | EntryRuleChange
  | WorkLimitsChange
  | DistributionChange
  | ReleaseLicenseChange
  | ConstitutionChange
  | MotionChange;

export type Tally = Schema<'VoteResult'>;

export type Proposal = Refine<
  Schema<'ProposalView'>,
  { kind: ChangeKind; change: Change; current: Change | null; my_vote: Refine<Schema<'MyVote'>, { choice: Choice | null }> }
>;

export type Page = Refine<Ok<'/api/proposals', 'get'>, { items: Proposal[] }>;

export type EarningsPair = Schema<'Pair'>;

export type PreviewWindow = Schema<'Window'>;

export type Preview = Schema<'Preview'>;

export type PublishedBallot = Schema<'BallotView'>;

export type Ballots = Refine<Schema<'Ballots'>, { ballots: PublishedBallot[] }>;

export type VoteResult = Refine<Schema<'Cast'>, { choice: Choice }>;

export type NewProposal = Refine<Body<'/api/proposals', 'post'>, { change: Change; title: string; reason: string; idempotency_key: string }>;

export type ProposalEdit = Omit<NewProposal, 'idempotency_key'>;

/** GET /api/proposals's query (cursor null: the first page). */
export type ListQuery = Omit<Query<'/api/proposals', 'get'>, 'cursor'> & { cursor?: string | null };

export function proposalsPath(q: ListQuery = {}): string {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.limit) p.set('limit', String(q.limit));
  const s = p.toString();
  return `/api/proposals${s ? '?' + s : ''}`;
}

function pageOf(r: Page | null | undefined): Page {
  return { items: r?.items ?? [], next_cursor: r?.next_cursor ?? null };
}

export const votesApi = {
  constitution: () => request<Constitution>('GET', '/api/constitution'),
  /** Every version, oldest first (every page). */
  constitutionHistory: () => allPages<ConstitutionVersion>('/api/constitution/history'),

  /** One page of proposals: open first, then newest. */
  proposals: (q: ListQuery = {}) => request<Page>('GET', proposalsPath(q)).then(pageOf),
  /** Every page (for the open list, which stays short), following next_cursor. */
  allProposals: async (q: Omit<ListQuery, 'cursor'> = {}, maxPages = 20): Promise<Proposal[]> => {
    const out: Proposal[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < maxPages; i++) {
      const page: Page = await votesApi.proposals({ ...q, cursor });
      out.push(...page.items);
      if (!page.next_cursor || page.next_cursor === cursor) break;
      cursor = page.next_cursor;
    }
    return out;
  },
  proposal: (id: number) => request<Proposal>('GET', `/api/proposals/${enc(id)}`),
  create: (b: NewProposal) => request<Proposal>('POST', '/api/proposals', b),
  amend: (id: number, b: ProposalEdit) => request<Proposal>('PUT', `/api/proposals/${enc(id)}`, b),
  sponsor: (id: number) => request<Proposal>('POST', `/api/proposals/${enc(id)}/sponsor`),
  withdraw: (id: number) => request<Proposal>('POST', `/api/proposals/${enc(id)}/withdraw`),
  /** The receipt goes back only to change one's own secret ballot. */
  vote: (id: number, choice: Choice, receipt?: string) =>
    request<VoteResult>('POST', `/api/proposals/${enc(id)}/votes`, (receipt ? { choice, receipt } : { choice }) satisfies Body<'/api/proposals/{id}/votes', 'post'>),
  preview: (id: number) => request<Preview>('GET', `/api/proposals/${enc(id)}/preview`),
  ballots: (id: number) =>
    request<Ballots>('GET', `/api/proposals/${enc(id)}/ballots`).then((r) => ({ ballots: r?.ballots ?? [], tally: r.tally })),
};

export const OPEN_STATUSES: readonly string[] = ['open', 'seeking_sponsors'];

export function isOpen(p: Pick<Proposal, 'status'>): boolean {
  return OPEN_STATUSES.includes(p.status);
}
