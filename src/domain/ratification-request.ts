import type { VoteOutcome } from './ratification.js';
import type { CoFinancingKind, DocumentRef, FundCoverage, RatificationReason, RelatedDecision } from './records.js';

/**
 * The ratification request (verzoek om instemming) of one decision to one college: the JSON form
 * of `GET /decisions/{id}/ratification-request` and the one source of the PDF and DOCX letters
 * (`ratification-request-letter.ts` turns it into the letter's blocks). Every fact a college needs
 * for its own proposal is here as data, names resolved, so a renderer never looks anything up.
 *
 * Beyond the contract's fields (the contract lets the project add fields): a commitment's
 * `purpose`, a condition's `blocksDisbursement`, and `requiredMunicipalities`, the colleges whose
 * approval the decision needs, so the letter says who still has to decide.
 */
export interface OrganisationRef {
  id: string;
  name: string;
}

export interface ProgrammeRef {
  id: string;
  code: string;
  name: string;
}

/** A decision of this register named by the letter: enough to recognise it without a lookup. */
export interface DecisionRef {
  decisionId: string;
  reference: string;
  title: string;
  totalAmountCents: number;
}

export interface RequestCommitment {
  programme: ProgrammeRef;
  year: number;
  amountCents: number;
  purpose: string | null;
}

export interface RequestCondition {
  description: string;
  dueDate: string;
  /** No money is paid on the decision before this condition is fulfilled. */
  blocksDisbursement: boolean;
}

/**
 * An earlier decision this one builds on, as on the decision (`RelatedDecision`), with the
 * reference and title of one in this register (both null for an `externalReference`). The
 * decision a wijzigingsbesluit amends appears here with relation `amends`.
 */
export interface RequestRelatedDecision extends RelatedDecision {
  reference: string | null;
  title: string | null;
}

/** The decision's frozen splitting check, its related decisions named. */
export interface RequestSplitting {
  suspected: boolean;
  cumulativeCents: number | null;
  relatedDecisions: DecisionRef[];
}

/**
 * Co-financing of the decision's programmes in the decision's years by others, one row per
 * recorded co-financing; `funder.name` is the funder organisation's name, else its `funderName`.
 */
export interface RequestCoFinancing {
  programme: ProgrammeRef;
  year: number;
  funder: { organisationId: string | null; name: string };
  kind: CoFinancingKind;
  amountCents: number;
  reference: string;
}

export interface RequestVote {
  municipality: OrganisationRef;
  outcome: VoteOutcome;
  decidedOn: string;
}

export interface RatificationRequest {
  decisionId: string;
  /** The addressee: the centre municipality whose college is asked. */
  municipality: OrganisationRef;
  /** The day of the decision's last audit event, in Europe/Amsterdam: never the wall clock. */
  letterDate: string;
  /** The letter's subject line (`ratificationRequestSubject`). */
  subject: string;
  reference: string;
  title: string;
  summary: string | null;
  boardMeetingDate: string;
  /** In the decision's order (programme, then year, as the register keeps them). */
  commitments: RequestCommitment[];
  totalAmountCents: number;
  conditions: RequestCondition[];
  /** The statute rule frozen into the decision at adoption. */
  statuteRule: { version: number; thresholdCents: number; reference: string };
  reason: RatificationReason;
  relatedDecisions: RequestRelatedDecision[];
  splitting: RequestSplitting;
  fundCoverage: FundCoverage | null;
  coFinancing: RequestCoFinancing[];
  documents: DocumentRef[];
  /** Every centre municipality whose college must approve, by name. */
  requiredMunicipalities: OrganisationRef[];
  /** The votes cast so far, in the order they were recorded. */
  votes: RequestVote[];
  /** The ratification due date; null when the statute rule sets no period. */
  dueDate: string | null;
  /** The `seq` of the decision's last audit event: the state this letter was drawn from. */
  auditSeq: number;
  /** The first served log checkpoint that includes `auditSeq` (root as 64 lower-case hex), if any: it stays the same as the log grows. */
  checkpoint: { treeSize: number; rootHash: string } | null;
}

/**
 * `Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027`:
 * a title that already says "Principebesluit" is not repeated after it.
 */
export function ratificationRequestSubject(title: string): string {
  const rest = /^principebesluit\s+(.+)$/is.exec(title.trim())?.[1];
  return rest === undefined ? `Verzoek om instemming met principebesluit “${title.trim()}”` : `Verzoek om instemming met principebesluit ${rest}`;
}
