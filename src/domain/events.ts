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
 * nothing decides by comparing action strings. Adding an event type is one payload type and one
 * catalogue entry here, plus the use case that emits it.
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

/** Every event about a decision carries the whole decision as it is after the change. */
interface DecisionChange {
  decision: Decision;
}

export interface EventPayloads {
  'organisation.created': { organisation: Organisation };
  'organisation.updated': { before: Organisation; organisation: Organisation };
  'programme.created': { programme: Programme };
  'programme.updated': { before: Programme; programme: Programme };
  'decision.created': DecisionChange;
  'decision.updated': DecisionChange & { before: Decision };
  'decision.adopted': DecisionChange;
  'decision.withdrawn': DecisionChange & { reason: string };
  'decision.ratified': DecisionChange;
  'decision.rejected': DecisionChange;
  'vote.cast': DecisionChange & { vote: Vote };
  'condition.fulfilled': DecisionChange & { condition: Condition };
  'condition.overdue': DecisionChange & { condition: Condition };
  'decision.splitting_suspected': DecisionChange;
  'decision.fund_insufficient': DecisionChange;
  'ratification.overdue': DecisionChange;
  'decision.document_added': DecisionChange & { documents: DocumentRef[] };
  'condition.added': DecisionChange & { condition: Condition };
  'disbursement.recorded': DecisionChange & { disbursement: Disbursement };
  /** On the amendment, when it binds. */
  'decision.amended': DecisionChange;
  /** On the amended decision, when its amendment binds. */
  'decision.superseded': DecisionChange & { supersededBy: string };
  'decision.settled': DecisionChange;
  'indicator.defined': DecisionChange & { indicator: Indicator };
  'indicator.reported': DecisionChange & { indicator: Indicator; report: IndicatorReport };
  /** The votes it records are events of their own (`vote.cast`, each with its decision), before this one. */
  'college_decision.recorded': { collegeDecision: CollegeDecision; decisions: Decision[] };
  'statute_rule.created': { statuteRule: StatuteRule };
  'fund.contribution_recorded': { contribution: FundContribution };
  'co_financing.recorded': { coFinancing: CoFinancing };
  'apikey.created': { apiKey: ApiKey };
  'apikey.revoked': { apiKey: ApiKey };
  'webhook.subscribed': { subscription: Subscription };
  'webhook.unsubscribed': { subscription: Subscription };
  'webhook.redelivered': { delivery: Delivery };
}

export type EventType = keyof EventPayloads;

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
