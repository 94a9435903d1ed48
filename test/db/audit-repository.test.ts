import t from 'tap';
import { sql } from 'drizzle-orm';
import { SYSTEM_PRINCIPAL } from '../../src/domain/access.js';
import { appendAuditEvents, auditExportChunks, readAuditEvents, readAuditEventTime, readAuditHead, toAuditEvent } from '../../src/db/audit-repository.js';
import { verifyStoredChain } from '../../src/use-cases/audit-trail.js';
import { systemClock } from '../../src/domain/clock.js';
import { queryRows } from '../../src/db/client.js';
import { inTransaction, transactionTime } from '../../src/db/transaction.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * Events are written to audit_pending and sealed into the chain by a deferred trigger as their
 * transaction commits: numbered and hashed in SQL, in commit order, with nothing left behind.
 */
const db = await createTestDatabase({ poolSize: 12 });
t.teardown(() => db.close());
const { database } = db;
const RESOURCE = '22222222-2222-4222-8222-222222222222';

const pendingCount = async () =>
  Number((await queryRows<{ n: string }>(database.db, sql`SELECT count(*)::text AS n FROM audit_pending`))[0]!.n);

t.test('the events of one transaction are sealed at commit: consecutive seqs, one instant, a valid chain, no pending rows', async (t) => {
  const before = await readAuditHead(database.db);
  await inTransaction(database, async (tx) => {
    await appendAuditEvents(tx, SYSTEM_PRINCIPAL, [
      { action: 'test.first', resourceType: 'decision', resourceId: RESOURCE, data: { n: 1, text: 'één "twee"\n' }, audience: undefined },
      { action: 'test.second', resourceType: 'decision', resourceId: RESOURCE, data: { n: 2 }, audience: undefined },
    ]);
    await appendAuditEvents(tx, SYSTEM_PRINCIPAL, [{ action: 'test.third', resourceType: 'decision', resourceId: RESOURCE, data: [1, null, true], audience: undefined }]);
    const [head] = await queryRows<{ seq: string }>(tx, sql`SELECT seq::text FROM audit_head WHERE id = 1`);
    t.equal(Number(head!.seq), before.seq, 'nothing is numbered before the commit');
  });
  const rows = await queryRows<{ seq: string; action: string; occurred_at: string }>(
    database.db,
    sql`SELECT seq::text, action, occurred_at::text AS occurred_at FROM audit_events WHERE seq > ${before.seq} ORDER BY audit_events.seq`,
  );
  t.same(rows.map((row) => [Number(row.seq), row.action]), [
    [before.seq + 1, 'test.first'],
    [before.seq + 2, 'test.second'],
    [before.seq + 3, 'test.third'],
  ]);
  t.equal(new Set(rows.map((row) => row.occurred_at)).size, 1, 'one transaction, one instant');
  t.equal(await pendingCount(), 0, 'audit_pending is empty again');
  const verdict = await verifyStoredChain({ database, clock: systemClock });
  t.equal(verdict.valid, true, 'the chain verifies with the service verifier (SQL hashes = Node hashes)');
  t.equal(verdict.count, before.seq + 3);
});

t.test('a transaction that rolls back seals nothing and uses no seq', async (t) => {
  const before = await readAuditHead(database.db);
  await t.rejects(
    inTransaction(database, async (tx) => {
      await appendAuditEvents(tx, SYSTEM_PRINCIPAL, [{ action: 'test.lost', resourceType: 'decision', resourceId: RESOURCE, data: {}, audience: undefined }]);
      throw new Error('change failed');
    }),
    /change failed/,
  );
  t.same(await readAuditHead(database.db), before);
  t.equal(await pendingCount(), 0);
});

t.test('40 concurrent transactions on their own connections: gapless seqs, one per event, a valid chain', async (t) => {
  const before = await readAuditHead(database.db);
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      inTransaction(database, (tx) =>
        appendAuditEvents(tx, SYSTEM_PRINCIPAL, [
          { action: 'test.concurrent', resourceType: 'decision', resourceId: RESOURCE, data: { i, part: 'a' }, audience: undefined },
          { action: 'test.concurrent', resourceType: 'decision', resourceId: RESOURCE, data: { i, part: 'b' }, audience: undefined },
        ]),
      ),
    ),
  );
  const after = await readAuditHead(database.db);
  t.equal(after.seq, before.seq + 80, '80 events, 80 seqs');
  const rows = await queryRows<{ seq: string; i: number; part: string }>(
    database.db,
    sql`SELECT seq::text, (data->>'i')::int AS i, data->>'part' AS part FROM audit_events WHERE seq > ${before.seq} ORDER BY audit_events.seq`,
  );
  t.same(rows.map((row) => Number(row.seq)), Array.from({ length: 80 }, (_, k) => before.seq + 1 + k), 'gapless');
  for (let k = 0; k < rows.length; k += 2) {
    t.equal(rows[k]!.i, rows[k + 1]!.i, `seqs ${rows[k]!.seq}-${rows[k + 1]!.seq} belong to one transaction`);
  }
  t.equal((await verifyStoredChain({ database, clock: systemClock })).valid, true);
  t.equal(await pendingCount(), 0);
});

t.test("readAuditEventTime answers an event's recording time, and nothing for a seq without an event", async (t) => {
  const before = await readAuditHead(database.db);
  await inTransaction(database, (tx) =>
    appendAuditEvents(tx, SYSTEM_PRINCIPAL, [{ action: 'test.timed', resourceType: 'decision', resourceId: RESOURCE, data: {}, audience: undefined }]),
  );
  const [row] = await queryRows<{ ms: string }>(database.db, sql`SELECT floor(extract(epoch FROM occurred_at) * 1000)::bigint::text AS ms FROM audit_events WHERE seq = ${before.seq + 1}`);
  const recorded = await readAuditEventTime(database.db, before.seq + 1);
  t.ok(recorded instanceof Date, 'a Date');
  t.equal(recorded?.getTime(), Number(row!.ms), 'the occurred_at of that event');
  t.equal(await readAuditEventTime(database.db, before.seq + 1000), undefined, 'no event, no time');
});

t.test("transactionTime() is the transaction's one moment: the same in every statement of it", async (t) => {
  const [first, second] = await inTransaction(database, async (tx) => {
    const [a] = await queryRows<{ now: string }>(tx, sql`SELECT ${transactionTime()}::text AS now`);
    await queryRows(tx, sql`SELECT pg_sleep(0.01)`);
    const [b] = await queryRows<{ now: string }>(tx, sql`SELECT ${transactionTime()}::text AS now`);
    return [a!.now, b!.now];
  });
  t.equal(first, second);
  const [later] = await queryRows<{ now: string }>(database.db, sql`SELECT ${transactionTime()}::text AS now`);
  t.not(later!.now, first, 'another transaction, another moment');
});

t.test('the export reads ahead in batches of seq ranges: every event once, in seq order, across gaps, in chunks of at most 48 lines', async (t) => {
  const before = await readAuditHead(database.db);
  // 2,600 events: three whole batches and part of a fourth. Rows around the first and second
  // batch boundaries are removed afterwards (as an edited trail would lose them): a range with
  // fewer events than its width is exported as it is, and the next range still follows.
  for (let i = 0; i < 5; i++) {
    await inTransaction(database, (tx) =>
      appendAuditEvents(
        tx,
        SYSTEM_PRINCIPAL,
        Array.from({ length: 520 }, (_, k) => ({ action: 'test.exported', resourceType: 'decision', resourceId: RESOURCE, data: { i, k, text: 'a "quote" \\ and\n' }, audience: undefined })),
      ),
    );
  }
  const head = await readAuditHead(database.db);
  t.equal(head.seq, before.seq + 2_600);
  await queryRows(database.db, sql`DELETE FROM audit_events WHERE seq BETWEEN ${before.seq + 990} AND ${before.seq + 1_010} OR seq BETWEEN ${before.seq + 1_998} AND ${before.seq + 2_003}`);
  const stored = (await readAuditEvents(database.db, before.seq, 5_000)).map(toAuditEvent);
  t.equal(stored.length, 2_600 - 21 - 6, 'the remaining events');

  const chunks: string[] = [];
  for await (const chunk of auditExportChunks(database.db, before.seq, head.seq)) chunks.push(chunk);
  t.ok(chunks.every((chunk) => chunk.endsWith('\n')), 'every chunk ends with a whole line');
  t.ok(Math.max(...chunks.map((chunk) => chunk.split('\n').length - 1)) <= 48, 'no chunk has more than 48 lines');
  const lines = chunks.join('').split('\n').slice(0, -1);
  t.same(
    lines.map((line) => JSON.parse(line) as unknown),
    stored,
    'each stored event once, in seq order, with the fields and values of the API (gaps skipped)',
  );

  const partial = auditExportChunks(database.db, before.seq + 2_500, head.seq);
  const first = await partial.next();
  t.same(
    (first.value as string).split('\n').slice(0, -1).map((line) => (JSON.parse(line) as { seq: number }).seq).slice(0, 2),
    [before.seq + 2_501, before.seq + 2_502],
    'after a seq: the export continues there',
  );
  const early = auditExportChunks(database.db, before.seq, head.seq);
  await early.next();
  await early.return(undefined);
  t.pass('a consumer that stops after the first chunk leaves the batches read ahead to finish on their own');
});
