import { isBinding, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { conditionStatus, isFulfilledLate } from '../domain/conditions.js';
import { isRatificationOverdue, requiresRatification } from '../domain/ratification.js';
import type { Commitment, Condition, Decision, Vote } from '../domain/records.js';
import { ruleInForce, type RuleTerms } from '../domain/statute.js';
import type { CommitmentListRow, CommitmentRow, ConditionRow, DecisionAggregate, VoteRow } from '../db/decisions-repository.js';

export type { Commitment, Condition, Decision, Vote } from '../domain/records.js';

export interface CommitmentListItem extends Commitment {
  decisionId: string;
  decisionStatus: DecisionStatus;
  binding: boolean;
}

export function toCommitment(row: CommitmentRow): Commitment {
  return {
    id: row.id,
    programmeId: row.programmeId,
    year: row.year,
    amountCents: row.amountCents,
    purpose: row.purpose,
    finalAmountCents: row.finalAmountCents,
    disbursedCents: row.disbursedCents,
  };
}

export function toCondition(row: ConditionRow, today: string): Condition {
  return {
    id: row.id,
    description: row.description,
    dueDate: row.dueDate,
    status: conditionStatus(row, today),
    fulfilledOn: row.fulfilledOn,
    evidence: row.evidence,
    blocksDisbursement: row.blocksDisbursement,
    fulfilledLate: isFulfilledLate(row),
    reference: row.reference,
    documents: row.documents,
    indicatorIds: row.indicatorIds,
  };
}

export function toVote(row: VoteRow): Vote {
  return {
    id: row.id,
    decisionId: row.decisionId,
    municipalityId: row.municipalityId,
    outcome: row.outcome,
    decidedOn: row.decidedOn,
    reference: row.reference,
    note: row.note,
    castAt: row.castAt.toISOString(),
    collegeDecisionId: row.collegeDecisionId,
  };
}

/**
 * The whole decision as the contract shows it. What adoption froze (the statute rule, the
 * ratification reason and deadline, the splitting verdict, the fund coverage) is shown as frozen,
 * whatever rules came later; a decision never adopted shows the rule adoption would apply now
 * (the one in force on its board meeting date) among `rules`, by default the rules the loader
 * read with it (`draftRules`): a loaded draft needs nothing else.
 */
export function toDecision(aggregate: DecisionAggregate, today: string, rules: readonly RuleTerms[] = aggregate.draftRules ?? []): Decision {
  const { decision } = aggregate;
  const frozen = decision.statuteRuleVersion !== null && decision.thresholdCents !== null;
  const rule = frozen ? undefined : ruleInForce(rules, decision.boardMeetingDate);
  const required =
    rule === undefined
      ? decision.ratificationReason !== null
      : requiresRatification(decision.totalAmountCents, rule, aggregate.amendedTotalCents);
  return {
    id: decision.id,
    reference: decision.reference,
    title: decision.title,
    summary: decision.summary,
    boardMeetingDate: decision.boardMeetingDate,
    applicantOrganisationId: decision.applicantOrganisationId,
    status: decision.status,
    totalAmountCents: decision.totalAmountCents,
    commitments: aggregate.commitments.map(toCommitment),
    conditions: aggregate.conditions.map((row) => toCondition(row, today)),
    ratification: {
      required,
      thresholdCents: rule?.thresholdCents ?? decision.thresholdCents!,
      requiredMunicipalityIds: decision.requiredMunicipalityIds,
      votes: aggregate.votes.map(toVote),
      statuteRuleVersion: rule?.version ?? decision.statuteRuleVersion!,
      reason: decision.ratificationReason,
      dueDate: decision.ratificationDueDate,
      overdue: isRatificationOverdue(decision.status, decision.ratificationDueDate, today),
    },
    documents: decision.documents,
    relatedDecisions: decision.relatedDecisions,
    amends: decision.amends,
    splitting: {
      suspected: decision.splittingSuspected ?? false,
      cumulativeCents: decision.splittingCumulativeCents,
      relatedDecisionIds: decision.splittingRelatedDecisionIds ?? [],
    },
    fundCoverage:
      decision.fundUncommittedCentsBefore === null || decision.fundSufficient === null
        ? null
        : { uncommittedCentsBefore: decision.fundUncommittedCentsBefore, sufficient: decision.fundSufficient },
    settlement:
      decision.settledOn === null || decision.settledAt === null
        ? null
        : { settledOn: decision.settledOn, reference: decision.settlementReference ?? '', settledAt: decision.settledAt.toISOString() },
    adoptedAt: decision.adoptedAt?.toISOString() ?? null,
    adoptedOn: decision.adoptedOn,
    withdrawnAt: decision.withdrawnAt?.toISOString() ?? null,
    withdrawalReason: decision.withdrawalReason,
    createdAt: decision.createdAt.toISOString(),
    updatedAt: decision.updatedAt.toISOString(),
  };
}

export function toCommitmentListItem(row: CommitmentListRow): CommitmentListItem {
  const status = row.decisionStatus;
  return { ...toCommitment(row), decisionId: row.decisionId, decisionStatus: status, binding: isBinding(status) };
}
