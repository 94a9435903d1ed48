import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { appendAuditEvents } from '../../src/db/audit-repository.js';
import { readDecisionEventsBackwards, readDecisionHistory } from '../../src/db/decision-history-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/access.js';
import { repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/** A decision's events, read from the audit trail: those carrying the whole decision forwards, any of them backwards from a moment. */
const database = await repositoryDatabase(t);
const db = database.db;
const decisionId = randomUUID();
const otherId = randomUUID();

/** Appends one event (its own transaction, so its own moment) and returns its seq and moment. */
async function event(action: string, resourceId: string, data: unknown, resourceType = 'decision'): Promise<{ seq: number; at: Date }> {
  await inTransaction(database, (tx) => appendAuditEvents(tx, SYSTEM_PRINCIPAL, [{ action, resourceType, resourceId, data, audience: undefined }]));
  const [row] = await rowsOf<{ seq: number; at: string }>(db, sql`select seq::int as seq, occurred_at::text as at from audit_events order by seq desc limit 1`);
  return { seq: row!.seq, at: new Date(row!.at) };
}

const created = await event('decision.created', decisionId, { decision: { id: decisionId, status: 'draft' } });
await event('decision.created', otherId, { decision: { id: otherId, status: 'draft' } });
const overdue = await event('condition.overdue', decisionId, { conditionId: randomUUID() });
await event('organisation.created', decisionId, { decision: { id: decisionId } }, 'organisation');
const adopted = await event('decision.adopted', decisionId, { decision: { id: decisionId, status: 'adopted' } });
const odd = await event('decision.noted', decisionId, { decision: 'not an object' });
const voted = await event('vote.cast', decisionId, { vote: {}, decision: { id: decisionId, status: 'adopted' } });

t.test('forwards: the events that carry the whole decision, after a seq, in seq order, at most so many', async (t) => {
  const seqs = async (afterSeq: number, limit: number) => (await readDecisionHistory(db, decisionId, afterSeq, limit)).map((e) => e.seq);
  t.same(await seqs(0, 10), [created.seq, adopted.seq, voted.seq], 'not another decision’s, not another resource’s, not one without the decision');
  t.same(await seqs(created.seq, 10), [adopted.seq, voted.seq]);
  t.same(await seqs(0, 2), [created.seq, adopted.seq]);
  t.same((await readDecisionHistory(db, decisionId, 0, 1))[0]?.action, 'decision.created');
});

t.test('backwards: every event of the decision at or before a moment, before a seq when given, newest first', async (t) => {
  const seqs = async (instant: Date, beforeSeq: number | undefined, limit = 10) =>
    (await readDecisionEventsBackwards(db, decisionId, instant, beforeSeq, limit)).map((e) => e.seq);
  t.same(await seqs(new Date(), undefined), [voted.seq, odd.seq, adopted.seq, overdue.seq, created.seq]);
  t.same(await seqs(overdue.at, undefined), [overdue.seq, created.seq], 'at the moment of an event, that event included');
  t.same(await seqs(new Date(), adopted.seq), [overdue.seq, created.seq], 'before a seq');
  t.same(await seqs(new Date(), undefined, 2), [voted.seq, odd.seq]);
  t.same(await seqs(new Date(created.at.getTime() - 1), undefined), [], 'before the first');
  t.same(Object.keys((await readDecisionEventsBackwards(db, decisionId, new Date(), undefined, 1))[0]!).sort(), ['action', 'data', 'seq']);
});
