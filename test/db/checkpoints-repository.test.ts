import { sql } from 'drizzle-orm';
import t from 'tap';
import {
  checkpointIssuedWithin,
  insertCheckpoint,
  latestCheckpointRow,
  listCheckpointRows,
  readHeadForShare,
  tryLockCheckpointIssuing,
} from '../../src/db/checkpoints-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { lockedElsewhere, POSTGRES_ONLY, repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/**
 * The rows of the signed checkpoints and the locks under which one is issued: one issuer at a
 * time, the head share-locked while it is signed, a checkpoint per seq (the first one stored wins).
 */
const database = await repositoryDatabase(t);
const db = database.db;
const checkpoint = (seq: number, extra: { issuedAt?: Date } = {}) =>
  inTransaction(database, (tx) => insertCheckpoint(tx, { seq, headHash: seq.toString(16).padStart(64, '0'), origin: 'eszl-decisions/audit', keyName: 'eszl-test', note: `note ${seq}`, ...extra }));

t.test('no checkpoint yet: none is latest, none was issued recently, the list is empty', async (t) => {
  t.equal(await latestCheckpointRow(db), undefined);
  t.equal(await inTransaction(database, (tx) => checkpointIssuedWithin(tx, 60)), false);
  t.same(await listCheckpointRows(db, undefined, 10), []);
});

t.test('a checkpoint per seq: the first one stored wins, a second one for the seq is not stored', async (t) => {
  const stored = await checkpoint(3, { issuedAt: new Date(Date.now() - 3_600_000) });
  t.match(stored, { seq: 3, note: 'note 3', keyName: 'eszl-test' });
  const [clash] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from audit_checkpoints`);
  t.equal(await inTransaction(database, (tx) => insertCheckpoint(tx, { seq: 3, headHash: 'f'.repeat(64), origin: 'x', keyName: 'x', note: 'x' })), undefined);
  t.same(await rowsOf(db, sql`select count(*)::int as n from audit_checkpoints`), [clash], 'still one');
  t.equal((await latestCheckpointRow(db))?.note, 'note 3', 'the first one kept');
});

t.test('recently issued means by the database clock, within the seconds asked', async (t) => {
  t.equal(await inTransaction(database, (tx) => checkpointIssuedWithin(tx, 60)), false, 'an hour ago is not within a minute');
  t.equal(await inTransaction(database, (tx) => checkpointIssuedWithin(tx, 7_200)), true, 'but within two hours');
});

t.test('checkpoints newest first, below a seq when asked, at most so many', async (t) => {
  for (const seq of [5, 8, 13]) await checkpoint(seq);
  t.same((await listCheckpointRows(db, undefined, 10)).map((c) => c.seq), [13, 8, 5, 3]);
  t.same((await listCheckpointRows(db, 8, 10)).map((c) => c.seq), [5, 3], 'below 8');
  t.same((await listCheckpointRows(db, undefined, 2)).map((c) => c.seq), [13, 8]);
  t.equal((await latestCheckpointRow(db))?.seq, 13);
  t.equal(await inTransaction(database, (tx) => checkpointIssuedWithin(tx, 60)), true, 'issued just now');
});

t.test('the head is read as committed; without its row the migrations did not run', async (t) => {
  const [head] = await rowsOf<{ seq: number; hash: string }>(db, sql`select seq::int as seq, hash from audit_head where id = 1`);
  t.same(await inTransaction(database, (tx) => readHeadForShare(tx)), head);
  await t.rejects(
    inTransaction(database, async (tx) => {
      await tx.execute(sql`delete from audit_head`);
      await readHeadForShare(tx);
    }),
    { message: 'audit_head row is missing; migrations did not run' },
  );
  t.same(await inTransaction(database, (tx) => readHeadForShare(tx)), head, 'rolled back');
});

t.test('one issuer at a time, and the head it signs cannot move until it commits', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (first) => {
    t.equal(await tryLockCheckpointIssuing(first), true, 'the first takes the lock');
    t.equal(await inTransaction(database, (second) => tryLockCheckpointIssuing(second)), false, 'a second one is refused at once');
    await readHeadForShare(first);
    t.equal(await lockedElsewhere(database, 'audit_head', '1'), true, 'a commit that appends events would wait');
  });
  t.equal(await inTransaction(database, (tx) => tryLockCheckpointIssuing(tx)), true, 'free again after the commit');
  t.equal(await lockedElsewhere(database, 'audit_head', '1'), false);
});
