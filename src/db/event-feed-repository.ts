import { sql } from 'drizzle-orm';
import type { FeedFilter } from '../domain/event-feed.js';
import { queryRows, type Executor } from './client.js';

/** A published event as the outbox holds it: the webhook body, its audit seq and its audience. */
export interface FeedRow {
  seq: number;
  type: string;
  programmeIds: string[];
  municipalityIds: string[];
  resourceType: string;
  resourceId: string;
  /** The W3C traceparent of the request that caused the event, when the service traced it. */
  traceparent: string | null;
  /** The body a webhook delivery of this event carries: `{ id, type, occurredAt, decisionId, auditSeq, data }`. */
  payload: Record<string, unknown>;
}

export interface FeedRead {
  rows: FeedRow[];
  /** The audit head as of the same snapshot: every event up to it that will ever exist is visible. */
  headSeq: number;
}

interface RawRow {
  head: string;
  seq: string | null;
  type: string | null;
  programme_ids: string[] | null;
  municipality_ids: string[] | null;
  resource_type: string | null;
  resource_id: string | null;
  traceparent: string | null;
  payload: Record<string, unknown> | null;
}

/**
 * Published events after `afterSeq` that pass the filter, in seq order, and the audit head, in one
 * statement and so one snapshot. Audit seqs are handed out in commit order under the head's lock
 * (see appendAuditEvents), and the head row changes in the same transaction as the events: an
 * event with a seq up to the head read here is visible here, and any event that commits later
 * gets a greater seq. A reader may therefore continue from the head even when the filter let
 * nothing through, without ever skipping an event. Walks the unique index on `audit_seq`.
 */
export async function readFeed(ex: Executor, afterSeq: number, filter: FeedFilter, limit: number): Promise<FeedRead> {
  const types = filter.types === undefined ? sql`` : sql` and event_type in (${sql.join(filter.types.map((type) => sql`${type}`), sql`, `)})`;
  const programme = filter.programmeId === undefined ? sql`` : sql` and programme_ids @> array[${filter.programmeId}::uuid]`;
  const municipality = filter.municipalityId === undefined ? sql`` : sql` and municipality_ids @> array[${filter.municipalityId}::uuid]`;
  const raw = await queryRows<RawRow>(
    ex,
    sql`select h.seq::text as head, o.audit_seq::text as seq, o.event_type as type,
               array_to_json(o.programme_ids) as programme_ids, array_to_json(o.municipality_ids) as municipality_ids,
               o.resource_type, o.resource_id::text as resource_id, o.traceparent, o.payload
          from audit_head h
          left join lateral (
            select audit_seq, event_type, programme_ids, municipality_ids, resource_type, resource_id, traceparent, payload
              from outbox_events
             where audit_seq > ${afterSeq}${types}${programme}${municipality}
             order by audit_seq
             limit ${limit}) o on true
         where h.id = 1
         order by o.audit_seq`,
  );
  const head = raw[0]?.head;
  if (head === undefined) throw new Error('audit_head row is missing; migrations did not run');
  const rows = raw
    .filter((row) => row.seq !== null)
    .map((row) => ({
      seq: Number(row.seq),
      type: row.type!,
      programmeIds: row.programme_ids ?? [],
      municipalityIds: row.municipality_ids ?? [],
      resourceType: row.resource_type!,
      resourceId: row.resource_id!,
      traceparent: row.traceparent,
      payload: row.payload!,
    }));
  return { rows, headSeq: Number(head) };
}
