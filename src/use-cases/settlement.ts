import { todayInAmsterdam } from '../domain/clock.js';
import { DomainError, Problems } from '../domain/errors.js';
import { assertTransition } from '../domain/decision-lifecycle.js';
import { bindingSince } from '../domain/ratification.js';
import { MAX_DOCUMENTS, toDocumentRefs, type DocumentInput } from '../domain/documents.js';
import { decideSettlement } from '../domain/settlement.js';
import { findLiveAmendment } from '../db/amendments-repository.js';
import { transactionTime } from '../db/transaction.js';
import { setFinalAmounts, updateDecision } from '../db/decisions-repository.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { toDecision, type Decision } from './decision-views.js';
import { lockAndLoadAggregate } from '../db/decisions-repository.js';
import { rulesForViews } from './statute-rules.js';
import { assertExpectedVersion, type ExpectedVersion } from './etag.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export interface SettlementInput {
  settledOn: string;
  finalAmounts: { commitmentId: string; amountCents: number }[];
  reference: string;
  documents?: DocumentInput[] | undefined;
}


/**
 * Settles (vaststelling) an adopted or ratified decision: the final amounts bind from now on and
 * the rest of each commitment is released; the settlement's documents join the decision's. The
 * decision's row lock orders it with payments, so no payment slips in between the check that
 * every final amount covers what was paid and the write (the CHECK constraint on
 * `disbursed_cents` backs that too). If-Match is honoured as on adoption.
 */
export async function settleDecision(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  input: SettlementInput,
  expected?: ExpectedVersion,
): Promise<Decision> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const today = todayInAmsterdam(ctx.clock);
    const aggregate = await lockAndLoadAggregate(tx, id);
    const current = toDecision(aggregate, today, await rulesForViews(tx, [aggregate]));
    assertExpectedVersion(expected, current);
    // A state that allows no settlement answers alone; every other problem is answered together.
    assertTransition(current.status, 'settle');
    const problems = new Problems();
    const liveAmendmentId = (await findLiveAmendment(tx, id))?.id ?? null;
    const finals = problems.check(() =>
      decideSettlement({ status: current.status, liveAmendmentId, bindingSince: bindingSince(current), today, commitments: current.commitments }, input),
    );
    const added = problems.check(() => toDocumentRefs(input.documents ?? [])) ?? [];
    const documents = [...current.documents, ...added];
    if (documents.length > MAX_DOCUMENTS) {
      problems.add(new DomainError('VALIDATION_FAILED', `A decision holds at most ${MAX_DOCUMENTS} documents; it has ${current.documents.length}.`, [
        { path: '/documents', message: `at most ${MAX_DOCUMENTS - current.documents.length} more documents` },
      ]));
    }
    problems.throwIfAny();
    const commitments = await setFinalAmounts(tx, id, finals!).catch(mapConstraintViolation);
    const row = await updateDecision(tx, id, {
      status: 'settled',
      settledOn: input.settledOn,
      settlementReference: input.reference,
      settledAt: transactionTime(),
      documents,
    });
    const decision = toDecision({ ...aggregate, decision: row, commitments }, today);
    uow.emit('decision.settled', { decision });
    return decision;
  });
}
