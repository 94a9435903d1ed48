import { DomainError } from './errors.js';
import { PUBLISHED_EVENT_TYPES, type EventType } from './events.js';

/**
 * The event feed: the published events (the ones webhook subscribers receive) in audit `seq`
 * order, for systems that poll. A reader selects them like a webhook subscription does: by event
 * type, by programme (events of decisions that fund it) and by municipality (events of decisions
 * that require it). The database applies the same selection to a page; waiting readers apply it
 * here to the events that woke them.
 */
export interface FeedFilter {
  types?: readonly EventType[] | undefined;
  programmeId?: string | undefined;
  municipalityId?: string | undefined;
}

/** What the selection looks at: the event's type and its audience. */
export interface FeedEventAudience {
  type: string;
  programmeIds: readonly string[];
  municipalityIds: readonly string[];
}

export function matchesFeedFilter(event: FeedEventAudience, filter: FeedFilter): boolean {
  if (filter.types !== undefined && !filter.types.includes(event.type as EventType)) return false;
  if (filter.programmeId !== undefined && !event.programmeIds.includes(filter.programmeId)) return false;
  if (filter.municipalityId !== undefined && !event.municipalityIds.includes(filter.municipalityId)) return false;
  return true;
}

const published = new Set<string>(PUBLISHED_EVENT_TYPES);

/** `types=vote.cast,decision.ratified`: each must be a published event type (else 400, naming them). */
export function parseEventTypes(text: string | undefined): EventType[] | undefined {
  if (text === undefined) return undefined;
  const types = [...new Set(text.split(',').map((type) => type.trim()))];
  const unknown = types.filter((type) => !published.has(type));
  if (unknown.length > 0 || types.length === 0) {
    throw new DomainError('VALIDATION_FAILED', `Unknown event type(s): ${unknown.join(', ') || '(none given)'}.`, [
      { path: '/types', message: `must be a comma-separated list of: ${PUBLISHED_EVENT_TYPES.join(', ')}` },
    ]);
  }
  return types as EventType[];
}
