import { randomBytes } from 'node:crypto';
import type { Decision } from '../../src/use-cases/decision-views.js';
import type { EszlFunding, FundingYear, ProgrammeFunding } from '../../src/use-cases/funding.js';
import type { Client } from './app.js';
import { expectJson, expectStatus } from './assertions.js';
import { adopt, createDecision, getDecision } from './factories.js';

/**
 * Steps of the life of a decision after adoption, over the HTTP API, for the tests of payments,
 * amendments and settlement. Each throws unless the API answered as a set-up step must.
 */

/**
 * A commitment of a decision body, as the tests write one. The API requires `programmeId`;
 * `decisionStates` (decision-states.ts) fills in its own programme where it is left out.
 */
export interface CommitmentInput {
  programmeId?: string;
  year: number;
  amountCents: number;
  purpose?: string;
}

export interface ConditionInput {
  description: string;
  dueDate: string;
  blocksDisbursement?: boolean;
}

export const reference = (prefix = 'PB') => `${prefix}-${randomBytes(5).toString('hex')}`;

export function decisionBody(commitments: CommitmentInput[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { reference: reference(), title: 'Principebesluit', boardMeetingDate: '2026-01-22', commitments, ...overrides };
}

/** Votes of every one of `municipalityIds` on `decidedOn`; the decision after the last. */
export async function ratify(client: Client, id: string, municipalityIds: readonly string[], decidedOn: string): Promise<Decision> {
  for (const municipalityId of municipalityIds) {
    expectStatus(await client.post(`/api/v1/decisions/${id}/votes`, { municipalityId, outcome: 'approve', decidedOn }), 201, 'vote');
  }
  return getDecision(client, id);
}

/** A decision that binds: adopted at once below the threshold, ratified on `decidedOn` at or above it. */
export async function bindingDecision(
  client: Client,
  centreIds: readonly string[],
  commitments: CommitmentInput[],
  options: { conditions?: ConditionInput[]; decidedOn?: string; boardMeetingDate?: string } = {},
): Promise<Decision> {
  const total = commitments.reduce((sum, c) => sum + c.amountCents, 0);
  const draft = await createDecision(
    client,
    decisionBody(commitments, {
      ...(options.conditions && { conditions: options.conditions }),
      ...(options.boardMeetingDate && { boardMeetingDate: options.boardMeetingDate }),
    }),
  );
  if (total < 10_000_000) return adopt(client, draft.id, 'adopted');
  await adopt(client, draft.id, 'pending_ratification');
  return ratify(client, draft.id, centreIds, options.decidedOn ?? '2026-02-20');
}

export function pay(client: Client, decisionId: string, commitmentId: string, amountCents: number, paidOn = '2026-03-01') {
  return client.post(`/api/v1/decisions/${decisionId}/disbursements`, { commitmentId, amountCents, paidOn, reference: reference('BET') });
}

export async function paid(client: Client, decisionId: string, commitmentId: string, amountCents: number, paidOn = '2026-03-01') {
  return expectJson<{ id: string }>(await pay(client, decisionId, commitmentId, amountCents, paidOn), 201, 'pay');
}

export async function amend(client: Client, amendedId: string, commitments: CommitmentInput[], overrides: Record<string, unknown> = {}): Promise<Decision> {
  const res = await client.post(`/api/v1/decisions/${amendedId}/amendments`, decisionBody(commitments, overrides));
  return expectJson<Decision>(res, 201, 'amend');
}

export function settle(client: Client, decision: Decision, finals: number[], settledOn = '2026-03-01', headers?: Record<string, string>) {
  return client.post(
    `/api/v1/decisions/${decision.id}/settle`,
    {
      settledOn,
      reference: reference('VS'),
      finalAmounts: decision.commitments.map((c, i) => ({ commitmentId: c.id, amountCents: finals[i] })),
    },
    headers,
  );
}

export async function programmeFunding(client: Client, programmeId: string): Promise<ProgrammeFunding> {
  return expectJson<ProgrammeFunding>(await client.get(`/api/v1/programmes/${programmeId}/funding`), 200, 'funding');
}

export async function eszlFunding(client: Client, year?: number): Promise<EszlFunding> {
  return expectJson<EszlFunding>(await client.get(`/api/v1/funding${year === undefined ? '' : `?year=${year}`}`), 200, 'funding');
}

/** The year of a funding view, or undefined. */
export const yearOf = (funding: { years: FundingYear[] }, year: number) => funding.years.find((y) => y.year === year);
