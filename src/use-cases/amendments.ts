import { assertAmendable } from '../domain/amendments.js';
import { assertTransition } from '../domain/decision-lifecycle.js';
import { Problems } from '../domain/errors.js';
import { findLiveAmendment } from '../db/amendments-repository.js';
import type { ServiceContext } from './context.js';
import type { Decision } from './decision-views.js';
import { lockAndLoadAggregate } from '../db/decisions-repository.js';
import { registerDraft, type DecisionInput } from './decisions.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

/**
 * Starts an amendment (wijzigingsbesluit) of a binding decision: a new draft with `amends` set,
 * holding the full new set of commitments. It is edited, adopted, ratified or withdrawn like any
 * draft; when it binds, the decision it amends is superseded (see `amendment-binding.ts`).
 *
 * At most one amendment of a decision is live (in draft or awaiting ratification). Why that holds
 * under concurrency: the amended decision's row is locked before its live amendments are looked
 * up, and the new draft is inserted under that lock, so of two amendments started at once the
 * second sees the first.
 */
export async function createAmendment(ctx: ServiceContext, caller: Caller, amendedId: string, input: DecisionInput): Promise<Decision> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const amended = await lockAndLoadAggregate(uow.tx, amendedId);
    const live = await findLiveAmendment(uow.tx, amendedId);
    // A state that allows no amendment answers alone; a live amendment is answered with the problems of the body.
    assertTransition(amended.decision.status, 'amend');
    const problems = new Problems();
    problems.check(() => assertAmendable(amended.decision.status, live?.id ?? null));
    return registerDraft(ctx, uow, input, { id: amendedId, totalAmountCents: amended.decision.totalAmountCents }, problems);
  });
}
