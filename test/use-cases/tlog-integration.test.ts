import t from 'tap';
import { leafHash, rootFromLeafHashes } from '../../src/audit/merkle.js';
import { treeRoot } from '../../src/audit/merkle-proofs.js';
import { openDatabase } from '../../src/db/client.js';
import { readTlogState, tileNodeReader } from '../../src/db/tlog-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { appendEvents, chainHashes } from '../helpers/audit-events.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';

/**
 * The tree over the audit trail, integrated after commit in batches: leaf i is the chain hash of
 * event seq i + 1, and the stored tiles give the root RFC 6962 defines over those leaves.
 */
const db = await createTestDatabase({ poolSize: 8 });
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };

const expectedRoot = async () => rootFromLeafHashes((await chainHashes(db.database)).map((hash) => leafHash(hash)));

t.test('integrates every committed event, in batches of any size, into the tree RFC 6962 defines', async (t) => {
  t.equal(await integrateTree(ctx), 0, 'nothing to integrate yet');
  await appendEvents(db.database, 300);
  t.equal(await integrateTree(ctx, 7, 3), 21, 'three batches of seven');
  t.equal(await integrateTree(ctx, 100), 300, 'the rest');
  let state = await readTlogState(db.database.db);
  t.same(state.root, await expectedRoot());
  await appendEvents(db.database, 70, { perTransaction: 7 });
  t.equal(await integrateTree(ctx), 370);
  state = await readTlogState(db.database.db);
  t.equal(state.size, 370);
  t.same(state.root, await expectedRoot());
  t.same(await treeRoot(370, tileNodeReader(db.database.db)), state.root, 'the root read back from the stored tiles');
  t.same(await treeRoot(256, tileNodeReader(db.database.db)), rootFromLeafHashes((await chainHashes(db.database)).slice(0, 256).map((hash) => leafHash(hash))), 'and an older size');
});

t.test('several instances integrating at once while events commit end with one correct tree', { skip: testDatabaseUrl() === undefined && 'needs PostgreSQL (DATABASE_URL)' }, async (t) => {
  const others = await Promise.all([1, 2].map(() => openDatabase({ databaseUrl: db.url, dataDir: 'unused', poolSize: 4 })));
  t.teardown(() => Promise.all(others.map((other) => other.close())));
  const instances = [ctx, ...others.map((database) => ({ database, clock: systemClock }))];
  let writing = true;
  const writers = Promise.all([0, 1].map(async () => {
    for (let i = 0; i < 40; i++) await appendEvents(db.database, 3, { perTransaction: 3 });
  })).finally(() => (writing = false));
  const integrators = instances.map(async (instance) => {
    while (writing) await integrateTree(instance, 5);
    await integrateTree(instance);
  });
  await Promise.all([writers, ...integrators]);
  await integrateTree(ctx);
  const state = await readTlogState(db.database.db);
  t.equal(state.size, (await chainHashes(db.database)).length);
  t.same(state.root, await expectedRoot());
});
