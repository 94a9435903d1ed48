import type { EventType } from './events.js';
import type { Role } from './access.js';
import type { ConditionStatus } from './conditions.js';
import type { DecisionStatus } from './decision-lifecycle.js';
import type { OrganisationKind } from './organisations.js';
import type { VoteOutcome } from './ratification.js';

/**
 * The register's records as the contract names them: what clients read and what the events of
 * the audit trail carry. Pure shapes; the use cases build them from the stored rows.
 */
export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  centreMunicipality: boolean;
  kvkNumber: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Programme {
  id: string;
  code: string;
  name: string;
  description: string | null;
  ownerOrganisationId: string | null;
  createdAt: string;
  updatedAt: string;
}

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

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  organisationId: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface Subscription {
  id: string;
  callbackUrl: string;
  eventTypes: EventType[];
  programmeId: string | null;
  municipalityId: string | null;
  active: boolean;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  decisionId: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  firstAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: { attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null }[];
}
