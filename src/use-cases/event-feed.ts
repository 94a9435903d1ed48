import { DomainError } from '../domain/errors.js';
import { DEFAULT_EVENT_SOURCE, toCloudEvent, type CloudEvent, type CloudEventSettings } from '../domain/cloudevents.js';
import { matchesFeedFilter, type FeedFilter } from '../domain/event-feed.js';
import type { EventType, ResourceType } from '../domain/events.js';
import type { WebhookFormat } from '../domain/webhook-subscriptions.js';
import type { Database } from '../db/client.js';
import { readFeed, type FeedRow } from '../db/event-feed-repository.js';

/** The channel the audit seal notifies at commit for every published event (migration 0007). */
export const EVENTS_CHANNEL = 'eszl_events';

/**
 * One item of the feed: in `eszl-v1`, the body an `eszl-v1` webhook delivery of the event carries,
 * plus its audit `seq`; in `cloudevents`, exactly the CloudEvent a `cloudevents` subscription
 * receives (its `sequence` is the seq).
 */
export type FeedItem = Record<string, unknown> & { seq: number };
type AnyItem = FeedItem | CloudEvent;

export interface FeedPage<T = FeedItem> {
  items: T[];
  /** Where to continue (`afterSeq`): at least the last item's seq, also past events the filter skipped. */
  lastSeq: number;
}

export interface FeedQuery {
  afterSeq: number;
  filter: FeedFilter;
  limit: number;
  /** 0..30: with nothing to answer, wait this long for a matching event. */
  waitSeconds: number;
  /** The shape of the items; `eszl-v1` unless asked. */
  format?: WebhookFormat | undefined;
}

interface Waiter {
  filter: FeedFilter;
  format: WebhookFormat;
  limit: number;
  /** Every event up to here has been looked at for this waiter (and none matched). */
  seenSeq: number;
  answer(page: FeedPage<AnyItem>): void;
}

/** Rows fetched for the waiters at once, each time they are woken. */
const BATCH = 500;
/** While notifications cannot arrive (the listening connection is being re-established), waiters look this often. */
const POLL_WHILE_DEAF_MS = 1_000;

const DEFAULT_SETTINGS: CloudEventSettings = { source: DEFAULT_EVENT_SOURCE, baseUrl: 'http://localhost' };

/** A row as the format asks: the eszl-v1 body and seq, or the CloudEvent a subscription receives. */
function toItem(row: FeedRow, format: WebhookFormat, settings: CloudEventSettings): AnyItem {
  if (format === 'eszl-v1') return { ...row.payload, seq: row.seq };
  const { id, occurredAt, data } = row.payload as { id: string; occurredAt: string; data: unknown };
  const event = { id, type: row.type as EventType, occurredAt, seq: row.seq, resourceType: row.resourceType as ResourceType, resourceId: row.resourceId, data };
  return toCloudEvent(event, settings, row.traceparent ?? undefined);
}

/**
 * The event feed of one service instance. A read that finds nothing to answer may wait: the
 * waiting request holds no database connection, only a place in `waiters`. One connection per
 * instance LISTENs on `eszl_events` (the audit seal notifies it at commit, from any instance);
 * a notification makes the feed read the new events once, for all waiters together, and answer
 * each waiter whose filter they match. So 500 waiting readers cost one query when an event
 * arrives, and a pool of 10 connections is never exhausted by waiting.
 */
export class EventFeed {
  private readonly waiters = new Set<Waiter>();
  private listening = false;
  private closed = false;
  private fetching: Promise<void> | undefined;
  private fetchAgain = false;
  /** Counts notifications, so a read can tell whether one arrived while it was querying. */
  private generation = 0;
  private poller: NodeJS.Timeout | undefined;

  /** `cloudEvents`: EVENT_SOURCE and the service's addresses, as the dispatcher has them. */
  constructor(
    private readonly database: Database,
    private readonly cloudEvents: CloudEventSettings = DEFAULT_SETTINGS,
  ) {}

  /** How many requests are waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Wiring for `Database.listen`: an event committed somewhere. */
  notified(): void {
    this.generation++;
    if (this.waiters.size > 0) this.wake();
  }

  /** Notifications arrive (again): whatever committed while they could not is read now. */
  ready(): void {
    this.listening = true;
    clearInterval(this.poller);
    this.poller = undefined;
    this.notified();
  }

  /** Notifications cannot arrive until the connection is back: waiters look for themselves meanwhile. */
  lost(): void {
    this.listening = false;
    this.poller ??= setInterval(() => this.notified(), POLL_WHILE_DEAF_MS);
    this.poller.unref();
  }

  /** Shutting down: every waiter gets its empty answer now, instead of holding the close up. */
  close(): void {
    this.closed = true;
    clearInterval(this.poller);
    for (const waiter of [...this.waiters]) waiter.answer({ items: [], lastSeq: waiter.seenSeq });
  }

  read(query: FeedQuery & { format?: 'eszl-v1' | undefined }, signal?: AbortSignal): Promise<FeedPage>;
  read(query: FeedQuery, signal?: AbortSignal): Promise<FeedPage<AnyItem>>;
  async read(query: FeedQuery, signal?: AbortSignal): Promise<FeedPage<AnyItem>> {
    const generation = this.generation;
    const { rows, headSeq } = await readFeed(this.database.db, query.afterSeq, query.filter, query.limit);
    if (query.afterSeq > headSeq) {
      // A position beyond the head was never handed out: the client's position is corrupt, and echoing it back would hide that.
      throw new DomainError('VALIDATION_FAILED', `afterSeq ${query.afterSeq} lies beyond the audit head (seq ${headSeq}); continue from ${headSeq} or less.`, [
        { path: '/afterSeq', message: `must not be greater than the audit head, ${headSeq}` },
      ]);
    }
    const format = query.format ?? 'eszl-v1';
    const page: FeedPage<AnyItem> = {
      items: rows.map((row) => toItem(row, format, this.cloudEvents)),
      // A full page may have more after it; otherwise everything up to the head was looked at.
      lastSeq: rows.length === query.limit ? rows[rows.length - 1]!.seq : Math.max(query.afterSeq, headSeq),
    };
    if (page.items.length > 0 || query.waitSeconds === 0 || this.closed || signal?.aborted) return page;
    const waiting = this.wait(query, page.lastSeq, signal);
    // An event that committed while we read has notified already, perhaps before we waited: look
    // for it now (from what we saw) rather than at the next notification.
    if (generation !== this.generation) this.wake();
    return waiting;
  }

  private wait(query: FeedQuery, seenSeq: number, signal: AbortSignal | undefined): Promise<FeedPage<AnyItem>> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter: query.filter,
        format: query.format ?? 'eszl-v1',
        limit: query.limit,
        seenSeq,
        answer: (page) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(page);
        },
      };
      const onAbort = () => waiter.answer({ items: [], lastSeq: waiter.seenSeq });
      const timer = setTimeout(onAbort, query.waitSeconds * 1000);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      if (!this.listening) this.lost();
    });
  }

  /** One read for every waiter; notifications that arrive meanwhile make it read once more after. */
  private wake(): void {
    if (this.fetching !== undefined) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = this.fetchForWaiters()
      .catch(() => undefined) // the next notification, poll or timeout retries; waiters never fail
      .finally(() => {
        this.fetching = undefined;
        const again = this.fetchAgain;
        this.fetchAgain = false;
        if (again && this.waiters.size > 0) this.wake();
      });
  }

  private async fetchForWaiters(): Promise<void> {
    if (this.waiters.size === 0) return;
    const from = [...this.waiters].reduce((min, waiter) => Math.min(min, waiter.seenSeq), Number.MAX_SAFE_INTEGER);
    const { rows, headSeq } = await readFeed(this.database.db, from, {}, BATCH);
    // The rows cover (from, end]: up to the head, unless the batch was full.
    const end = rows.length === BATCH ? rows[rows.length - 1]!.seq : headSeq;
    for (const waiter of [...this.waiters]) {
      // A waiter that came while this read ran may have seen less than `from`: the next read covers it.
      if (waiter.seenSeq < from) this.fetchAgain = true;
      else offer(waiter, rows, end, this.cloudEvents);
    }
    if (rows.length === BATCH) this.fetchAgain = true;
  }
}

/** Answers the waiter when rows after what it has seen match its filter; else it has now seen up to `end`. */
function offer(waiter: Waiter, rows: readonly FeedRow[], end: number, settings: CloudEventSettings): void {
  const matching = rows.filter((row) => row.seq > waiter.seenSeq && matchesFeedFilter(row, waiter.filter));
  if (matching.length === 0) {
    waiter.seenSeq = Math.max(waiter.seenSeq, end);
    return;
  }
  const items = matching.slice(0, waiter.limit);
  waiter.answer({ items: items.map((row) => toItem(row, waiter.format, settings)), lastSeq: matching.length > waiter.limit ? items[items.length - 1]!.seq : Math.max(end, waiter.seenSeq) });
}
