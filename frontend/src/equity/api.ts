// Client for the equity register (server/handle_equity.go, docs/LEDGER.md).
// Amounts are decimal strings and stay strings.
import { request } from '../api';
import type { Body, Ok, Query, Schema } from '../schema';

const enc = (v: string | number) => encodeURIComponent(String(v));

export type Head = Schema<'Head'>;

export type Balance = Schema<'Balance'>;

export type MyEquity = Ok<'/api/equity/me', 'get'>;

export type GovernanceView = Schema<'GovernanceJSON'>;

export type GovernanceRow = Schema<'Governance'>;

export type RateCardRow = Schema<'RateCard'>;

export type RateCardView = Schema<'RateCardJSON'>;

export type RegisterHolder = Schema<'RegisterHolder'>;

export type Distribution = Schema<'RegisterDistribution'>;

export type Register = Schema<'Register'>;

export type RegisterRelease = Schema<'RegisterRelease'>;

export type Cause = Schema<'Cause'>;

export type Category =
  | 'annotation'
  | 'correction'
  | 'review'
  | 'void'
  | 'clawback'
  | 'reversal'
  | 'transfer'
  | 'fee'
  | 'exit'
  | 'revenue'
  | 'reserve_share'
  | 'payout';

export type StatementLine = Schema<'LineView'>;

export type Payout = Schema<'PayoutView'>;

export type TotalKey =
  | 'annotations'
  | 'corrections'
  | 'reviews'
  | 'reversals'
  | 'transfers_in'
  | 'transfers_out'
  | 'fees'
  | 'succession_in'
  | 'succession_out';

export type Statement = Schema<'StatementView'>;

export type HoldingPoint = Schema<'HoldingPoint'>;

export type Posting = Schema<'PostingJSON'>;

export type Transaction = Schema<'TxJSON'>;

/** A statement's range and member (the documented query; format is statementPath's csv). */
export type StatementQuery = Omit<Query<'/api/equity/models/{id}/statement', 'get'>, 'format'>;

export function statementPath(modelId: number, q: StatementQuery = {}, csv = false): string {
  const p = new URLSearchParams();
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  if (q.member) p.set('member', String(q.member));
  if (csv) p.set('format', 'csv');
  const s = p.toString();
  return `/api/equity/models/${enc(modelId)}/statement${s ? '?' + s : ''}`;
}

export const equityApi = {
  head: () => request<Head>('GET', '/api/equity/head'),
  me: () => request<MyEquity>('GET', '/api/equity/me'),
  governance: () => request<GovernanceView>('GET', '/api/equity/governance'),
  register: (modelId: number) => request<Register>('GET', `/api/equity/models/${enc(modelId)}/register`),
  statement: (modelId: number, q: StatementQuery = {}) => request<Statement>('GET', statementPath(modelId, q)),
  holdings: (modelId: number) =>
    request<Ok<'/api/equity/models/{id}/holdings', 'get'>>('GET', `/api/equity/models/${enc(modelId)}/holdings`).then((r) => r.points ?? []),
  rateCard: (projectId: number) => request<RateCardView>('GET', `/api/projects/${enc(projectId)}/rate-card`),
  transfer: (b: Body<'/api/equity/transfers', 'post'>) =>
    request<Transaction>('POST', '/api/equity/transfers', b),
  setSuccessor: (successor_id: number) => request<Ok<'/api/equity/successor', 'put'>>('PUT', '/api/equity/successor', { successor_id } satisfies Body<'/api/equity/successor', 'put'>),
  setPrivacy: (hidden: boolean) => request<Schema<'Privacy'>>('PUT', '/api/equity/privacy', { hidden } satisfies Body<'/api/equity/privacy', 'put'>),

  setRateCard: (
    projectId: number,
    b: Body<'/api/projects/{id}/rate-card', 'post'>,
  ) => request<RateCardView>('POST', `/api/projects/${enc(projectId)}/rate-card`, b),
  exit: (memberId: number) => request<Transaction | Ok<'/api/equity/members/{id}/exit', 'post'>>('POST', `/api/equity/members/${enc(memberId)}/exit`),
};
