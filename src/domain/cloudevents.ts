import { EVENT_CATALOGUE, EVENT_TYPES, isPublished, type EventType, type ResourceType } from './events.js';

/**
 * An event of the catalogue as a CloudEvent of the NL GOV profile for CloudEvents (Logius),
 * in the JSON event format of CloudEvents 1.0.2, as webhook deliveries of `cloudevents`
 * subscriptions and the event feed's `format=cloudevents` carry it. Pure: the settings
 * (EVENT_SOURCE, the service's address) come in as arguments.
 */
export const CLOUD_EVENT_TYPE_PREFIX = 'nl.funding-decisions.';
export const DEFAULT_EVENT_SOURCE = 'urn:nld:stichting-eszl.besluitenregister';
/** Structured content mode of the HTTP protocol binding, JSON event format. */
export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** An event as the outbox and the event feed carry it. */
export interface PublishedEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  /** The event's audit seq. */
  seq: number;
  resourceType: ResourceType;
  /** The id of the resource the event is about: the decision's for decision events. */
  resourceId: string;
  data: unknown;
}

export interface CloudEventSettings {
  /** EVENT_SOURCE, checked by `eventSourceProblem` at start. */
  source: string;
  /** Absolute base of the service's URLs (no trailing slash), for `dataschema`. */
  baseUrl: string;
  /** PUBLIC_BASE_URL: only with it does an event carry `dataref`. */
  publicBaseUrl?: string | undefined;
}

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  dataschema: string;
  dataref?: string;
  sequence: string;
  sequencetype: 'Integer';
  traceparent?: string;
  data: unknown;
}

/** `vote.cast` -> `nl.funding-decisions.vote.cast`: reverse DNS, a plural domain, no organisation's name. */
export function cloudEventType(type: EventType): string {
  return `${CLOUD_EVENT_TYPE_PREFIX}${type}`;
}

/** Where the JSON Schema of a type's `data` is served (without authentication). */
export function eventSchemaUrl(baseUrl: string, type: EventType): string {
  return `${baseUrl}/api/v1/event-types/${type}/schema`;
}

/** The path of the single-resource GET of each kind of resource, where the API has one. */
const RESOURCE_PATHS: { readonly [K in ResourceType]: string | undefined } = {
  organisation: 'organisations',
  programme: 'programmes',
  decision: 'decisions',
  'college-decision': 'college-decisions',
  'statute-rule': 'statute-rules',
  'fund-contribution': undefined,
  apikey: undefined,
  'webhook-subscription': 'webhook-subscriptions',
};

export function resourceUrl(baseUrl: string, resourceType: ResourceType, resourceId: string): string | undefined {
  const path = RESOURCE_PATHS[resourceType];
  return path === undefined ? undefined : `${baseUrl}/api/v1/${path}/${resourceId}`;
}

const INT32 = 2 ** 32;
/**
 * `sequencetype: Integer` makes `sequence` a string-encoded signed 32-bit integer that wraps
 * from 2^31 - 1 to -2^31 (the profile's Sequence section): the audit seq as it is up to there.
 */
export function sequenceOf(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`an audit seq is a positive integer, not ${seq}`);
  const wrapped = ((seq + 2 ** 31) % INT32) - 2 ** 31;
  return String(wrapped);
}

/** W3C Trace Context `traceparent` (version 00), as the CloudEvents distributed tracing extension carries it. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export function toCloudEvent(event: PublishedEvent, settings: CloudEventSettings, traceparent?: string): CloudEvent {
  const dataref = settings.publicBaseUrl === undefined ? undefined : resourceUrl(settings.publicBaseUrl, event.resourceType, event.resourceId);
  return {
    specversion: '1.0',
    id: event.id,
    source: settings.source,
    type: cloudEventType(event.type),
    time: event.occurredAt,
    subject: event.resourceId,
    datacontenttype: 'application/json',
    dataschema: eventSchemaUrl(settings.baseUrl, event.type),
    ...(dataref !== undefined && { dataref }),
    sequence: sequenceOf(event.seq),
    sequencetype: 'Integer',
    ...(traceparent !== undefined && TRACEPARENT.test(traceparent) && { traceparent }),
    data: event.data,
  };
}

/**
 * RFC 8141 URN in the `nld` namespace without r-, q- or f-components: `urn:nld:` and a
 * namespace-specific string of pchar and `/` (the NL GOV profile's `source`).
 */
const NLD_URN = /^urn:nld:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/i;

/** Why a value cannot be EVENT_SOURCE, or undefined when it can. */
export function eventSourceProblem(value: string): string | undefined {
  if (value.length > 1024) return 'must be at most 1024 characters';
  if (!NLD_URN.test(value)) {
    return `must be a URN in the nld namespace, such as ${DEFAULT_EVENT_SOURCE} or urn:nld:kvknr:<KvK number>.besluitenregister`;
  }
  return undefined;
}

/** One line of `GET /api/v1/event-types`: what a consumer needs to know about a type. */
export interface EventTypeDescription {
  type: EventType;
  cloudEventType: string;
  summary: string;
  published: boolean;
  resource: ResourceType;
  schemaUrl: string;
}

export function describeEventTypes(baseUrl: string): EventTypeDescription[] {
  return EVENT_TYPES.map((type) => ({
    type,
    cloudEventType: cloudEventType(type),
    summary: EVENT_CATALOGUE[type].summary,
    published: isPublished(type),
    resource: EVENT_CATALOGUE[type].resourceType,
    schemaUrl: eventSchemaUrl(baseUrl, type),
  }));
}
