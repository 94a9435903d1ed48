import { relations, sql } from 'drizzle-orm';
import { committedCentsSql } from './committed-amount.js';
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { ROLES } from '../domain/access.js';
import type { DocumentRef, RatificationReason, RelatedDecision } from '../domain/records.js';
import { FUND_CHECKS, SPLITTING_ACTIONS, SPLITTING_SCOPES } from '../domain/records.js';
import { DECISION_STATUSES, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { ORGANISATION_KINDS, type OrganisationKind } from '../domain/organisations.js';
import { VOTE_OUTCOMES, type VoteOutcome } from '../domain/ratification.js';
import {
  DEFAULT_WEBHOOK_FORMAT,
  SUBSCRIPTION_END_REASONS,
  WEBHOOK_FORMATS,
  type SubscriptionEndReason,
  type WebhookFormat,
} from '../domain/webhook-subscriptions.js';

/** Timestamps are stored with millisecond precision so they round-trip through JS Dates exactly. */
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });
const createdAt = () => instant('created_at').notNull().default(sql`now()`);
const updatedAt = () => instant('updated_at').notNull().default(sql`now()`);
const cents = (name: string) => bigint(name, { mode: 'number' });
/** `'a', 'b', 'c'`: the domain's list of values, spelled into a check constraint. */
export const sqlValues = (values: readonly string[]) => sql.raw(values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', '));
/** PostgreSQL's 64-bit transaction id (PostgreSQL 13+), read as text. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: varchar('name', { length: 200 }).notNull(),
    kind: text('kind').$type<OrganisationKind>().notNull(),
    centreMunicipality: boolean('centre_municipality').notNull().default(false),
    kvkNumber: varchar('kvk_number', { length: 8 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check(
      'organisations_kind_check',
      sql`${t.kind} in (${sqlValues(ORGANISATION_KINDS)})`,
    ),
    check('organisations_centre_is_municipality', sql`not ${t.centreMunicipality} or ${t.kind} = 'municipality'`),
    index('organisations_created_idx').on(t.createdAt, t.id),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: varchar('name', { length: 200 }).notNull(),
    role: text('role').$type<(typeof ROLES)[number]>().notNull(),
    organisationId: uuid('organisation_id').references(() => organisations.id),
    keyHash: varchar('key_hash', { length: 64 }).notNull(),
    createdAt: createdAt(),
    revokedAt: instant('revoked_at'),
  },
  (t) => [
    check('api_keys_role_check', sql`${t.role} in (${sqlValues(ROLES)})`),
    check('api_keys_college_bound', sql`(${t.role} = 'college') = (${t.organisationId} is not null)`),
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    index('api_keys_created_idx').on(t.createdAt, t.id),
  ],
);

export const programmes = pgTable(
  'programmes',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    code: varchar('code', { length: 32 }).notNull(),
    name: varchar('name', { length: 200 }).notNull(),
    description: text('description'),
    ownerOrganisationId: uuid('owner_organisation_id').references(() => organisations.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('programmes_code_key').on(t.code),
    check('programmes_code_format', sql`${t.code} ~ '^[A-Z0-9][A-Z0-9-]{0,31}$'`),
    index('programmes_created_idx').on(t.createdAt, t.id),
  ],
);

export const decisions = pgTable(
  'decisions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    reference: varchar('reference', { length: 100 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    summary: text('summary'),
    boardMeetingDate: date('board_meeting_date', { mode: 'string' }).notNull(),
    applicantOrganisationId: uuid('applicant_organisation_id').references(() => organisations.id),
    status: text('status').$type<DecisionStatus>().notNull().default('draft'),
    totalAmountCents: cents('total_amount_cents').notNull(),
    requiredMunicipalityIds: uuid('required_municipality_ids').array().notNull().default(sql`'{}'::uuid[]`),
    adoptedAt: instant('adopted_at'),
    /** The day the board's adoption took effect (Europe/Amsterdam), which may lie before `adoptedAt`, when it was recorded. */
    adoptedOn: date('adopted_on', { mode: 'string' }),
    withdrawnAt: instant('withdrawn_at'),
    withdrawalReason: text('withdrawal_reason'),
    /** The decision this one amends (wijzigingsbesluit). */
    amends: uuid('amends').references((): AnyPgColumn => decisions.id),
    documents: jsonb('documents').$type<DocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
    relatedDecisions: jsonb('related_decisions').$type<RelatedDecision[]>().notNull().default(sql`'[]'::jsonb`),
    // Frozen at adoption (null before): the statute rule applied and what it decided.
    statuteRuleVersion: integer('statute_rule_version'),
    thresholdCents: cents('threshold_cents'),
    ratificationReason: text('ratification_reason').$type<RatificationReason>(),
    ratificationDueDate: date('ratification_due_date', { mode: 'string' }),
    /** Set once `ratification.overdue` has been raised, so it is raised once. */
    ratificationOverdueNotifiedAt: instant('ratification_overdue_notified_at'),
    splittingSuspected: boolean('splitting_suspected'),
    splittingCumulativeCents: cents('splitting_cumulative_cents'),
    splittingRelatedDecisionIds: uuid('splitting_related_decision_ids').array(),
    fundUncommittedCentsBefore: cents('fund_uncommitted_cents_before'),
    fundSufficient: boolean('fund_sufficient'),
    settledOn: date('settled_on', { mode: 'string' }),
    settlementReference: varchar('settlement_reference', { length: 200 }),
    settledAt: instant('settled_at'),
    supersededAt: instant('superseded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('decisions_reference_key').on(t.reference),
    check('decisions_ratification_reason_check', sql`${t.ratificationReason} in ('threshold', 'splitting')`),
    check('decisions_frozen_at_adoption', sql`(${t.adoptedAt} is null) = (${t.statuteRuleVersion} is null)`),
    check('decisions_adopted_on_with_adopted_at', sql`(${t.adoptedAt} is null) = (${t.adoptedOn} is null)`),
    foreignKey({ name: 'decisions_statute_rule_version_fk', columns: [t.statuteRuleVersion], foreignColumns: [statuteRules.version] }),
    check('decisions_settled_has_date', sql`(${t.status} = 'settled') = (${t.settledOn} is not null)`),
    index('decisions_amends_idx').on(t.amends),
    index('decisions_applicant_idx').on(t.applicantOrganisationId, t.createdAt, t.id),
    index('decisions_board_meeting_idx').on(t.boardMeetingDate, t.createdAt, t.id),
    index('decisions_splitting_suspected_idx').on(t.createdAt, t.id).where(sql`${t.splittingSuspected}`),
    index('decisions_ratification_due_idx').on(t.ratificationDueDate).where(sql`${t.status} = 'pending_ratification'`),
    index('decisions_required_municipalities_idx').using('gin', t.requiredMunicipalityIds),
    check(
      'decisions_status_check',
      sql`${t.status} in (${sqlValues(DECISION_STATUSES)})`,
    ),
    check('decisions_total_positive', sql`${t.totalAmountCents} > 0`),
    check(
      'decisions_adopted_at_matches_status',
      sql`${t.status} = 'withdrawn' or (${t.adoptedAt} is null) = (${t.status} = 'draft')`,
    ),
    index('decisions_created_idx').on(t.createdAt, t.id),
    index('decisions_status_created_idx').on(t.status, t.createdAt, t.id),
  ],
);

export const commitments = pgTable(
  'decision_commitments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    position: integer('position').notNull(),
    programmeId: uuid('programme_id')
      .notNull()
      .references(() => programmes.id),
    year: integer('year').notNull(),
    amountCents: cents('amount_cents').notNull(),
    purpose: text('purpose'),
    /** Set by settlement (vaststelling): what binds from then on. */
    finalAmountCents: cents('final_amount_cents'),
    /** Paid on this commitment, including what was paid under the decisions it amends. */
    disbursedCents: cents('disbursed_cents').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    check('commitments_amount_positive', sql`${t.amountCents} > 0`),
    check('commitments_final_amount_range', sql`${t.finalAmountCents} between 0 and ${t.amountCents}`),
    // The database backs the rule that the sum paid never exceeds what is committed.
    check('commitments_disbursed_within_amount', sql`${t.disbursedCents} between 0 and ${committedCentsSql(t)}`),
    check('commitments_year_range', sql`${t.year} between 2000 and 2100`),
    uniqueIndex('commitments_decision_position_key').on(t.decisionId, t.position),
    index('commitments_programme_year_idx').on(t.programmeId, t.year),
    index('commitments_created_idx').on(t.createdAt, t.id),
  ],
);

export const conditions = pgTable(
  'decision_conditions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    fulfilledOn: date('fulfilled_on', { mode: 'string' }),
    evidence: text('evidence'),
    /** Set once `condition.overdue` has been raised, so it is raised once. */
    overdueNotifiedAt: instant('overdue_notified_at'),
    /** While not fulfilled, no money of the decision may be paid. */
    blocksDisbursement: boolean('blocks_disbursement').notNull().default(false),
    reference: varchar('reference', { length: 200 }),
    /** The documents that fulfil it (given at fulfilment). */
    documents: jsonb('documents').$type<DocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
    /** Monitoring indicators whose reports satisfy it (given at fulfilment). */
    indicatorIds: uuid('indicator_ids').array().notNull().default(sql`'{}'::uuid[]`),
  },
  (t) => [
    uniqueIndex('conditions_decision_position_key').on(t.decisionId, t.position),
    check('conditions_fulfilled_has_evidence', sql`(${t.fulfilledOn} is null) = (${t.evidence} is null)`),
  ],
);

export const votes = pgTable(
  'ratification_votes',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    municipalityId: uuid('municipality_id')
      .notNull()
      .references(() => organisations.id),
    outcome: text('outcome').$type<VoteOutcome>().notNull(),
    decidedOn: date('decided_on', { mode: 'string' }).notNull(),
    reference: varchar('reference', { length: 200 }),
    note: text('note'),
    castAt: instant('cast_at').notNull().default(sql`clock_timestamp()`),
    collegeDecisionId: uuid('college_decision_id').references((): AnyPgColumn => collegeDecisions.id),
    /** Where the vote stands in its college decision's request (null for a vote cast alone). */
    collegeDecisionPosition: smallint('college_decision_position'),
  },
  (t) => [
    uniqueIndex('votes_decision_municipality_key').on(t.decisionId, t.municipalityId),
    check('votes_outcome_check', sql`${t.outcome} in (${sqlValues(VOTE_OUTCOMES)})`),
    index('votes_municipality_idx').on(t.municipalityId, t.decisionId),
    index('votes_college_decision_idx').on(t.collegeDecisionId),
  ],
);

/** A college decision (collegebesluit) of one municipality that ratifies one or more decisions at once. */
export const collegeDecisions = pgTable(
  'college_decisions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    municipalityId: uuid('municipality_id')
      .notNull()
      .references(() => organisations.id),
    decidedOn: date('decided_on', { mode: 'string' }).notNull(),
    reference: varchar('reference', { length: 200 }).notNull(),
    documents: jsonb('documents').$type<DocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [index('college_decisions_municipality_idx').on(t.municipalityId, t.createdAt, t.id), index('college_decisions_created_idx').on(t.createdAt, t.id)],
);

/**
 * The statute's rules as versioned data (version 1 comes from migration 0007). Never edited or
 * deleted: each decision freezes the version it was adopted under.
 */
/**
 * The reminders raised (`ratification.due_soon`): one row per decision, municipality and reminder
 * day. Its key is what makes a reminder once only, whatever the number of instances.
 */
export const ratificationReminders = pgTable(
  'ratification_reminders',
  {
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    municipalityId: uuid('municipality_id')
      .notNull()
      .references(() => organisations.id),
    daysBefore: integer('days_before').notNull(),
    raisedAt: instant('raised_at').notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.decisionId, t.municipalityId, t.daysBefore] }), check('ratification_reminders_days_range', sql`${t.daysBefore} between 0 and 365`)],
);

export const statuteRules = pgTable(
  'statute_rules',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    thresholdCents: cents('threshold_cents').notNull(),
    splittingScope: text('splitting_scope').$type<(typeof SPLITTING_SCOPES)[number]>().notNull(),
    splittingAction: text('splitting_action').$type<(typeof SPLITTING_ACTIONS)[number]>().notNull(),
    ratificationPeriodDays: integer('ratification_period_days'),
    fundCheck: text('fund_check').$type<(typeof FUND_CHECKS)[number]>().notNull().default('flag'),
    reference: varchar('reference', { length: 200 }).notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('statute_rules_version_key').on(t.version),
    uniqueIndex('statute_rules_effective_from_key').on(t.effectiveFrom),
    check('statute_rules_threshold_positive', sql`${t.thresholdCents} > 0`),
    check('statute_rules_splitting_scope_check', sql`${t.splittingScope} in (${sqlValues(SPLITTING_SCOPES)})`),
    check('statute_rules_splitting_action_check', sql`${t.splittingAction} in (${sqlValues(SPLITTING_ACTIONS)})`),
    check('statute_rules_fund_check_check', sql`${t.fundCheck} in (${sqlValues(FUND_CHECKS)})`),
    check('statute_rules_period_range', sql`${t.ratificationPeriodDays} between 1 and 365`),
  ],
);

/** Payments of committed money (voorschot, betaling). */
export const disbursements = pgTable(
  'disbursements',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    commitmentId: uuid('commitment_id')
      .notNull()
      .references(() => commitments.id),
    amountCents: cents('amount_cents').notNull(),
    paidOn: date('paid_on', { mode: 'string' }).notNull(),
    reference: varchar('reference', { length: 200 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('disbursements_amount_positive', sql`${t.amountCents} > 0`),
    index('disbursements_decision_idx').on(t.decisionId, t.createdAt, t.id),
    index('disbursements_commitment_idx').on(t.commitmentId),
    index('disbursements_created_idx').on(t.createdAt, t.id),
  ],
);

/** What the centre municipalities bring into the ESZL fund, per year. */
export const fundContributions = pgTable(
  'fund_contributions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    year: integer('year').notNull(),
    amountCents: cents('amount_cents').notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    reference: varchar('reference', { length: 200 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('fund_contributions_amount_positive', sql`${t.amountCents} > 0`),
    check('fund_contributions_year_range', sql`${t.year} between 2000 and 2100`),
    index('fund_contributions_created_idx').on(t.createdAt, t.id),
  ],
);

/** Co-financing of a programme by others (Regio Deal, employers, government). */
export const coFinancing = pgTable(
  'co_financing',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    programmeId: uuid('programme_id')
      .notNull()
      .references(() => programmes.id),
    funderOrganisationId: uuid('funder_organisation_id').references(() => organisations.id),
    funderName: varchar('funder_name', { length: 200 }),
    kind: text('kind').notNull(),
    year: integer('year').notNull(),
    amountCents: cents('amount_cents').notNull(),
    reference: varchar('reference', { length: 200 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('co_financing_kind_check', sql`${t.kind} in ('regio_deal', 'employers', 'government', 'other')`),
    check('co_financing_funder_named', sql`${t.funderOrganisationId} is not null or ${t.funderName} is not null`),
    check('co_financing_amount_positive', sql`${t.amountCents} > 0`),
    check('co_financing_year_range', sql`${t.year} between 2000 and 2100`),
    index('co_financing_programme_idx').on(t.programmeId, t.createdAt, t.id),
  ],
);

/** Monitoring indicators of a decision (result criteria), with targets per period. */
export const indicators = pgTable(
  'indicators',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    decisionId: uuid('decision_id')
      .notNull()
      .references(() => decisions.id),
    code: varchar('code', { length: 50 }).notNull(),
    name: varchar('name', { length: 300 }).notNull(),
    unit: varchar('unit', { length: 50 }).notNull(),
    targets: jsonb('targets').$type<{ period: string; value: number }[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('indicators_decision_code_key').on(t.decisionId, t.code), index('indicators_decision_idx').on(t.decisionId, t.createdAt, t.id)],
);

export const indicatorReports = pgTable(
  'indicator_reports',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    indicatorId: uuid('indicator_id')
      .notNull()
      .references(() => indicators.id),
    period: varchar('period', { length: 7 }).notNull(),
    value: doublePrecision('value').notNull(),
    reportedOn: date('reported_on', { mode: 'string' }).notNull(),
    documents: jsonb('documents').$type<DocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [index('indicator_reports_indicator_idx').on(t.indicatorId, t.createdAt, t.id)],
);

/**
 * Signed checkpoints of the audit chain (C2SP tlog-checkpoint): one per head that was signed.
 * Issuing one writes no audit event (it would move the head it signs).
 */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  headHash: varchar('head_hash', { length: 64 }).notNull(),
  issuedAt: instant('issued_at').notNull().default(sql`now()`),
  origin: varchar('origin', { length: 200 }).notNull(),
  keyName: varchar('key_name', { length: 200 }).notNull(),
  note: text('note').notNull(),
});

/** What an audit event says, pending or chained: who did what to which resource, with which data. */
const auditEventContent = () => ({
  actorKeyId: uuid('actor_key_id'),
  actorRole: text('actor_role').notNull(),
  actorOrganisationId: uuid('actor_organisation_id'),
  action: text('action').notNull(),
  resourceType: text('resource_type').notNull(),
  resourceId: uuid('resource_id').notNull(),
  data: jsonb('data').notNull(),
});

export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    occurredAt: instant('occurred_at').notNull(),
    ...auditEventContent(),
    prevHash: varchar('prev_hash', { length: 64 }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull(),
  },
  (t) => [
    check('audit_events_seq_positive', sql`${t.seq} > 0`),
    index('audit_events_resource_idx').on(t.resourceType, t.resourceId, t.seq),
  ],
);

/**
 * Events of a transaction that has not committed yet. A deferred constraint trigger (migration
 * 0006) moves them into the chain as the transaction commits: it locks `audit_head` only then,
 * numbers and hashes them in SQL and writes their webhook outbox rows, so the head is held for
 * the commit alone, never across a round trip to the service. `canonicalHead` and
 * `canonicalTail` are the event's RFC 8785 form around the two values only known then
 * (`occurredAt` and `seq`; see `canonicalParts` in src/audit/chain.ts).
 */
export const auditPending = pgTable('audit_pending', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  txid: xid8('txid')
    .notNull()
    .default(sql`pg_current_xact_id()`),
  ...auditEventContent(),
  canonicalHead: text('canonical_head').notNull(),
  canonicalTail: text('canonical_tail').notNull(),
  /** Set for events that webhook subscribers may receive: the filters of their outbox row. */
  outboxProgrammeIds: uuid('outbox_programme_ids').array(),
  outboxMunicipalityIds: uuid('outbox_municipality_ids').array(),
  /** Deliveries with the same ordering key reach a subscriber in order (a decision's id for its events). */
  outboxOrderingKey: uuid('outbox_ordering_key'),
  /** The W3C traceparent of the request that caused a published event, when the service traces: copied to its outbox row. */
  outboxTraceparent: text('outbox_traceparent'),
}, (t) => [index('audit_pending_txid_idx').on(t.txid)]);

/**
 * The head of the audit chain: one row, locked by every appending transaction as it commits
 * (migration 0006), so that sequence numbers follow commit order (see src/audit/trail.ts).
 */
export const auditHead = pgTable(
  'audit_head',
  {
    id: smallint('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull(),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);

/**
 * Idempotency-Key records, scoped to the API key. A change claims its key with the first
 * statement of its own transaction and stores its rendered response (status, content type, the
 * headers that matter, the body) with its last, state `done`: the row commits with the change or
 * vanishes with it, so a retry after a lost answer gets the stored response, and a retry of a
 * change that never committed finds no claim and acts at once. A request whose answer is not a
 * change (a 4xx) stores it afterwards, as `done` too. `in_progress` and `committed` rows come from
 * earlier releases, which committed a claim before the change; they are still honoured.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    key: varchar('key', { length: 255 }).notNull(),
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    state: text('state').notNull().default('in_progress'),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    /** Response headers replayed besides Content-Type (ETag); `{}` when none. */
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    completedAt: instant('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.key] }),
    check('idempotency_keys_state_check', sql`${t.state} in ('in_progress', 'committed', 'done')`),
    index('idempotency_keys_created_idx').on(t.createdAt),
  ],
);

export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    callbackUrl: varchar('callback_url', { length: 2048 }).notNull(),
    eventTypes: text('event_types').array().notNull(),
    programmeId: uuid('programme_id').references(() => programmes.id),
    municipalityId: uuid('municipality_id').references(() => organisations.id),
    active: boolean('active').notNull().default(true),
    failingSince: instant('failing_since'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    format: text('format').$type<WebhookFormat>().notNull().default(DEFAULT_WEBHOOK_FORMAT),
    /** The receiver's Authorization value, encrypted (src/notifications/receiver-authorization.ts). */
    authorizationEncrypted: text('authorization_encrypted'),
    /** WebHook-Allowed-Rate of the handshake, requests per minute; null: no limit. */
    allowedRate: integer('allowed_rate'),
    endedReason: text('ended_reason').$type<SubscriptionEndReason>(),
    endedAt: instant('ended_at'),
    /** Nothing is sent to the receiver before this moment: its Retry-After, or the next slot its allowed rate gives. */
    nextSendAt: instant('next_send_at'),
  },
  (t) => [
    index('webhook_subscriptions_created_idx').on(t.createdAt, t.id),
    check('webhook_subscriptions_format_check', sql`${t.format} in (${sqlValues(WEBHOOK_FORMATS)})`),
    check('webhook_subscriptions_ended_reason_check', sql`${t.endedReason} in (${sqlValues(SUBSCRIPTION_END_REASONS)})`),
    check('webhook_subscriptions_allowed_rate_check', sql`${t.allowedRate} > 0`),
  ],
);

/** The transactional outbox: written in the same transaction as the change it announces. */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: uuid('event_id').notNull().default(sql`gen_random_uuid()`),
    eventType: text('event_type').notNull(),
    /** The decision the event is about; null for events about other resources (a college decision). */
    decisionId: uuid('decision_id'),
    resourceType: text('resource_type').notNull().default('decision'),
    resourceId: uuid('resource_id').notNull(),
    orderingKey: uuid('ordering_key').notNull(),
    /** The event's seq in the audit trail: the position readers of the event feed continue from. */
    auditSeq: bigint('audit_seq', { mode: 'number' }).notNull(),
    programmeIds: uuid('programme_ids').array().notNull(),
    municipalityIds: uuid('municipality_ids').array().notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
    fannedOutAt: instant('fanned_out_at'),
    /** The W3C traceparent of the request that caused the event (tracing on): its deliveries carry it. */
    traceparent: text('traceparent'),
  },
  (t) => [
    uniqueIndex('outbox_events_event_id_key').on(t.eventId),
    uniqueIndex('outbox_events_audit_seq_key').on(t.auditSeq),
    index('outbox_events_pending_idx').on(t.seq).where(sql`${t.fannedOutAt} is null`),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    outboxSeq: bigint('outbox_seq', { mode: 'number' })
      .notNull()
      .references(() => outboxEvents.seq),
    /** Deliveries with the same key (the decision) reach a subscriber in outbox order. */
    orderingKey: uuid('ordering_key').notNull(),
    state: text('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull().default(sql`now()`),
    leaseUntil: instant('lease_until'),
    firstAttemptAt: instant('first_attempt_at'),
    deliveredAt: instant('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    check('webhook_deliveries_state_check', sql`${t.state} in ('pending', 'delivered', 'failed')`),
    uniqueIndex('webhook_deliveries_subscription_event_key').on(t.subscriptionId, t.outboxSeq),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
    index('webhook_deliveries_order_idx').on(t.subscriptionId, t.orderingKey, t.outboxSeq),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id),
    attemptedAt: instant('attempted_at').notNull().default(sql`now()`),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
  },
  (t) => [
    index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt),
    // The failures counter of the metrics counts these at every scrape: an index-only scan of the failures alone.
    index('webhook_attempts_failed_idx').on(t.attemptedAt).where(sql`${t.error} is not null`),
  ],
);

/** Relations, for loading a decision with its commitments, conditions and votes in one query. */
export const decisionRelations = relations(decisions, ({ many }) => ({
  commitments: many(commitments),
  conditions: many(conditions),
  votes: many(votes),
}));
export const commitmentRelations = relations(commitments, ({ one }) => ({
  decision: one(decisions, { fields: [commitments.decisionId], references: [decisions.id] }),
}));
export const conditionRelations = relations(conditions, ({ one }) => ({
  decision: one(decisions, { fields: [conditions.decisionId], references: [decisions.id] }),
}));
export const voteRelations = relations(votes, ({ one }) => ({
  decision: one(decisions, { fields: [votes.decisionId], references: [decisions.id] }),
  collegeDecision: one(collegeDecisions, { fields: [votes.collegeDecisionId], references: [collegeDecisions.id] }),
}));
export const collegeDecisionRelations = relations(collegeDecisions, ({ many }) => ({
  votes: many(votes),
}));

/** The transparency log's tables (issue 26). */
export * from './tlog-schema.js';
