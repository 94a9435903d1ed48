import type { DecisionStatus } from '../domain/decision-lifecycle.js';
import { isBinding } from '../domain/decision-lifecycle.js';
import { conditionStatus, type ConditionStatus } from '../domain/conditions.js';
import { RATIFICATION_THRESHOLD_CENTS, requiresRatification, type VoteOutcome } from '../domain/ratification.js';
import type {
  CommitmentListRow,
  CommitmentRow,
  ConditionRow,
  DecisionAggregate,
  VoteRow,
} from '../db/decisions-repository.js';

/** The public shapes of decisions and their parts, as the contract names them. */
export interface Commitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: number;
  purpose: string | null;
}

export interface Condition {
  id: string;
  description: string;
  dueDate: string;
  status: ConditionStatus;
  fulfilledOn: string | null;
  evidence: string | null;
}

export interface Vote {
  id: string;
  decisionId: string;
  municipalityId: string;
  outcome: VoteOutcome;
  decidedOn: string;
  reference: string | null;
  note: string | null;
  castAt: string;
}

export interface Decision {
  id: string;
  reference: string;
  title: string;
  summary: string | null;
  boardMeetingDate: string;
  applicantOrganisationId: string | null;
  status: DecisionStatus;
  totalAmountCents: number;
  commitments: Commitment[];
  conditions: Condition[];
  ratification: {
    required: boolean;
    thresholdCents: number;
    requiredMunicipalityIds: string[];
    votes: Vote[];
  };
  adoptedAt: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
}

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
    status: decision.status as DecisionStatus,
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
  const status = row.decisionStatus as DecisionStatus;
  return { ...toCommitment(row), decisionId: row.decisionId, decisionStatus: status, binding: isBinding(status) };
}
