import { randomUUID } from 'node:crypto';
import t from 'tap';
import { appendAuditEvents, readAuditHead } from '../../src/db/audit-repository.js';
import { readFeed } from '../../src/db/event-feed-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/access.js';
import { repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The event feed's read: published events after a seq that pass the filter, in seq order, with
 * the audit head of the same snapshot. The events are appended for real, so the trigger that
 * seals them writes the outbox rows the feed reads.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const [wtmr, amkb, heerlen, maastricht] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

async function publish(type: string, programmeIds: string[], municipalityIds: string[]): Promise<void> {
  const decisionId = randomUUID();
  await inTransaction(database, (tx) =>
    appendAuditEvents(tx, SYSTEM_PRINCIPAL, [
      { action: type, resourceType: 'decision', resourceId: decisionId, data: { decision: { id: decisionId } }, audience: { orderingKey: decisionId, programmeIds, municipalityIds } },
    ]),
  );
}
async function audited(): Promise<void> {
  await inTransaction(database, (tx) => appendAuditEvents(tx, SYSTEM_PRINCIPAL, [{ action: 'organisation.created', resourceType: 'organisation', resourceId: randomUUID(), data: {}, audience: undefined }]));
}

const start = (await readAuditHead(db)).seq;
await publish('decision.adopted', [wtmr], [heerlen, maastricht]); // start + 1
await audited(); // start + 2: audited only, never in the feed
await publish('vote.cast', [wtmr], [heerlen]); // start + 3
await publish('decision.adopted', [amkb], [maastricht]); // start + 4
await audited(); // start + 5

t.test('every published event after a seq, in seq order, with the head of the same moment', async (t) => {
  const feed = await readFeed(db, start, {}, 10);
  t.equal(feed.headSeq, start + 5, 'the head is the last audited event, published or not');
  t.same(feed.rows.map((r) => [r.seq, r.type]), [[start + 1, 'decision.adopted'], [start + 3, 'vote.cast'], [start + 4, 'decision.adopted']]);
  t.same(feed.rows[0]!.programmeIds, [wtmr]);
  t.same(feed.rows[0]!.municipalityIds, [heerlen, maastricht]);
  t.match(feed.rows[0]!.payload, { type: 'decision.adopted', auditSeq: start + 1 }, 'the body a webhook delivery carries');
  t.same((await readFeed(db, start + 1, {}, 1)).rows.map((r) => r.seq), [start + 3], 'after a seq, at most so many');
});

t.test('the filters: types, a programme, a municipality, together', async (t) => {
  const seqs = async (filter: Parameters<typeof readFeed>[2]) => (await readFeed(db, start, filter, 10)).rows.map((r) => r.seq);
  t.same(await seqs({ types: ['vote.cast'] }), [start + 3]);
  t.same(await seqs({ types: ['vote.cast', 'decision.adopted'] }), [start + 1, start + 3, start + 4]);
  t.same(await seqs({ programmeId: amkb }), [start + 4]);
  t.same(await seqs({ municipalityId: heerlen }), [start + 1, start + 3]);
  t.same(await seqs({ types: ['decision.adopted'], programmeId: wtmr, municipalityId: maastricht }), [start + 1]);
});

t.test('nothing passes the filter: no rows, and still the head to continue from', async (t) => {
  t.same(await readFeed(db, start, { programmeId: randomUUID() }, 10), { rows: [], headSeq: start + 5 });
  t.same(await readFeed(db, start + 5, {}, 10), { rows: [], headSeq: start + 5 }, 'nothing after the head');
});
