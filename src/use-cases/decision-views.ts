import { isBinding, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { conditionStatus } from '../domain/conditions.js';
import { RATIFICATION_THRESHOLD_CENTS, requiresRatification, type VoteOutcome } from '../domain/ratification.js';
import type { Commitment, Condition, Decision, Vote } from '../domain/records.js';
import type {
  CommitmentListRow,
  CommitmentRow,
  ConditionRow,
  DecisionAggregate,
  VoteRow,
} from '../db/decisions-repository.js';

export type { Commitment, Condition, Decision, Vote } from '../domain/records.js';

export interface CommitmentListItem extends Commitment {
  decisionId: string;
  decisionStatus: DecisionStatus;
  binding: boolean;
}

export function toCommitment(row: CommitmentRow): Commitment {
  return { id: row.id, programmeId: row.programmeId, year: row.year, amountCents: row.amountCents, purpose: row.purpose };
}

export function toCondition(row: ConditionRow, today: string): Condition {
  return {
    id: row.id,
    description: row.description,
    dueDate: row.dueDate,
    status: conditionStatus(row, today),
    fulfilledOn: row.fulfilledOn,
    evidence: row.evidence,
  };
}

export function toVote(row: VoteRow): Vote {
  return {
    id: row.id,
    decisionId: row.decisionId,
    municipalityId: row.municipalityId,
    outcome: row.outcome as VoteOutcome,
    decidedOn: row.decidedOn,
    reference: row.reference,
    note: row.note,
    castAt: row.castAt.toISOString(),
  };
}

export function toDecision(aggregate: DecisionAggregate, today: string): Decision {
  const { decision } = aggregate;
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
      required: requiresRatification(decision.totalAmountCents),
      thresholdCents: RATIFICATION_THRESHOLD_CENTS,
      requiredMunicipalityIds: decision.requiredMunicipalityIds,
      votes: aggregate.votes.map(toVote),
    },
    adoptedAt: decision.adoptedAt?.toISOString() ?? null,
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
