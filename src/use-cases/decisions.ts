import { FIRST_CALENDAR_DATE, todayInAmsterdam } from '../domain/clock.js';
import { assertTransition } from '../domain/decision-lifecycle.js';
import { appendDocuments, toDocumentRefs, toRelatedDecisions, type DocumentInput, type RelatedDecisionInput } from '../domain/documents.js';
import { DomainError, notFound, Problems } from '../domain/errors.js';
import { sumCents } from '../domain/money.js';
import { adoptionDay, decideAdoption } from '../domain/adoption.js';
import { ruleInForce } from '../domain/statute.js';
import type { Tx } from '../db/client.js';
import { transactionTime } from '../db/transaction.js';
import {
  findAggregate,
  findExistingReferences,
  insertDraft,
  loadAggregate,
  loadDraftFacts,
  lockAndLoadAggregate,
  replaceCommitments,
  replaceConditions,
  updateDecision,
  type CommitmentValues,
  type ConditionValues,
  type DecisionAggregate,
  type DraftFacts,
  type ReferencedIds,
} from '../db/decisions-repository.js';
import { listAggregates, listDecisionViewVersions, type DecisionFilter } from '../db/decision-list-repository.js';
import { findDecisionViewVersion } from '../db/decision-view-version.js';
import { decodeCursor, toPage, type KeysetPosition, type Page } from '../db/pagination.js';
import { mapConstraintViolation } from '../db/errors.js';
import { lockAdoptionsAndLoadFacts } from '../db/adoption-repository.js';
import type { ServiceContext } from './context.js';
import { toDecision, type Decision } from './decision-views.js';
import { rulesForReads, rulesForViews, statuteRules, toStatuteRule } from './statute-rules.js';
import { amendmentAdoptionFacts, announceAmendment, bindAmendment } from './amendment-binding.js';
import { assertExpectedVersion, etagOf, type ExpectedVersion } from './etag.js';
import type { RenderedView } from './decision-view-cache.js';
import { fundCoverageAtAdoption } from './fund.js';
import { splittingAtAdoption } from './splitting.js';
import { sentFields } from './sent-fields.js';
import { runUnitOfWork, type Caller, type UnitOfWork } from './unit-of-work.js';

export interface DecisionInput {
  reference: string;
  title: string;
  summary?: string | null | undefined;
  boardMeetingDate: string;
  applicantOrganisationId?: string | null | undefined;
  commitments: { programmeId: string; year: number; amountCents: number; purpose?: string | null | undefined }[];
  conditions?: ConditionValues[] | undefined;
  documents?: DocumentInput[] | undefined;
  relatedDecisions?: RelatedDecisionInput[] | undefined;
}

/** The programmes, the applicant and the related decisions the input names. */
function referencedIds(input: Partial<DecisionInput>): ReferencedIds {
  return {
    programmeIds: [...new Set((input.commitments ?? []).map((c) => c.programmeId))],
    organisationIds: input.applicantOrganisationId ? [input.applicantOrganisationId] : [],
    decisionIds: (input.relatedDecisions ?? []).flatMap((related) => (related.decisionId ? [related.decisionId] : [])),
  };
}

/** `assertReferencesKnown` against what the database holds now. */
async function assertReferencesExist(tx: Tx, input: Partial<DecisionInput>): Promise<void> {
  const { programmeIds, organisationIds, decisionIds } = referencedIds(input);
  assertReferencesKnown(input, await findExistingReferences(tx, programmeIds, organisationIds, decisionIds));
}

/** Every programme, the applicant and every related decision named in the input must exist: otherwise 400 with each path. */
function assertReferencesKnown(input: Partial<DecisionInput>, known: DraftFacts['known']): void {
  const errors = (input.commitments ?? []).flatMap((c, i) =>
    known.programmeIds.has(c.programmeId)
      ? []
      : [{ path: `/commitments/${i}/programmeId`, message: `programme ${c.programmeId} does not exist` }],
  );
  if (input.applicantOrganisationId && !known.organisationIds.has(input.applicantOrganisationId)) {
    errors.push({ path: '/applicantOrganisationId', message: `organisation ${input.applicantOrganisationId} does not exist` });
  }
  (input.relatedDecisions ?? []).forEach((related, i) => {
    if (related.decisionId && !known.decisionIds.has(related.decisionId)) {
      errors.push({ path: `/relatedDecisions/${i}/decisionId`, message: `decision ${related.decisionId} does not exist` });
    }
  });
  if (errors.length > 0) {
    throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'The request refers to resources that do not exist.', errors);
  }
}

function commitmentValues(input: DecisionInput['commitments']): CommitmentValues[] {
  return input.map((c) => ({ programmeId: c.programmeId, year: c.year, amountCents: c.amountCents, purpose: c.purpose ?? null }));
}

export async function createDecision(ctx: ServiceContext, caller: Caller, input: DecisionInput): Promise<Decision> {
  return runUnitOfWork(ctx, caller, (uow) => registerDraft(ctx, uow, input));
}

/** The decision an amendment (wijzigingsbesluit) amends, recorded on the amendment's draft. */
export interface AmendedDecision {
  id: string;
  totalAmountCents: number;
}

/** Registers a draft in the caller's unit of work: a new decision, or an amendment of `amends`. */
export async function registerDraft(
  ctx: ServiceContext,
  uow: UnitOfWork,
  input: DecisionInput,
  amends: AmendedDecision | null = null,
  problems: Problems = new Problems(),
): Promise<Decision> {
  // Every problem of the input is answered at once, after those the caller found (`problems`).
  const totalAmountCents = problems.check(() => sumCents(input.commitments.map((c) => c.amountCents))) ?? 0;
  const documents = problems.check(() => toDocumentRefs(input.documents ?? [])) ?? [];
  // An amendment names the decision it amends first among its related decisions.
  const relatedDecisions = [
    ...(amends === null ? [] : [{ decisionId: amends.id, externalReference: null, relation: 'amends' as const }]),
    ...(problems.check(() => toRelatedDecisions(input.relatedDecisions ?? [])) ?? []),
  ];
  const { tx } = uow;
  const facts = await loadDraftFacts(tx, referencedIds(input));
  problems.check(() => assertReferencesKnown(input, facts.known));
  problems.throwIfAny();
  const inserted = await insertDraft(
    tx,
    {
      reference: input.reference,
      title: input.title,
      summary: input.summary ?? null,
      boardMeetingDate: input.boardMeetingDate,
      applicantOrganisationId: input.applicantOrganisationId ?? null,
      status: 'draft',
      totalAmountCents,
      documents,
      relatedDecisions,
      ...(amends !== null && { amends: amends.id }),
    },
    commitmentValues(input.commitments),
    input.conditions ?? [],
  );
  const decision = toDecision(
    { ...inserted, votes: [], amendedTotalCents: amends?.totalAmountCents ?? null },
    todayInAmsterdam(ctx.clock),
    facts.statuteRules.map(toStatuteRule),
  );
  uow.emit('decision.created', { decision });
  return decision;
}

export async function patchDecision(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  changes: Partial<DecisionInput>,
  expected?: ExpectedVersion,
): Promise<Decision> {
  const documents = changes.documents === undefined ? undefined : toDocumentRefs(changes.documents);
  const sentRelated = changes.relatedDecisions === undefined ? undefined : toRelatedDecisions(changes.relatedDecisions, id);
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const today = todayInAmsterdam(ctx.clock);
    const rules = await statuteRules(tx);
    const before = toDecision(await lockAndLoadAggregate(tx, id), today, rules);
    assertExpectedVersion(expected, before);
    assertTransition(before.status, 'edit', 'draft');
    // An amendment keeps naming the decision it amends, whatever related decisions are sent.
    const relatedDecisions =
      sentRelated === undefined ? undefined : [...before.relatedDecisions.filter((r) => r.relation === 'amends'), ...sentRelated];
    await assertReferencesExist(tx, changes);
    await updateDecision(tx, id, {
      ...sentFields(changes, ['reference', 'title', 'summary', 'boardMeetingDate', 'applicantOrganisationId']),
      ...sentFields({ documents, relatedDecisions }, ['documents', 'relatedDecisions']),
      ...(changes.commitments !== undefined && { totalAmountCents: sumCents(changes.commitments.map((c) => c.amountCents)) }),
    }).catch(mapConstraintViolation);
    if (changes.commitments !== undefined) await replaceCommitments(tx, id, commitmentValues(changes.commitments));
    if (changes.conditions !== undefined) await replaceConditions(tx, id, changes.conditions);
    const decision = toDecision((await loadAggregate(tx, id))!, today, rules);
    uow.emit('decision.updated', { before, decision });
    return decision;
  });
}

/**
 * Applies a state change to the locked decision: the row is updated, the children stay as they
 * were read under the lock, so the view after the change needs no second read.
 */
async function changeState(
  ctx: ServiceContext,
  uow: UnitOfWork,
  id: string,
  expected: ExpectedVersion | undefined,
  change: (current: Decision, aggregate: DecisionAggregate) => Promise<Parameters<typeof updateDecision>[2]>,
): Promise<Decision> {
  const today = todayInAmsterdam(ctx.clock);
  const aggregate = await lockAndLoadAggregate(uow.tx, id);
  const rules = await rulesForViews(uow.tx, [aggregate]);
  const current = toDecision(aggregate, today, rules);
  assertExpectedVersion(expected, current);
  const row = await updateDecision(uow.tx, id, await change(current, aggregate));
  return toDecision({ ...aggregate, decision: row }, today, rules);
}

/**
 * Adoption applies the statute rule in force on the board meeting date and freezes what it
 * decided into the decision: the rule's version and threshold, whether and why ratification is
 * needed (with the centre municipalities of this moment and the deadline), the splitting verdict
 * and the fund's coverage. Those never change afterwards, whatever rules are added later.
 */
export async function adoptDecision(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  expected?: ExpectedVersion,
  input: { adoptedOn?: string | undefined } = {},
): Promise<Decision> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const adopted = await changeState(ctx, uow, id, expected, async (current, aggregate) => {
      assertTransition(current.status, 'adopt');
      const adoptedOn = adoptionDay(input.adoptedOn, current.boardMeetingDate, todayInAmsterdam(ctx.clock));
      // Past the state, the amendment's problems (less than was paid) are answered with adoption's own.
      const problems = new Problems();
      const facts = await lockAdoptionsAndLoadFacts(tx, aggregate.decision.amends, adoptedOn);
      const amendment = problems.check(() => amendmentAdoptionFacts(facts.amended, aggregate)) ?? {};
      const fundCoverage = fundCoverageAtAdoption(facts.fundMoney, current.totalAmountCents);
      const rule = ruleInForce(facts.statuteRules.map(toStatuteRule), current.boardMeetingDate);
      const splitting = await splittingAtAdoption(tx, current, rule);
      const adoption = problems.check(() => decideAdoption({
        status: current.status,
        totalAmountCents: current.totalAmountCents,
        rule,
        centreMunicipalityIds: facts.centreMunicipalityIds,
        adoptedOn,
        splitting,
        fundCoverage,
        amendedTotalCents: amendment.amendedTotalCents,
      }));
      problems.throwIfAny();
      if (adoption === undefined) throw new Error('adoption was decided with no problem and no outcome');
      return {
        status: adoption.status,
        requiredMunicipalityIds: adoption.requiredMunicipalityIds,
        // When it was recorded, by the service's clock; `adoptedOn` is the day it took effect.
        adoptedAt: ctx.clock.now(),
        adoptedOn: adoption.adoptedOn,
        statuteRuleVersion: adoption.statuteRuleVersion,
        thresholdCents: adoption.thresholdCents,
        ratificationReason: adoption.reason,
        ratificationDueDate: adoption.dueDate,
        splittingSuspected: adoption.splitting.suspected,
        splittingCumulativeCents: adoption.splitting.cumulativeCents,
        splittingRelatedDecisionIds: adoption.splitting.relatedDecisionIds,
        fundUncommittedCentsBefore: adoption.fundCoverage?.uncommittedCentsBefore ?? null,
        fundSufficient: adoption.fundCoverage?.sufficient ?? null,
      };
    });
    const bound = await bindAmendment(ctx, uow, adopted);
    const decision = bound?.amendment ?? adopted;
    uow.emit('decision.adopted', { decision });
    if (decision.splitting.suspected) uow.emit('decision.splitting_suspected', { decision });
    if (decision.fundCoverage?.sufficient === false) uow.emit('decision.fund_insufficient', { decision });
    announceAmendment(uow, bound);
    return decision;
  });
}

export async function withdrawDecision(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  reason: string,
  expected?: ExpectedVersion,
): Promise<Decision> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const decision = await changeState(ctx, uow, id, expected, async (current) => {
      assertTransition(current.status, 'withdraw', 'withdrawn');
      return { status: 'withdrawn', withdrawnAt: transactionTime(), withdrawalReason: reason };
    });
    uow.emit('decision.withdrawn', { reason, decision });
    return decision;
  });
}

/**
 * Adds documents to a decision in any state but withdrawn (a ratified or settled decision still
 * gains its minutes and reports); the list only grows, to at most 20 documents.
 */
export async function addDocuments(ctx: ServiceContext, caller: Caller, id: string, added: DocumentInput[]): Promise<Decision> {
  const documents = toDocumentRefs(added);
  return runUnitOfWork(ctx, caller, async (uow) => {
    const decision = await changeState(ctx, uow, id, undefined, async (current) => {
      assertTransition(current.status, 'addDocument', current.status);
      return { documents: appendDocuments(current.documents, documents) };
    });
    uow.emit('decision.document_added', { decision, documents });
    return decision;
  });
}

export async function getDecision(ctx: ServiceContext, id: string): Promise<Decision> {
  return decisionOn(ctx, id, todayInAmsterdam(ctx.clock));
}

async function decisionOn(ctx: ServiceContext, id: string, today: string): Promise<Decision> {
  const aggregate = await findAggregate(ctx.database.db, id);
  if (aggregate === undefined) throw notFound('Decision', id);
  return toDecision(aggregate, today, await rulesForReads(ctx.database.db, [aggregate]));
}

/**
 * The current decision rendered by `render`, from the instance's cache when the cached rendering
 * was made from the very row versions the database holds now and for today's date; otherwise
 * rendered afresh and cached. The version is read before the decision: should a change commit
 * between the two reads, the entry holds a newer view under an older version, which the next
 * request's version no longer matches, so it is rendered again (never the reverse, a stale view
 * under a current version).
 */
export async function getDecisionRendered(ctx: ServiceContext, id: string, render: (decision: Decision) => RenderedView): Promise<RenderedView> {
  const cache = ctx.decisionViews;
  if (cache === undefined) return render(await getDecision(ctx, id));
  const version = await findDecisionViewVersion(ctx.database.db, id);
  if (version === undefined) throw notFound('Decision', id);
  const today = todayInAmsterdam(ctx.clock);
  const cached = cache.get(id, version, today);
  if (cached !== undefined) return cached;
  const view = render(await decisionOn(ctx, id, today));
  cache.set(id, version, today, view);
  return view;
}

/**
 * A page of whole decisions, each serialised by `serialise` (the same bytes as the decision's
 * own representation) and encoded as UTF-8, answered from the instance's rendered views when every
 * decision of the page is cached at the version the database holds now and for today's date:
 * one statement reads the page's positions and view versions, and no decision is loaded or
 * rendered again. Otherwise the whole page is loaded in one statement, as without a cache, and
 * each view it renders is cached under the version read before it (as `getDecisionRendered`
 * does: a change between the two reads leaves an entry the next version no longer matches).
 */
export async function listDecisionsRendered(
  ctx: ServiceContext,
  filter: DecisionFilter,
  cursor: string | undefined,
  limit: number,
  serialise: (decision: Decision) => string,
): Promise<Page<Buffer>> {
  assertValidFilter(filter);
  const today = todayInAmsterdam(ctx.clock);
  const after = decodeCursor(cursor);
  const cache = ctx.decisionViews;
  if (cache === undefined) return loadPage(ctx, filter, after, limit, today, (decision) => Buffer.from(serialise(decision)));
  const positions = await listDecisionViewVersions(ctx.database.db, filter, after, limit, today);
  const cached = toPage(positions, limit, (position) => cache.get(position.id, position.version, today)?.body);
  if (isWhole(cached)) return cached;
  const versions = new Map(positions.map((position) => [position.id, position.version]));
  return loadPage(ctx, filter, after, limit, today, (decision) => {
    const body = Buffer.from(serialise(decision));
    const version = versions.get(decision.id);
    // A view already cached at that version is left as it is (its ETag is not computed again).
    if (version !== undefined && cache.get(decision.id, version, today) === undefined) cache.set(decision.id, version, today, { body, etag: etagOf(decision) });
    return body;
  });
}

/** Whether every item of a page was found. */
function isWhole<T>(page: Page<T | undefined>): page is Page<T> {
  return page.items.every((item) => item !== undefined);
}

function assertValidFilter(filter: DecisionFilter): void {
  const { boardMeetingDateFrom: from, boardMeetingDateTo: to } = filter;
  const errors = (['boardMeetingDateFrom', 'boardMeetingDateTo'] as const).flatMap((name) =>
    (filter[name] ?? FIRST_CALENDAR_DATE) < FIRST_CALENDAR_DATE ? [{ path: `/${name}`, message: 'is not a date: there is no year 0000' }] : [],
  );
  if (from !== undefined && to !== undefined && from > to) errors.push({ path: '/boardMeetingDateFrom', message: 'must not be after boardMeetingDateTo' });
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'The board meeting date range is not valid.', errors);
}

async function loadPage<T>(
  ctx: ServiceContext,
  filter: DecisionFilter,
  after: KeysetPosition | undefined,
  limit: number,
  today: string,
  map: (decision: Decision) => T,
): Promise<Page<T>> {
  const rows = await listAggregates(ctx.database.db, filter, after, limit, today);
  const rules = await rulesForReads(ctx.database.db, rows);
  return toPage(rows, limit, (aggregate) => map(toDecision(aggregate, today, rules)));
}
