import { Type, type Static, type TProperties } from 'typebox';
import { IndicatorReport as IndicatorReportSchema } from './indicator-report.js';
import { CalendarDate, Component, StringEnum, Text, Timestamp, Uuid } from './schema-types.js';
import { SUBSCRIPTION_END_REASONS } from './webhook-subscriptions.js';
import type {
  ApiKey,
  CoFinancing,
  CollegeDecision,
  Condition,
  Decision,
  Delivery,
  Disbursement,
  DocumentRef,
  FundContribution,
  Indicator,
  IndicatorReport,
  Organisation,
  Programme,
  StatuteRule,
  Subscription,
  Vote,
} from './records.js';

/**
 * The catalogue of everything a change can cause: one entry per event type, with the resource
 * it is about, its payload, and whether subscribers (webhooks and the event feed) receive it and
 * how their filters are found. Use cases emit these typed events through their unit of work;
 * nothing decides by comparing action strings. Adding an event type is one payload schema and
 * one catalogue entry here, plus the use case that emits it.
 */
export type ResourceType =
  | 'organisation'
  | 'programme'
  | 'decision'
  | 'college-decision'
  | 'statute-rule'
  | 'fund-contribution'
  | 'apikey'
  | 'webhook-subscription';

const payload = <P extends TProperties>(properties: P) => Type.Object(properties, { additionalProperties: false });

/** Every event about a decision carries the whole decision as it is after the change. */
const decision = Component<Decision>('Decision');
/** A payload of an event about a decision: the decision, and these properties besides. */
function withDecision<P extends TProperties = {}>(properties: P = {} as P) {
  return payload({ decision, ...properties });
}

/**
 * The `data` of every event type, as the audit trail, the event feed and webhook deliveries
 * carry it: one schema per type (records by their OpenAPI component), the payload types derived
 * from it. test/http/audit/routes/trail-mutations.test.ts checks every schema against events the service
 * really emits.
 */
export const EVENT_PAYLOAD_SCHEMAS = {
  'organisation.created': payload({ organisation: Component<Organisation>('Organisation') }),
  'organisation.updated': payload({ before: Component<Organisation>('Organisation'), organisation: Component<Organisation>('Organisation') }),
  'programme.created': payload({ programme: Component<Programme>('Programme') }),
  'programme.updated': payload({ before: Component<Programme>('Programme'), programme: Component<Programme>('Programme') }),
  'decision.created': withDecision(),
  'decision.updated': withDecision({ before: decision }),
  'decision.adopted': withDecision(),
  'decision.withdrawn': withDecision({ reason: Text(2000) }),
  'decision.ratified': withDecision(),
  'decision.rejected': withDecision(),
  'vote.cast': withDecision({ vote: Component<Vote>('Vote') }),
  'condition.fulfilled': withDecision({ condition: Component<Condition>('Condition') }),
  'condition.overdue': withDecision({ condition: Component<Condition>('Condition') }),
  'decision.splitting_suspected': withDecision(),
  'decision.fund_insufficient': withDecision(),
  'ratification.overdue': withDecision(),
  'ratification.due_soon': withDecision({
    municipalityId: Type.Unsafe<string>({ ...Uuid, description: 'The municipality whose college is reminded' }),
    dueDate: CalendarDate,
    daysLeft: Type.Integer({ minimum: 0, description: 'Days from today (Europe/Amsterdam) to the due date' }),
  }),
  'decision.document_added': withDecision({ documents: Type.Array(Component<DocumentRef>('DocumentRef'), { minItems: 1 }) }),
  'condition.added': withDecision({ condition: Component<Condition>('Condition') }),
  'disbursement.recorded': withDecision({ disbursement: Component<Disbursement>('Disbursement') }),
  /** On the amendment, when it binds. */
  'decision.amended': withDecision(),
  /** On the amended decision, when its amendment binds. */
  'decision.superseded': withDecision({ supersededBy: Uuid }),
  'decision.settled': withDecision(),
  'indicator.defined': withDecision({ indicator: Component<Indicator>('Indicator') }),
  'indicator.reported': withDecision({ indicator: Component<Indicator>('Indicator'), report: Type.Unsafe<IndicatorReport>(IndicatorReportSchema) }),
  /** The votes it records are events of their own (`vote.cast`, each with its decision), before this one. */
  'college_decision.recorded': payload({ collegeDecision: Component<CollegeDecision>('CollegeDecision'), decisions: Type.Array(decision, { minItems: 1 }) }),
  'statute_rule.created': payload({ statuteRule: Component<StatuteRule>('StatuteRule') }),
  'fund.contribution_recorded': payload({ contribution: Component<FundContribution>('FundContribution') }),
  'co_financing.recorded': payload({ coFinancing: Component<CoFinancing>('CoFinancing') }),
  'apikey.created': payload({ apiKey: Component<ApiKey>('ApiKey') }),
  'apikey.revoked': payload({ apiKey: Component<ApiKey>('ApiKey') }),
  'webhook.subscribed': payload({ subscription: Component<Subscription>('WebhookSubscription') }),
  'webhook.unsubscribed': payload({ subscription: Component<Subscription>('WebhookSubscription') }),
  'webhook.redelivered': payload({ delivery: Component<Delivery>('WebhookDelivery') }),
  /** The receiver answered 410 Gone: nothing more is sent to it. */
  'webhook_subscription.ended': payload({ subscription: Component<Subscription>('WebhookSubscription'), endedReason: StringEnum(SUBSCRIPTION_END_REASONS), endedAt: Timestamp }),
};

/** The payload of each event type: derived from its schema, never written a second time. */
export type EventPayloads = { [K in keyof typeof EVENT_PAYLOAD_SCHEMAS]: Static<(typeof EVENT_PAYLOAD_SCHEMAS)[K]> };

export type EventType = keyof EventPayloads;

/** What every event about a decision carries: the whole decision as it is after the change. */
type DecisionChange = EventPayloads['decision.created'];

/**
 * Who receives a published event: subscriptions and feed readers filter by programme and by
 * municipality, and deliveries with the same ordering key reach a subscriber in order.
 */
export interface EventAudience {
  orderingKey: string;
  programmeIds: string[];
  municipalityIds: string[];
}

export interface EventDefinition<P> {
  resourceType: ResourceType;
  resourceId(data: P): string;
  /** One line for the OpenAPI document and the README. */
  summary: string;
  /** Absent: audited only. Present: also delivered to webhook subscribers and the event feed. */
  audience?: (data: P) => EventAudience;
}

/** A decision's audience: the programmes it funds and the municipalities asked to ratify it. */
export function decisionAudience({ decision }: DecisionChange): EventAudience {
  return {
    orderingKey: decision.id,
    programmeIds: [...new Set(decision.commitments.map((c) => c.programmeId))].sort(),
    municipalityIds: [...decision.ratification.requiredMunicipalityIds],
  };
}

const ofDecision = ({ decision }: DecisionChange) => decision.id;

/** A college decision's audience: its municipality and the audiences of the decisions it voted on. */
function collegeDecisionAudience({ collegeDecision, decisions }: EventPayloads['college_decision.recorded']): EventAudience {
  const audiences = decisions.map((decision) => decisionAudience({ decision }));
  return {
    orderingKey: collegeDecision.id,
    programmeIds: [...new Set(audiences.flatMap((a) => a.programmeIds))].sort(),
    municipalityIds: [...new Set([collegeDecision.municipalityId, ...audiences.flatMap((a) => a.municipalityIds)])].sort(),
  };
}

/** A reminder goes to the one college it reminds and to the decision's programmes, not to the other colleges. */
function dueSoonAudience(data: EventPayloads['ratification.due_soon']): EventAudience {
  return { ...decisionAudience(data), municipalityIds: [data.municipalityId] };
}

/** An event about a decision that subscribers and feed readers receive. */
function published(summary: string): EventDefinition<DecisionChange> {
  return { resourceType: 'decision', resourceId: ofDecision, summary, audience: decisionAudience };
}

export const EVENT_CATALOGUE: { readonly [K in EventType]: EventDefinition<EventPayloads[K]> } = {
  'organisation.created': { resourceType: 'organisation', resourceId: (d) => d.organisation.id, summary: 'An organisation was registered.' },
  'organisation.updated': { resourceType: 'organisation', resourceId: (d) => d.organisation.id, summary: 'An organisation was edited.' },
  'programme.created': { resourceType: 'programme', resourceId: (d) => d.programme.id, summary: 'A programme was registered.' },
  'programme.updated': { resourceType: 'programme', resourceId: (d) => d.programme.id, summary: 'A programme was edited.' },
  'decision.created': { resourceType: 'decision', resourceId: ofDecision, summary: 'A principle decision was registered as a draft.' },
  'decision.updated': { resourceType: 'decision', resourceId: ofDecision, summary: 'A draft decision was edited.' },
  'decision.adopted': published('The board adopted a decision: it binds at once, or awaits ratification by the colleges.'),
  'decision.ratified': published('Every required college approved: the decision binds.'),
  'decision.rejected': published('A required college rejected the decision.'),
  'decision.withdrawn': published('A draft or pending decision was withdrawn.'),
  'vote.cast': published('A college voted on a decision.'),
  'condition.fulfilled': published('A condition of a decision was fulfilled.'),
  'condition.overdue': published('An open condition passed its due date (raised once).'),
  'decision.splitting_suspected': published(
    'At adoption, this decision and related ones under the threshold together reach it: suspected splitting.',
  ),
  'decision.fund_insufficient': published('At adoption, the uncommitted means of the ESZL fund did not cover this decision.'),
  'ratification.overdue': published('A decision still awaits ratification after its ratification due date (raised once).'),
  'ratification.due_soon': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'A college that has not voted is reminded of the ratification due date (once per day of RATIFICATION_REMINDER_DAYS).',
    audience: dueSoonAudience,
  },
  'decision.document_added': published('Documents were added to a decision.'),
  'condition.added': published('A condition was added to a decision after its adoption.'),
  'disbursement.recorded': published('Money of a binding decision was paid.'),
  'decision.amended': published('An amendment (wijzigingsbesluit) binds: it takes the place of the decision it amends.'),
  'decision.superseded': published('An amendment of this decision binds: this decision no longer binds.'),
  'decision.settled': published('The decision was settled (vaststelling): its final amounts bind, the rest is released.'),
  'indicator.defined': published('A monitoring indicator with targets was defined for a decision.'),
  'indicator.reported': published('A value of a monitoring indicator was reported.'),
  'college_decision.recorded': {
    resourceType: 'college-decision',
    resourceId: (d) => d.collegeDecision.id,
    summary: 'A college decision recorded the votes of one municipality on one or more decisions (after their vote.cast events).',
    audience: collegeDecisionAudience,
  },
  'statute_rule.created': {
    resourceType: 'statute-rule',
    resourceId: (d) => d.statuteRule.id,
    summary: 'A new version of the statute rules was added.',
  },
  'fund.contribution_recorded': {
    resourceType: 'fund-contribution',
    resourceId: (d) => d.contribution.id,
    summary: 'A municipality\'s contribution to the ESZL fund was recorded.',
  },
  'co_financing.recorded': {
    resourceType: 'programme',
    resourceId: (d) => d.coFinancing.programmeId,
    summary: 'Co-financing of a programme by another funder was recorded.',
  },
  'apikey.created': { resourceType: 'apikey', resourceId: (d) => d.apiKey.id, summary: 'An API key was issued.' },
  'apikey.revoked': { resourceType: 'apikey', resourceId: (d) => d.apiKey.id, summary: 'An API key was revoked.' },
  'webhook.subscribed': {
    resourceType: 'webhook-subscription',
    resourceId: (d) => d.subscription.id,
    summary: 'A webhook subscription was created.',
  },
  'webhook.unsubscribed': {
    resourceType: 'webhook-subscription',
    resourceId: (d) => d.subscription.id,
    summary: 'A webhook subscription was cancelled.',
  },
  'webhook.redelivered': {
    resourceType: 'webhook-subscription',
    resourceId: (d) => d.delivery.subscriptionId,
    summary: 'A webhook delivery was scheduled again.',
  },
  'webhook_subscription.ended': {
    resourceType: 'webhook-subscription',
    resourceId: (d) => d.subscription.id,
    summary: 'A webhook subscription ended because its receiver answered 410 Gone.',
  },
};

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

/** The event types that subscribers and feed readers receive, in catalogue order. */
export const PUBLISHED_EVENT_TYPES = EVENT_TYPES.filter((type) => EVENT_CATALOGUE[type].audience !== undefined);
export function isPublished(type: EventType): boolean {
  return EVENT_CATALOGUE[type].audience !== undefined;
}

/** An event as a use case emits it: typed by the catalogue. */
export interface DomainEvent<K extends EventType = EventType> {
  type: K;
  data: EventPayloads[K];
}

/** Where the catalogue puts an event: its resource and, when published, its audience. */
export function describeEvent<K extends EventType>(event: DomainEvent<K>): {
  resourceType: ResourceType;
  resourceId: string;
  audience: EventAudience | undefined;
} {
  const definition = EVENT_CATALOGUE[event.type] as EventDefinition<EventPayloads[K]>;
  return {
    resourceType: definition.resourceType,
    resourceId: definition.resourceId(event.data),
    audience: definition.audience?.(event.data),
  };
}
