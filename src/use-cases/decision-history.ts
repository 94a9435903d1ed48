import type { AuditActor } from '../audit/chain.js';
import { DomainError, notFound } from '../domain/errors.js';
import { applyDecisionEvent, asOfMoment, decisionOnDay, recordedDecision } from '../domain/decision-history.js';
import type { Decision } from '../domain/records.js';
import { bindingSince } from '../domain/ratification.js';
import { findDecisionRow } from '../db/decisions-repository.js';
import { readDecisionEventsBackwards, readDecisionHistory } from '../db/decision-history-repository.js';
import { listStatuteRules } from '../db/statute-rules-repository.js';
import { decodeSeqCursor, encodeSeqCursor, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';

/** One change of a decision: the audit event and the whole decision as it was right after it. */
export interface DecisionHistoryItem {
  seq: number;
  occurredAt: string;
  action: string;
  actor: AuditActor;
  /** The business dates of the decision right after the change; `occurredAt` is when it was recorded. */
  happenedOn: BusinessDates;
  decision: Decision;
}

export interface BusinessDates {
  boardMeetingDate: string;
  adoptedOn: string | null;
  bindingSince: string | null;
  settledOn: string | null;
}

function businessDates(decision: Decision): BusinessDates {
  return {
    boardMeetingDate: decision.boardMeetingDate,
    adoptedOn: decision.adoptedOn,
    bindingSince: bindingSince(decision),
    settledOn: decision.settlement?.settledOn ?? null,
  };
}

async function assertDecisionExists(ctx: ServiceContext, id: string): Promise<void> {
  if ((await findDecisionRow(ctx.database.db, id)) === undefined) throw notFound('Decision', id);
}

/**
 * The decision's changes in seq order, each with the decision as recorded after it. Events that
 * carry no whole decision (older `vote.cast` and `condition.fulfilled` events, from before every
 * decision event carried one) are left out; the next event that does carry one shows their effect.
 */
export async function listDecisionHistoryPage(
  ctx: ServiceContext,
  id: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<DecisionHistoryItem>> {
  await assertDecisionExists(ctx, id);
  const after = cursor === undefined ? 0 : decodeSeqCursor(cursor);
  const rows = await readDecisionHistory(ctx.database.db, id, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => {
      const decision = recordedDecision(row.data)!;
      return {
        seq: row.seq,
        occurredAt: row.occurredAt.toISOString(),
        action: row.action,
        actor: { keyId: row.actorKeyId, role: row.actorRole, organisationId: row.actorOrganisationId },
        happenedOn: businessDates(decision),
        decision,
      };
    }),
    nextCursor: rows.length > limit && last !== undefined ? encodeSeqCursor(last.seq) : null,
  };
}

const BACKWARDS_BATCH = 20;

/**
 * The decision as it stood at `asOf` (an RFC 3339 timestamp, or a date: the end of that day in
 * Europe/Amsterdam), rebuilt from the trail: the last of its events recorded by then that carries
 * the whole decision, with any older-style events after it applied, shown as of that moment's day.
 * 404 when the decision does not exist, or did not exist yet then.
 */
export async function getDecisionAsOf(ctx: ServiceContext, id: string, asOf: string): Promise<Decision> {
  await assertDecisionExists(ctx, id);
  const { instant, day } = asOfMoment(asOf, ctx.clock.now());
  const later: { action: string; data: unknown }[] = [];
  let base: Decision | undefined;
  let before: number | undefined;
  while (base === undefined) {
    const rows = await readDecisionEventsBackwards(ctx.database.db, id, instant, before, BACKWARDS_BATCH);
    for (const row of rows) {
      base = recordedDecision(row.data);
      if (base !== undefined) break;
      later.push(row);
    }
    if (rows.length < BACKWARDS_BATCH) break;
    before = rows[rows.length - 1]!.seq;
  }
  if (base === undefined) {
    throw new DomainError('RESOURCE_NOT_FOUND', `Decision ${id} did not exist yet at ${instant.toISOString()}.`);
  }
  let decision = base;
  for (const event of later.reverse()) decision = applyDecisionEvent(decision, event.action, event.data)!;
  const rules =
    decision.adoptedAt === null ? (await listStatuteRules(ctx.database.db)).filter((rule) => rule.createdAt.getTime() <= instant.getTime()) : [];
  return decisionOnDay(decision, day, rules);
}
