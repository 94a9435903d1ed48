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

export interface OutboxEntry {
  type: WebhookEventType;
  decisionId: string;
  occurredAt: string;
  auditSeq: number;
  data: unknown;
}

/**
 * Writes notifications into the outbox inside the caller's transaction, so an event exists if
 * and only if its change committed. The programmes and municipalities of the decision are stored
 * beside it for the subscriptions' filters.
 */
export async function recordOutboxEvents(tx: Tx, entries: readonly OutboxEntry[]): Promise<void> {
  for (const entry of entries) {
    const programmeRows = await tx
      .selectDistinct({ id: commitments.programmeId })
      .from(commitments)
      .where(eq(commitments.decisionId, entry.decisionId));
    const [decision] = await tx
      .select({ required: decisions.requiredMunicipalityIds })
      .from(decisions)
      .where(eq(decisions.id, entry.decisionId));
    // The event id is the unique key receivers deduplicate on; the payload names it.
    const eventId = randomUUID();
    await tx.insert(outboxEvents).values({
      eventId,
      eventType: entry.type,
      decisionId: entry.decisionId,
      programmeIds: programmeRows.map((r) => r.id),
      municipalityIds: decision?.required ?? [],
      payload: {
        id: eventId,
        type: entry.type,
        occurredAt: entry.occurredAt,
        decisionId: entry.decisionId,
        auditSeq: entry.auditSeq,
        data: entry.data,
      },
    });
  }
}
