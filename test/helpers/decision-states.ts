import type { Decision } from '../../src/use-cases/decision-views.js';
import type { Client } from './app.js';
import { decisionBody, type CommitmentInput } from './after-adoption.js';
import { expectStatus } from './assertions.js';
import { adopt, createDecision, getDecision } from './factories.js';

/** The conditions of a decision made by `draftDecision` unless told: due before, on and after 2026-03-01. */
export const DEFAULT_CONDITIONS = [
  { description: 'Meetbare resultaatcriteria aanleveren, ten minste het verwachte aantal plaatsingen', dueDate: '2026-02-15' },
  { description: 'Begroting 2026 aanleveren', dueDate: '2026-03-01' },
  { description: 'Eerste voortgangsrapportage', dueDate: '2026-03-02' },
];

/** EUR 50,000: binds at adoption. */
export const SMALL: CommitmentInput[] = [{ year: 2026, amountCents: 5_000_000 }];
/** EUR 200,000: needs the three colleges. */
export const LARGE: CommitmentInput[] = [{ year: 2026, amountCents: 20_000_000 }];

/** A fulfilment body: fulfilled on 2026-02-14 with its evidence. */
export const evidence = { fulfilledOn: '2026-02-14', evidence: 'Notitie resultaatcriteria WTMR, 14 februari 2026' };

/**
 * Decisions of one programme brought into any state over HTTP (board meeting 2026-01-22, votes
 * on 2026-02-20), for tests whose today is 2026-03-01.
 */
export function decisionStates(admin: Client, programmeId: string, centreIds: readonly string[]) {
  function draftDecision(
    client: Client,
    commitments: CommitmentInput[],
    conditions: { description: string; dueDate: string }[] = DEFAULT_CONDITIONS,
  ): Promise<Decision> {
    return createDecision(client, decisionBody(commitments.map((c) => ({ programmeId, ...c })), { conditions }));
  }

  async function voteOn(id: string, municipalityId: string, outcome: 'approve' | 'reject'): Promise<void> {
    const res = await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId, outcome, decidedOn: '2026-02-20' });
    expectStatus(res, 201, `vote ${outcome}`);
  }

  async function inState(status: string, commitments?: CommitmentInput[]): Promise<Decision> {
    const draft = await draftDecision(admin, commitments ?? (status === 'adopted' ? SMALL : LARGE));
    if (status === 'draft') return draft;
    if (status === 'withdrawn') {
      expectStatus(await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'Ingetrokken' }), 200, 'withdraw');
      return getDecision(admin, draft.id);
    }
    if (status === 'adopted') return adopt(admin, draft.id, 'adopted');
    const pending = await adopt(admin, draft.id, 'pending_ratification');
    if (status === 'ratified') for (const id of centreIds) await voteOn(pending.id, id, 'approve');
    if (status === 'rejected') await voteOn(pending.id, centreIds[0]!, 'reject');
    const decision = await getDecision(admin, pending.id);
    if (decision.status !== status) throw new Error(`expected ${status}, got ${decision.status}`);
    return decision;
  }

  function fulfil(client: Client, decisionId: string, conditionId: string, body: Record<string, unknown>) {
    return client.post(`/api/v1/decisions/${decisionId}/conditions/${conditionId}/fulfil`, body);
  }

  return { draftDecision, voteOn, inState, fulfil };
}
