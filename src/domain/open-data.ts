import { isBinding } from './decision-lifecycle.js';
import { bindingSince } from './ratification.js';
import { committedCents } from './disbursements.js';
import type { Decision, Disbursement, DocumentRef, Organisation, Programme } from './records.js';

/**
 * The register as open data (Wet open overheid): binding decisions as grants in the 360Giving
 * Data Standard (schema 1.4, field definitions as the standard gives them), and ended
 * ratifications as Popolo vote events. Pure mappings; the use case streams them.
 *
 * Identifiers follow the 360Giving identifier guidance: organisations with a KvK number are
 * `NL-KVK-<number>` (the org-id.guide list for the Dutch Chamber of Commerce); others, and grants
 * and payments, get the publisher prefix `360G-ESZL` and the register's own id.
 */
export const PUBLISHER_PREFIX = '360G-ESZL';
export const STANDARD_VERSION = '1.4';

export interface OrgRef {
  id: string;
  name: string;
}

export function organisationRef(organisation: Pick<Organisation, 'id' | 'name' | 'kvkNumber'>): OrgRef {
  const id = organisation.kvkNumber ? `NL-KVK-${organisation.kvkNumber}` : `${PUBLISHER_PREFIX}-ORG-${organisation.id}`;
  return { id, name: organisation.name };
}

/** ESZL itself when the register holds no foundation organisation to name it. */
export const DEFAULT_FUNDER: OrgRef = { id: `${PUBLISHER_PREFIX}-ORG-ESZL`, name: 'Stichting Economische Samenwerking Zuid-Limburg (ESZL)' };

export interface GrantSources {
  funder: OrgRef;
  organisations: ReadonlyMap<string, Organisation>;
  programmes: ReadonlyMap<string, Programme>;
  /** Payments under this decision and the decisions it amends. */
  disbursements: readonly Disbursement[];
}

export interface Grant360 {
  id: string;
  title: string;
  description: string;
  currency: 'EUR';
  amountAwarded: number;
  amountDisbursed: number;
  awardDate: string;
  plannedDates: { startDate: string; endDate: string }[];
  recipientOrganization: OrgRef[];
  fundingOrganization: OrgRef[];
  grantProgramme: { code: string; title: string }[];
  disbursementTransaction: {
    id: string;
    transactionDate: string;
    currency: 'EUR';
    value: number;
    description: string;
    provider: string;
    recipient: string;
  }[];
  relatedDocument: { id: string; title: string; url: string; documentType: string }[];
  dateModified: string;
}

/** Cents as a number of euros (two decimals at most, exact for any amount the register accepts). */
export const euros = (cents: number): number => cents / 100;

/** What binds: the final amounts once settled, else the committed ones. */
export function awardedCents(decision: Pick<Decision, 'commitments' | 'status'>): number {
  return decision.commitments.reduce((sum, c) => sum + (decision.status === 'settled' ? committedCents(c) : c.amountCents), 0);
}

/**
 * The recipient: the applicant, or, for a decision that names none, the owner of the programme
 * of its first commitment (ESZL's own programmes are carried out by ESZL), or that programme.
 */
function recipientOf(decision: Decision, sources: GrantSources): OrgRef {
  const applicant = decision.applicantOrganisationId === null ? undefined : sources.organisations.get(decision.applicantOrganisationId);
  if (applicant !== undefined) return organisationRef(applicant);
  const programme = sources.programmes.get(decision.commitments[0]!.programmeId);
  const owner = programme?.ownerOrganisationId ? sources.organisations.get(programme.ownerOrganisationId) : undefined;
  if (owner !== undefined) return organisationRef(owner);
  return { id: `${PUBLISHER_PREFIX}-PROGRAMME-${programme?.code ?? decision.commitments[0]!.programmeId}`, name: programme?.name ?? 'Programme' };
}

function documentsOf(grantId: string, documents: readonly DocumentRef[]): Grant360['relatedDocument'] {
  return documents.map((doc, i) => ({ id: `${grantId}-DOC-${i + 1}`, title: doc.title, url: doc.url, documentType: doc.kind }));
}

/** One grant per binding decision; throws for any other (the caller selects binding decisions only). */
export function toGrant(decision: Decision, sources: GrantSources): Grant360 {
  const awardDate = bindingSince(decision);
  if (!isBinding(decision.status) || awardDate === null) throw new Error(`decision ${decision.id} does not bind: no grant`);
  const id = `${PUBLISHER_PREFIX}-${decision.id}`;
  const recipient = recipientOf(decision, sources);
  const years = decision.commitments.map((c) => c.year);
  const programmeIds = [...new Set(decision.commitments.map((c) => c.programmeId))];
  return {
    id,
    title: decision.title,
    description: decision.summary ?? decision.title,
    currency: 'EUR',
    amountAwarded: euros(awardedCents(decision)),
    amountDisbursed: euros(decision.commitments.reduce((sum, c) => sum + c.disbursedCents, 0)),
    awardDate,
    plannedDates: [{ startDate: `${Math.min(...years)}-01-01`, endDate: `${Math.max(...years)}-12-31` }],
    recipientOrganization: [recipient],
    fundingOrganization: [sources.funder],
    grantProgramme: programmeIds.flatMap((pid) => {
      const programme = sources.programmes.get(pid);
      return programme === undefined ? [] : [{ code: programme.code, title: programme.name }];
    }),
    disbursementTransaction: sources.disbursements.map((payment) => ({
      id: `${PUBLISHER_PREFIX}-PAYMENT-${payment.id}`,
      transactionDate: payment.paidOn,
      currency: 'EUR' as const,
      value: euros(payment.amountCents),
      description: payment.reference,
      provider: sources.funder.id,
      recipient: recipient.id,
    })),
    relatedDocument: documentsOf(id, decision.documents),
    dateModified: decision.updatedAt,
  };
}

/** The package's own fields, before `grants`. */
export function grantPackageHeader(funder: OrgRef, modified: string | null) {
  return {
    version: STANDARD_VERSION,
    title: 'ESZL principle decisions: binding contributions',
    description:
      'Every binding principle decision (adopted, ratified or settled) of the board of Stichting Economische Samenwerking ' +
      'Zuid-Limburg, one grant each, amounts in euros. Published under the Wet open overheid.',
    identifier: `${PUBLISHER_PREFIX}-decisions`,
    ...(modified !== null && { modified }),
    publisher: { identifier: funder.id, name: funder.name },
    license: 'https://creativecommons.org/publicdomain/zero/1.0/',
  };
}

/**
 * The Popolo vote event of a decision whose ratification ended: the colleges of the centre
 * municipalities voted on it; `pass` when every required college approved, `fail` on a rejection.
 * Every required college has one vote: its option (`yes`, `no`), or `not voting` when the decision
 * was rejected before it voted.
 */
export function toVoteEvent(decision: Decision, organisations: ReadonlyMap<string, Organisation>, funder: OrgRef) {
  const votes = decision.ratification.requiredMunicipalityIds.map((municipalityId) => {
    const cast = decision.ratification.votes.find((vote) => vote.municipalityId === municipalityId);
    const college = organisations.get(municipalityId);
    const voter = college === undefined ? { id: `${PUBLISHER_PREFIX}-ORG-${municipalityId}`, name: municipalityId } : organisationRef(college);
    return {
      vote_event_id: decision.id,
      voter_id: voter.id,
      voter: { id: voter.id, name: voter.name, classification: 'college van burgemeester en wethouders' },
      option: cast === undefined ? 'not voting' : cast.outcome === 'approve' ? 'yes' : 'no',
      decided_on: cast?.decidedOn ?? null,
      reference: cast?.reference ?? null,
    };
  });
  const options = ['yes', 'no', 'not voting'] as const;
  const decidedOn = decision.ratification.votes.map((vote) => vote.decidedOn).sort();
  const rejected = decision.ratification.votes.some((vote) => vote.outcome === 'reject');
  return {
    id: decision.id,
    identifier: decision.reference,
    classification: 'ratification',
    organization: {
      id: `${PUBLISHER_PREFIX}-CENTRE-MUNICIPALITIES`,
      name: 'Colleges van burgemeester en wethouders van de centrumgemeenten',
      classification: 'ratification body',
    },
    motion: {
      id: decision.id,
      organization_id: funder.id,
      text: decision.title,
      classification: 'principle decision',
      date: decision.boardMeetingDate,
      requirement:
        decision.ratification.reason === 'splitting'
          ? 'approval by every required college (suspected splitting of contributions under the threshold)'
          : `approval by every required college (contribution of EUR ${euros(decision.ratification.thresholdCents)} or more)`,
      result: rejected ? 'failed' : 'passed',
    },
    // Popolo's names, as calendar dates: the adoption day and the day the last college decided.
    start_date: decision.adoptedOn,
    end_date: decidedOn[decidedOn.length - 1] ?? null,
    result: rejected ? 'fail' : 'pass',
    counts: options.map((option) => ({ option, value: votes.filter((vote) => vote.option === option).length })).filter((c) => c.value > 0 || c.option !== 'not voting'),
    votes,
    sources: decision.documents.map((doc) => ({ url: doc.url, note: doc.title })),
  };
}

export type PopoloVoteEvent = ReturnType<typeof toVoteEvent>;
export type GrantPackageHeader = ReturnType<typeof grantPackageHeader>;
