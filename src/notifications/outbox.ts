import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { programmeIdsOfDecision } from '../db/decisions-repository.js';
import { decisions } from '../db/schema.js';

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
  const [row] = await tx
    .select({ programmeIds: programmeIdsOfDecision, municipalityIds: decisions.requiredMunicipalityIds })
    .from(decisions)
    .where(eq(decisions.id, decisionId));
  return row ?? { programmeIds: [], municipalityIds: [] };
}
