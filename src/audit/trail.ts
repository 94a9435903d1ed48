import type { Principal } from '../domain/access.js';
import type { Tx } from '../db/client.js';
import { auditPending } from '../db/schema.js';
import { canonicalParts } from './chain.js';
import { isWebhookEventType, outboxTargets, type OutboxTargets } from '../notifications/outbox.js';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
  /** The webhook filters of a decision event, when the caller already has them (else they are read). */
  outboxTargets?: OutboxTargets;
}

/**
 * Appends events to the chain inside the caller's transaction, after its change.
 *
 * The events go to `audit_pending`; a deferred trigger seals them into the chain as the
 * transaction commits (migration 0006). Why that is correct across any number of service
 * instances: the trigger first takes the row lock on the single `audit_head` row
 * (`SELECT ... FOR UPDATE`), which PostgreSQL holds until the commit completes, whichever
 * instance runs it. A second committer waits and then reads the head as the first one left it.
 * Sequence numbers are therefore handed out in commit order and without gaps (a transaction
 * that rolls back never reaches the trigger), and a reader paging by `seq` can never see seq
 * N+1 before seq N has committed. The lock is taken last, after every lock of the change, and
 * nothing else is locked after it, so no deadlock cycle can include it. It is held for the
 * commit alone: the hashes are computed in SQL from the canonical form prepared here.
 */
export async function appendAuditEvents(tx: Tx, actor: Principal, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Events about a decision that subscribers may want also go to the webhook outbox, with the
  // decision's programmes and municipalities for the subscriptions' filters.
  const targets = new Map<string, OutboxTargets>();
  for (const entry of entries) {
    if (entry.resourceType === 'decision' && isWebhookEventType(entry.action) && !targets.has(entry.resourceId)) {
      targets.set(entry.resourceId, entry.outboxTargets ?? (await outboxTargets(tx, entry.resourceId)));
    }
  }
  const actorJson = { keyId: actor.keyId, role: actor.role, organisationId: actor.organisationId };
  await tx.insert(auditPending).values(
    entries.map((entry) => {
      // Stored as jsonb and hashed in the same JSON form (Dates become RFC 3339 strings).
      const data = JSON.parse(JSON.stringify(entry.data ?? null)) as unknown;
      const { head, tail } = canonicalParts({
        actor: actorJson,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        data,
      });
      const target = isWebhookEventType(entry.action) ? targets.get(entry.resourceId) : undefined;
      return {
        actorKeyId: actor.keyId,
        actorRole: actor.role,
        actorOrganisationId: actor.organisationId,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        data,
        canonicalHead: head,
        canonicalTail: tail,
        outboxProgrammeIds: target?.programmeIds ?? null,
        outboxMunicipalityIds: target?.municipalityIds ?? null,
      };
    }),
  );
}
