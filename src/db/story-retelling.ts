import { sql } from 'drizzle-orm';
import { eventHash, GENESIS_HASH } from '../audit/chain.js';
import { amsterdamDateOf } from '../domain/clock.js';
import { decisionOnDay, recordedDecision } from '../domain/decision-history.js';
import { queryRows, type Database, type Tx } from './client.js';

/**
 * The SQL of the demo story's dating (use-cases/story-time.ts): the steps' audit events, rows and
 * webhook outbox rows moved to their moments and the chain hashed again from the first step on,
 * in one transaction, only while the steps are the trail's latest events and none is signed.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RETIMED_COLUMNS: [string, string][] = [
  ['organisations', 'created_at'],
  ['organisations', 'updated_at'],
  ['programmes', 'created_at'],
  ['programmes', 'updated_at'],
  ['decisions', 'created_at'],
  ['decisions', 'updated_at'],
  ['decisions', 'adopted_at'],
  ['decision_commitments', 'created_at'],
  ['ratification_votes', 'cast_at'],
  ['college_decisions', 'created_at'],
];

export interface StoryStep {
  at: string;
  fromSeq: number;
  toSeq: number;
}

interface EventRow extends Record<string, unknown> {
  seq: string;
  actor_key_id: string | null;
  actor_role: string;
  actor_organisation_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  data: unknown;
}

/** Replaces every timestamp string that `moments` knows by the story's moment. */
function remap(value: unknown, moments: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return moments.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => remap(item, moments));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, remap(item, moments)]));
  }
  return value;
}

function collectTimestamps(value: unknown, into: string[]): void {
  if (typeof value === 'string' && TIMESTAMP.test(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectTimestamps(item, into);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) collectTimestamps(item, into);
}

/** Moves the steps to their moments; false (and nothing changed) when it is no longer safe to. */
export async function retellSteps(database: Database, steps: readonly StoryStep[]): Promise<boolean> {
  const first = steps[0]?.fromSeq;
  const last = steps[steps.length - 1]?.toSeq;
  if (first === undefined || last === undefined || last < first) return false;
  return database.db.transaction(async (tx) => {
    const [head] = await queryRows<{ seq: string }>(tx, sql`select seq::text as seq from audit_head where id = 1 for update`);
    if (Number(head?.seq) !== last) return false;
    const [signed] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from audit_checkpoints where seq >= ${first}`);
    if ((signed?.n ?? 0) > 0) return false;
    await rewrite(tx, steps, first, last);
    return true;
  });
}

async function rewrite(tx: Tx, steps: readonly StoryStep[], first: number, last: number): Promise<void> {
  const [previous] = await queryRows<{ hash: string }>(tx, sql`select hash from audit_events where seq = ${first - 1}`);
  const rows = await queryRows<EventRow>(
    tx,
    sql`select seq::text as seq, actor_key_id::text as actor_key_id, actor_role, actor_organisation_id::text as actor_organisation_id,
               action, resource_type, resource_id::text as resource_id, data
        from audit_events where seq between ${first} and ${last} order by audit_events.seq`,
  );
  const moments = new Map<string, string>();
  let prevHash = previous?.hash ?? GENESIS_HASH;
  for (const row of rows) {
    const seq = Number(row.seq);
    const step = steps.find((s) => seq >= s.fromSeq && seq <= s.toSeq)!;
    const found: string[] = [];
    collectTimestamps(row.data, found);
    for (const timestamp of found) if (!moments.has(timestamp)) moments.set(timestamp, step.at);
    const data = remap(row.data, moments) as Record<string, unknown>;
    const decision = recordedDecision(data);
    if (decision !== undefined) data.decision = decisionOnDay(decision, amsterdamDateOf(new Date(step.at)));
    const event = {
      seq,
      occurredAt: step.at,
      actor: { keyId: row.actor_key_id, role: row.actor_role, organisationId: row.actor_organisation_id },
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      data,
    };
    const hash = eventHash(prevHash, event);
    await tx.execute(sql`update audit_events set occurred_at = ${step.at}::timestamptz, data = ${JSON.stringify(data)}::jsonb,
                           prev_hash = ${prevHash}, hash = ${hash} where seq = ${seq}`);
    await tx.execute(sql`update outbox_events set created_at = ${step.at}::timestamptz,
                           payload = payload || jsonb_build_object('occurredAt', ${step.at}::text, 'data', ${JSON.stringify(data)}::jsonb)
                         where audit_seq = ${seq}`);
    prevHash = hash;
  }
  await tx.execute(sql`update audit_head set hash = ${prevHash} where id = 1`);
  if (moments.size === 0) return;
  const pairs = sql.join([...moments].map(([old, moment]) => sql`(${old}::timestamptz, ${moment}::timestamptz)`), sql`, `);
  for (const [table, column] of RETIMED_COLUMNS) {
    await tx.execute(
      sql`update ${sql.identifier(table)} t set ${sql.identifier(column)} = m.moment from (values ${pairs}) as m(old, moment)
          where t.${sql.identifier(column)} = m.old`,
    );
  }
}
