import type { Principal } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { assertTransition, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { DomainError, notFound } from '../domain/errors.js';
import { sumCents } from '../domain/money.js';
import { adoptionOutcome } from '../domain/ratification.js';
import { appendAuditEvents } from '../audit/trail.js';
import type { Tx } from '../db/client.js';
import {
  findAggregate,
  findDecisionRow,
  findExistingReferences,
  insertCommitments,
  insertConditions,
  insertDecision,
  listAggregates,
  loadAggregate,
  replaceCommitments,
  replaceConditions,
  updateDecision,
  type CommitmentValues,
  type ConditionValues,
  type DecisionFilter,
} from '../db/decisions-repository.js';
import { listCentreMunicipalityIds } from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { inTransaction } from '../db/transaction.js';
import { mapConstraintViolation } from '../db/errors.js';
import { sql } from 'drizzle-orm';
import type { ServiceContext } from './context.js';
import { toDecision, type Decision } from './decision-views.js';
import { assertIfMatch } from './etag.js';

export interface DecisionInput {
  reference: string;
  title: string;
  summary?: string | null | undefined;
  boardMeetingDate: string;
  applicantOrganisationId?: string | null | undefined;
  commitments: { programmeId: string; year: number; amountCents: number; purpose?: string | null | undefined }[];
  conditions?: ConditionValues[] | undefined;
}

/** Every programme and the applicant named in the input must exist: otherwise 400 with each path. */
async function assertReferencesExist(tx: Tx, input: Partial<DecisionInput>): Promise<void> {
  const programmeIds = [...new Set((input.commitments ?? []).map((c) => c.programmeId))];
  const applicantIds = input.applicantOrganisationId ? [input.applicantOrganisationId] : [];
  const known = await findExistingReferences(tx, programmeIds, applicantIds);
  const errors = (input.commitments ?? []).flatMap((c, i) =>
    known.programmeIds.has(c.programmeId)
      ? []
      : [{ path: `/commitments/${i}/programmeId`, message: `programme ${c.programmeId} does not exist` }],
  );
  if (input.applicantOrganisationId && !known.organisationIds.has(input.applicantOrganisationId)) {
    errors.push({ path: '/applicantOrganisationId', message: `organisation ${input.applicantOrganisationId} does not exist` });
  }
  if (errors.length > 0) {
    throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'The request refers to resources that do not exist.', errors);
  }
}

function commitmentValues(input: DecisionInput['commitments']): CommitmentValues[] {
  return input.map((c) => ({ programmeId: c.programmeId, year: c.year, amountCents: c.amountCents, purpose: c.purpose ?? null }));
}

async function viewOf(ctx: ServiceContext, tx: Tx, id: string): Promise<Decision> {
  const aggregate = await loadAggregate(tx, id);
  if (aggregate === undefined) throw notFound('Decision', id);
  return toDecision(aggregate, todayInAmsterdam(ctx.clock));
}

export async function createDecision(ctx: ServiceContext, actor: Principal, input: DecisionInput): Promise<Decision> {
  const totalAmountCents = sumCents(input.commitments.map((c) => c.amountCents));
  return inTransaction(ctx.database, async (tx) => {
    await assertReferencesExist(tx, input);
    const row = await insertDecision(tx, {
      reference: input.reference,
      title: input.title,
      summary: input.summary ?? null,
      boardMeetingDate: input.boardMeetingDate,
      applicantOrganisationId: input.applicantOrganisationId ?? null,
      status: 'draft',
      totalAmountCents,
    }).catch(mapConstraintViolation);
    // A new draft's whole view is what was just inserted: no need to read it back.
    const decision = toDecision(
      {
        decision: row,
        commitments: await insertCommitments(tx, row.id, commitmentValues(input.commitments)),
        conditions: await insertConditions(tx, row.id, input.conditions ?? []),
        votes: [],
      },
      todayInAmsterdam(ctx.clock),
    );
    await appendAuditEvents(tx, actor, [{ action: 'decision.created', resourceType: 'decision', resourceId: row.id, data: { decision } }]);
    return decision;
  });
}

export async function patchDecision(
  ctx: ServiceContext,
  actor: Principal,
  id: string,
  changes: Partial<DecisionInput>,
  ifMatch?: string,
): Promise<Decision> {
  return inTransaction(ctx.database, async (tx) => {
    const current = await findDecisionRow(tx, id, true);
    if (current === undefined) throw notFound('Decision', id);
    const before = await viewOf(ctx, tx, id);
    assertIfMatch(ifMatch, before);
    assertTransition(current.status as DecisionStatus, 'edit', 'draft');
    await assertReferencesExist(tx, changes);
    await updateDecision(tx, id, {
      ...(changes.reference !== undefined && { reference: changes.reference }),
      ...(changes.title !== undefined && { title: changes.title }),
      ...(changes.summary !== undefined && { summary: changes.summary }),
      ...(changes.boardMeetingDate !== undefined && { boardMeetingDate: changes.boardMeetingDate }),
      ...(changes.applicantOrganisationId !== undefined && { applicantOrganisationId: changes.applicantOrganisationId }),
      ...(changes.commitments !== undefined && { totalAmountCents: sumCents(changes.commitments.map((c) => c.amountCents)) }),
    }).catch(mapConstraintViolation);
    if (changes.commitments !== undefined) await replaceCommitments(tx, id, commitmentValues(changes.commitments));
    if (changes.conditions !== undefined) await replaceConditions(tx, id, changes.conditions);
    const decision = await viewOf(ctx, tx, id);
    await appendAuditEvents(tx, actor, [{ action: 'decision.updated', resourceType: 'decision', resourceId: id, data: { before, decision } }]);
    return decision;
  });
}

/** Adoption freezes the centre municipalities of this moment into the decision when it needs ratification. */
export async function adoptDecision(ctx: ServiceContext, actor: Principal, id: string, ifMatch?: string): Promise<Decision> {
  return inTransaction(ctx.database, async (tx) => {
    const current = await findDecisionRow(tx, id, true);
    if (current === undefined) throw notFound('Decision', id);
    if (ifMatch !== undefined) assertIfMatch(ifMatch, await viewOf(ctx, tx, id));
    const centre = await listCentreMunicipalityIds(tx);
    const outcome = adoptionOutcome(current.status as DecisionStatus, current.totalAmountCents, centre);
    await updateDecision(tx, id, {
      status: outcome.status,
      requiredMunicipalityIds: outcome.requiredMunicipalityIds,
      adoptedAt: sql`now()`,
    });
    const decision = await viewOf(ctx, tx, id);
    await appendAuditEvents(tx, actor, [{ action: 'decision.adopted', resourceType: 'decision', resourceId: id, data: { decision } }]);
    return decision;
  });
}

export async function withdrawDecision(
  ctx: ServiceContext,
  actor: Principal,
  id: string,
  reason: string,
  ifMatch?: string,
): Promise<Decision> {
  return inTransaction(ctx.database, async (tx) => {
    const current = await findDecisionRow(tx, id, true);
    if (current === undefined) throw notFound('Decision', id);
    if (ifMatch !== undefined) assertIfMatch(ifMatch, await viewOf(ctx, tx, id));
    assertTransition(current.status as DecisionStatus, 'withdraw', 'withdrawn');
    await updateDecision(tx, id, { status: 'withdrawn', withdrawnAt: sql`now()`, withdrawalReason: reason });
    const decision = await viewOf(ctx, tx, id);
    await appendAuditEvents(tx, actor, [
      { action: 'decision.withdrawn', resourceType: 'decision', resourceId: id, data: { reason, decision } },
    ]);
    return decision;
  });
}

export async function getDecision(ctx: ServiceContext, id: string): Promise<Decision> {
  const aggregate = await findAggregate(ctx.database.db, id);
  if (aggregate === undefined) throw notFound('Decision', id);
  return toDecision(aggregate, todayInAmsterdam(ctx.clock));
}

export async function listDecisionsPage(
  ctx: ServiceContext,
  filter: DecisionFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Decision>> {
  const rows = await listAggregates(ctx.database.db, filter, decodeCursor(cursor), limit);
  const today = todayInAmsterdam(ctx.clock);
  return toPage(rows, limit, (aggregate) => toDecision(aggregate, today));
}
