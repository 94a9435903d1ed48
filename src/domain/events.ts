import type { ApiKey, Condition, Decision, Delivery, Organisation, Programme, Subscription, Vote } from './records.js';

/**
 * The catalogue of everything a change can cause: one entry per event type, with the resource
 * it is about, its payload, and whether subscribers (webhooks and the event feed) receive it and
 * how their filters are found. Use cases emit these typed events through their unit of work;
 * nothing decides by comparing action strings. Adding an event type is one payload type and one
 * catalogue entry here, plus the use case that emits it.
 */
export type ResourceType = 'organisation' | 'programme' | 'decision' | 'apikey' | 'webhook-subscription';

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

export const EVENT_CATALOGUE: { readonly [K in EventType]: EventDefinition<EventPayloads[K]> } = {
  'organisation.created': { resourceType: 'organisation', resourceId: (d) => d.organisation.id, summary: 'An organisation was registered.' },
  'organisation.updated': { resourceType: 'organisation', resourceId: (d) => d.organisation.id, summary: 'An organisation was edited.' },
  'programme.created': { resourceType: 'programme', resourceId: (d) => d.programme.id, summary: 'A programme was registered.' },
  'programme.updated': { resourceType: 'programme', resourceId: (d) => d.programme.id, summary: 'A programme was edited.' },
  'decision.created': { resourceType: 'decision', resourceId: ofDecision, summary: 'A principle decision was registered as a draft.' },
  'decision.updated': { resourceType: 'decision', resourceId: ofDecision, summary: 'A draft decision was edited.' },
  'decision.adopted': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'The board adopted a decision: it binds at once, or awaits ratification by the colleges.',
    audience: decisionAudience,
  },
  'decision.ratified': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'Every required college approved: the decision binds.',
    audience: decisionAudience,
  },
  'decision.rejected': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'A required college rejected the decision.',
    audience: decisionAudience,
  },
  'decision.withdrawn': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'A draft or pending decision was withdrawn.',
    audience: decisionAudience,
  },
  'vote.cast': { resourceType: 'decision', resourceId: ofDecision, summary: 'A college voted on a decision.', audience: decisionAudience },
  'condition.fulfilled': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'A condition of a decision was fulfilled.',
    audience: decisionAudience,
  },
  'condition.overdue': {
    resourceType: 'decision',
    resourceId: ofDecision,
    summary: 'An open condition passed its due date (raised once).',
    audience: decisionAudience,
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
export type PublishedEventType = EventType;

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
