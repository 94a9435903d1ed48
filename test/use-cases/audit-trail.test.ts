import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import type { AuditEvent } from '../../src/audit/chain.js';
import { fixedClock } from '../../src/domain/clock.js';
import { exportAuditEvents, listAuditEventsPage, verifyStoredChain } from '../../src/use-cases/audit-trail.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { appendEvents, auditHeadSeq } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * Reading the audit trail, called directly: where a page starts (after a seq, or after its
 * cursor), when a page says there is more, what an export holds (the trail up to its head when
 * the export was asked for, however long it takes to read) and the verdict on the stored chain.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z') };
const decisionId = randomUUID();
await appendEvents(db.database, 4, { perTransaction: 2 });
await appendEvents(db.database, 3, { resourceId: decisionId });
await appendEvents(db.database, 3, { perTransaction: 1 });

const seqs = (events: readonly AuditEvent[]) => events.map((event) => event.seq);

async function exported(chunks: AsyncGenerator<string>): Promise<AuditEvent[]> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
}

t.test('a page starts after afterSeq, or after its cursor when one is given; nextCursor only while more follow', async (t) => {
  const first = await listAuditEventsPage(ctx, 0, {}, undefined, 4);
  t.same(seqs(first.items), [1, 2, 3, 4]);
  t.type(first.nextCursor, 'string');
  const second = await listAuditEventsPage(ctx, 0, {}, first.nextCursor!, 4);
  t.same(seqs(second.items), [5, 6, 7, 8], 'the cursor, not afterSeq, says where the page starts');
  const last = await listAuditEventsPage(ctx, 0, {}, second.nextCursor!, 2);
  t.same(seqs(last.items), [9, 10]);
  t.equal(last.nextCursor, null, 'a page that ends with the trail has no cursor, even when it is full');
  t.same(seqs((await listAuditEventsPage(ctx, 7, {}, undefined, 10)).items), [8, 9, 10], 'afterSeq without a cursor');
  t.same((await listAuditEventsPage(ctx, 10, {}, undefined, 10)), { items: [], nextCursor: null });
});

t.test('a filtered page holds only the events of that resource, and pages among them', async (t) => {
  const filter = { resourceType: 'decision', resourceId: decisionId };
  const first = await listAuditEventsPage(ctx, 0, filter, undefined, 2);
  t.same(seqs(first.items), [5, 6]);
  const rest = await listAuditEventsPage(ctx, 0, filter, first.nextCursor!, 2);
  t.same(seqs(rest.items), [7]);
  t.equal(rest.nextCursor, null);
  t.ok(rest.items.every((event) => event.resourceId === decisionId));
  t.same((await listAuditEventsPage(ctx, 0, { resourceType: 'programme' }, undefined, 2)).items, []);
});

t.test('a cursor that is not one of the trail is VALIDATION_FAILED', async (t) => {
  for (const cursor of ['not-a-cursor', Buffer.from('[-1]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
    await t.rejects(listAuditEventsPage(ctx, 0, {}, cursor, 2), { code: 'VALIDATION_FAILED' }, cursor);
  }
});

t.test('an export holds the trail up to its head when it was asked for; an incremental one links to the previous', async (t) => {
  const all = await exported(await exportAuditEvents(ctx));
  t.same(seqs(all), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.same(all, (await listAuditEventsPage(ctx, 0, {}, undefined, 100)).items, 'each line is the event as the trail lists it');

  const asked = await exportAuditEvents(ctx, 8);
  await appendEvents(db.database, 2);
  const incremental = await exported(asked);
  t.same(seqs(incremental), [9, 10], 'events recorded after the export was asked for are not in it');
  t.equal(incremental[0]!.prevHash, all[7]!.hash, 'its first event links to the last one before it');
  t.same(seqs(await exported(await exportAuditEvents(ctx, 10))), [11, 12], 'the next export takes them');
  t.same(await exported(await exportAuditEvents(ctx, 12)), [], 'nothing new: an empty export');
});

t.test('the stored chain is verified whole against the recorded head; an edited row is named by seq', async (t) => {
  const head = await auditHeadSeq(db.database);
  t.match(await verifyStoredChain(ctx), { valid: true, count: head, firstInvalidSeq: null });
  await db.database.db.execute(sql`update audit_events set data = '{"forged":true}'::jsonb where seq = 6`);
  t.match(await verifyStoredChain(ctx), { valid: false, firstInvalidSeq: 6 });
});
