import { actingMunicipality, assertActsFor, type Principal } from '../domain/access.js';
import { amsterdamDateOf } from '../domain/clock.js';
import { DomainError, notFound } from '../domain/errors.js';
import { wasAskedToRatify } from '../domain/ratification.js';
import { ratificationRequestSubject, type RatificationRequest } from '../domain/ratification-request.js';
import { loadAggregate } from '../db/decisions-repository.js';
import {
  coFinancingOfProgrammeYears,
  decisionRefs,
  lastDecisionEvent,
  organisationNames,
  programmeRefs,
  statuteRuleReference,
} from '../db/ratification-request-repository.js';
import { inTransaction } from '../db/transaction.js';
import { firstServedCheckpointFrom } from '../db/tlog-witness-repository.js';
import type { Tx } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { witnessId, type TlogSettings } from './tlog-settings.js';

/**
 * The ratification request of one decision to one college (`GET /decisions/{id}/ratification-request`):
 * every fact the letter needs, names resolved, read in one repeatable-read transaction so that
 * the facts, the audit `seq` and the checkpoint belong to one state of the register. Nothing in
 * it depends on the wall clock: the letter's date is the day of the decision's last event.
 *
 * Checks in the contract's order: a college key asks for its own municipality (403; also checked
 * at the HTTP edge), 404 for an unknown decision, 409 for one never put to the colleges, 400 for
 * a municipality it does not require (or none named by a key that is not a college's).
 */
export async function getRatificationRequest(
  ctx: ServiceContext,
  tlog: TlogSettings | undefined,
  caller: Principal,
  decisionId: string,
  municipalityId: string | undefined,
): Promise<RatificationRequest> {
  const addressee = actingMunicipality(caller, municipalityId, '/municipalityId');
  assertActsFor(caller, addressee);
  return inTransaction(ctx.database, (tx) => gather(tx, tlog, decisionId, addressee), 'repeatable read');
}

async function gather(tx: Tx, tlog: TlogSettings | undefined, decisionId: string, municipalityId: string): Promise<RatificationRequest> {
  const aggregate = await loadAggregate(tx, decisionId);
  if (aggregate === undefined) throw notFound('Decision', decisionId);
  const { decision, commitments, conditions, votes } = aggregate;
  if (!wasAskedToRatify(decision) || decision.statuteRuleVersion === null || decision.thresholdCents === null || decision.ratificationReason === null) {
    throw new DomainError('DECISION_NOT_IN_RATIFICATION', `Decision ${decisionId} was never put to the colleges for ratification (status ${decision.status}).`);
  }
  if (!decision.requiredMunicipalityIds.includes(municipalityId)) {
    throw new DomainError('MUNICIPALITY_NOT_REQUIRED', `Municipality ${municipalityId} is not asked to ratify decision ${decisionId}.`, [
      { path: '/municipalityId', message: "is not one of the decision's requiredMunicipalityIds" },
    ]);
  }
  const programmeIds = [...new Set(commitments.map((c) => c.programmeId))];
  const years = [...new Set(commitments.map((c) => c.year))];
  const related = decision.relatedDecisions.flatMap((r) => (r.decisionId === null ? [] : [r.decisionId]));
  const splitting = decision.splittingRelatedDecisionIds ?? [];
  const names = await organisationNames(tx, [...decision.requiredMunicipalityIds, ...votes.map((v) => v.municipalityId)]);
  const programmesById = await programmeRefs(tx, programmeIds);
  const refs = await decisionRefs(tx, [...new Set([...related, ...splitting])]);
  const coFinancing = await coFinancingOfProgrammeYears(tx, programmeIds, years);
  const ruleReference = await statuteRuleReference(tx, decision.statuteRuleVersion);
  const last = await lastDecisionEvent(tx, decisionId);
  // Adoption into pending_ratification is an audit event of the decision: there is always one.
  if (last === undefined) throw new Error(`decision ${decisionId} has no audit event`);
  const checkpoint = tlog?.signer === undefined ? undefined : await firstServedCheckpointFrom(tx, last.seq, tlog.witnesses.map(witnessId), tlog.quorum);

  const organisation = (id: string) => ({ id, name: names.get(id) ?? id });
  const programme = (id: string) => programmesById.get(id) ?? { id, code: id, name: id };
  return {
    decisionId,
    municipality: organisation(municipalityId),
    letterDate: amsterdamDateOf(last.occurredAt),
    subject: ratificationRequestSubject(decision.title),
    reference: decision.reference,
    title: decision.title,
    summary: decision.summary,
    boardMeetingDate: decision.boardMeetingDate,
    commitments: commitments.map((c) => ({ programme: programme(c.programmeId), year: c.year, amountCents: c.amountCents, purpose: c.purpose })),
    totalAmountCents: decision.totalAmountCents,
    conditions: conditions.map((c) => ({ description: c.description, dueDate: c.dueDate, blocksDisbursement: c.blocksDisbursement })),
    statuteRule: { version: decision.statuteRuleVersion, thresholdCents: decision.thresholdCents, reference: ruleReference ?? `versie ${decision.statuteRuleVersion}` },
    reason: decision.ratificationReason,
    relatedDecisions: decision.relatedDecisions.map((r) => {
      const ref = r.decisionId === null ? undefined : refs.get(r.decisionId);
      return { ...r, reference: ref?.reference ?? null, title: ref?.title ?? null };
    }),
    splitting: {
      suspected: decision.splittingSuspected ?? false,
      cumulativeCents: decision.splittingCumulativeCents,
      relatedDecisions: splitting.flatMap((id) => refs.get(id) ?? []),
    },
    fundCoverage:
      decision.fundUncommittedCentsBefore === null || decision.fundSufficient === null
        ? null
        : { uncommittedCentsBefore: decision.fundUncommittedCentsBefore, sufficient: decision.fundSufficient },
    coFinancing: coFinancing.map((c) => ({
      programme: programme(c.programmeId),
      year: c.year,
      funder: { organisationId: c.funderOrganisationId, name: c.funderName },
      kind: c.kind,
      amountCents: c.amountCents,
      reference: c.reference,
    })),
    documents: decision.documents,
    requiredMunicipalities: decision.requiredMunicipalityIds.map(organisation),
    votes: votes.map((v) => ({ municipality: organisation(v.municipalityId), outcome: v.outcome, decidedOn: v.decidedOn })),
    dueDate: decision.ratificationDueDate,
    auditSeq: last.seq,
    checkpoint: checkpoint === undefined ? null : { treeSize: checkpoint.size, rootHash: checkpoint.root.toString('hex') },
  };
}
