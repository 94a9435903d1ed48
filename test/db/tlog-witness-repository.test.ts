import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import t from 'tap';
import { tlogWitnesses } from '../../src/db/schema.js';
import { inTransaction } from '../../src/db/transaction.js';
import { insertLogCheckpoint } from '../../src/db/tlog-repository.js';
import {
  claimWitness,
  cosignatureLines,
  insertCosignature,
  newestCosignedCheckpoint,
  recordWitnessAnswer,
  witnessRows,
} from '../../src/db/tlog-witness-repository.js';
import { POSTGRES_ONLY, repositoryDatabase } from '../helpers/register-rows.js';

/** The witnesses as this database saw them: leases, answers, cosignatures, and the checkpoint a quorum cosigned. */
const A = 'a.example/witness+0a0a0a0a+AQ';
const B = 'b.example/witness+0b0b0b0b+AQ';
const C = 'c.example/witness+0c0c0c0c+AQ';
const Z = 'z.example/witness+0f0f0f0f+AQ';
const root = createHash('sha256').update('root').digest();
const database = await repositoryDatabase(t);

t.test('no checkpoint at all: nothing served', async (t) => {
  t.equal(await newestCosignedCheckpoint(database.db, [], 0), undefined);
  t.equal(await newestCosignedCheckpoint(database.db, [A], 1), undefined);
});

t.test('a lease: claimed by one, released by the answer, taken back when it ran out', async (t) => {
  const claimed = await claimWitness(database.db, A, 'http://a.example', 60);
  t.match(claimed, { witness: A, url: 'http://a.example', lastStatus: null });
  t.ok(claimed!.leaseUntil instanceof Date, 'the row was created with its lease');
  t.equal(await claimWitness(database.db, A, 'http://a.example', 60), undefined, 'held: a second claim gets nothing');

  await recordWitnessAnswer(database.db, A, { size: 10, status: 200, error: null, cosignedSize: 10 });
  t.match(await witnessRows(database.db, [A]), [{ witness: A, lastAttemptSize: 10, lastStatus: 200, lastError: null, lastCosignedSize: 10, reportedSize: null, leaseUntil: null }]);
  t.ok((await witnessRows(database.db, [A]))[0]!.lastAttemptAt instanceof Date);

  const again = await claimWitness(database.db, A, 'http://a2.example', -1);
  t.match(again, { url: 'http://a2.example', lastCosignedSize: 10 }, 'released: claimed again, its url updated, its history kept');
  t.match(await claimWitness(database.db, A, 'http://a2.example', 60), { witness: A }, 'a lease that ran out is taken');

  await recordWitnessAnswer(database.db, A, { size: 12, status: 409, error: 'has 20', reportedSize: 20 });
  t.match(await witnessRows(database.db, [A]), [{ lastAttemptSize: 12, lastStatus: 409, lastError: 'has 20', lastCosignedSize: 10, reportedSize: 20 }], 'no cosigned size given: the last one stays');
  await recordWitnessAnswer(database.db, A, { size: 12, status: null, error: 'no answer within 1000 ms' });
  t.match(await witnessRows(database.db, [A]), [{ lastStatus: null, lastError: 'no answer within 1000 ms', reportedSize: 20 }]);
});

t.test('witness rows: the ones asked for', async (t) => {
  await claimWitness(database.db, A, 'http://a.example', 60);
  await claimWitness(database.db, B, 'http://b.example', 60);
  t.same(await witnessRows(database.db, []), []);
  t.same((await witnessRows(database.db, [B, C])).map((row) => row.witness), [B]);
});

t.test('cosignatures: one per size and witness, a new line replaces the old; lines in witness order', async (t) => {
  await inTransaction(database, async (tx) => {
    for (const size of [1, 2, 3]) await insertLogCheckpoint(tx, { size, root, note: `note ${size}\n` });
  });
  await insertCosignature(database.db, 2, B, '— b old\n');
  await insertCosignature(database.db, 2, B, '— b\n');
  await insertCosignature(database.db, 2, A, '— a\n');
  await insertCosignature(database.db, 2, C, '— c\n');
  await insertCosignature(database.db, 3, A, '— a3\n');
  t.same(await cosignatureLines(database.db, 2, [B, A]), ['— a\n', '— b\n'], 'configured witnesses only, ordered by witness');
  t.same(await cosignatureLines(database.db, 3, [A, B]), ['— a3\n']);
  t.same(await cosignatureLines(database.db, 1, [A, B]), []);
  t.same(await cosignatureLines(database.db, 2, []), [], 'no witnesses, no lines');

  t.match(await newestCosignedCheckpoint(database.db, [A, B], 2), { size: 2, note: 'note 2\n' }, 'a quorum of two: only size 2 has it');
  t.match(await newestCosignedCheckpoint(database.db, [A, B], 1), { size: 3 }, 'a quorum of one');
  t.match(await newestCosignedCheckpoint(database.db, [A, B], 0), { size: 3 }, 'no quorum: the newest of all');
  t.match(await newestCosignedCheckpoint(database.db, [], 2), { size: 3 }, 'no witnesses: the newest of all');
  t.equal(await newestCosignedCheckpoint(database.db, [B, C], 3), undefined, 'a witness not configured does not count');
  t.match(await newestCosignedCheckpoint(database.db, [B, C], 2), { size: 2 }, 'b and c both cosigned size 2');
});

t.test('of many instances claiming one witness at once, exactly one gets it', { skip: POSTGRES_ONLY }, async (t) => {
  const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimWitness(database.db, Z, `http://z.example/${i}`, 60)));
  t.equal(claims.filter((claim) => claim !== undefined).length, 1);
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(tlogWitnesses).where(eq(tlogWitnesses.witness, Z));
  t.equal(row!.n, 1, 'one row, created once');
});
