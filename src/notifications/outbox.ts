import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { commitments, decisions, outboxEvents } from '../db/schema.js';

/** The event types a subscriber can ask for; each is also an audit action. */
export const WEBHOOK_EVENT_TYPES = [
  'decision.adopted',
  'decision.ratified',
  'decision.rejected',
  'decision.withdrawn',
  'vote.cast',
  'condition.fulfilled',
  'condition.overdue',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(action: string): action is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(action);
}

export interface OutboxTargets {
  programmeIds: string[];
  municipalityIds: string[];
}

/** The programmes and municipalities of a decision, stored beside its events for the subscriptions' filters. */
export async function outboxTargets(tx: Tx, decisionId: string): Promise<OutboxTargets> {
  const programmeRows = await tx
    .selectDistinct({ id: commitments.programmeId })
    .from(commitments)
    .where(eq(commitments.decisionId, decisionId));
  const [decision] = await tx
    .select({ required: decisions.requiredMunicipalityIds })
    .from(decisions)
    .where(eq(decisions.id, decisionId));
  return { programmeIds: programmeRows.map((row) => row.id), municipalityIds: decision?.required ?? [] };
}

export interface OutboxEntry {
  type: WebhookEventType;
  decisionId: string;
  occurredAt: string;
  auditSeq: number;
  data: unknown;
  targets: OutboxTargets;
}

/**
 * The outbox rows for notifications, inserted by the audit trail in the same statement as their
 * events, so an event exists if and only if its change committed. The event id is the unique key
 * receivers deduplicate on; the payload names it.
 */
export function outboxRows(entries: readonly OutboxEntry[]): (typeof outboxEvents.$inferInsert)[] {
  return entries.map((entry) => {
    const eventId = randomUUID();
    return {
      eventId,
      eventType: entry.type,
      decisionId: entry.decisionId,
      programmeIds: entry.targets.programmeIds,
      municipalityIds: entry.targets.municipalityIds,
      payload: {
        id: eventId,
        type: entry.type,
        occurredAt: entry.occurredAt,
        decisionId: entry.decisionId,
        auditSeq: entry.auditSeq,
        data: entry.data,
      },
    };
  });
}
