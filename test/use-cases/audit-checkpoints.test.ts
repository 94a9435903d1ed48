import { sql } from 'drizzle-orm';
import t from 'tap';
import { generateSigningKeyPem } from '../../src/audit/signing-key.js';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { ISSUING_LOCK_KEY } from '../../src/db/checkpoints-repository.js';
import pg from 'pg';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { createOrganisation } from '../helpers/factories.js';

/**
 * The checkpoint job runs on every instance. On PostgreSQL, three instances (each with a pool of
 * its own, all with the same AUDIT_SIGNING_KEY) issue checkpoints at the same time as changes
 * commit: every checkpoint must sign exactly the committed hash at its seq, and within one
 * interval the instances together issue one checkpoint, never more.
 */
const onPostgres = testDatabaseUrl() !== undefined;

t.test('several instances issuing at once: each checkpoint signs the committed head, one per interval', { skip: !onPostgres && 'needs PostgreSQL (DATABASE_URL)' }, async (t) => {
  const database = await createTestDatabase({ poolSize: 8 });
  t.teardown(() => database.close());
  const env = { AUDIT_SIGNING_KEY: generateSigningKeyPem(), RATE_LIMIT_PER_MINUTE: '0' };
  const instances: TestApp[] = [await startTestApp(t, { database, env })];
  for (let i = 1; i < 3; i++) {
    const own = await openDatabase({ databaseUrl: database.url, dataDir: 'unused', poolSize: 8 });
    t.teardown(() => own.close());
    instances.push(await startTestApp(t, { database: { ...database, database: own, close: async () => undefined }, env }));
  }
  const [first] = instances as [TestApp];
  const db = database.database.db;

  const writes = async (n: number) => {
    for (let i = 0; i < n; i++) await createOrganisation(instances[i % instances.length]!.admin);
  };
  const issuing = (minIntervalS: number, rounds: number) =>
    Promise.all(
      instances.flatMap((instance) => Array.from({ length: rounds }, async () => instance.app.auditCheckpoints.issue(minIntervalS))),
    );

  // Without an interval: as many checkpoints as the head moved, each of the committed head.
  const [, issued] = await Promise.all([Promise.all([writes(30), writes(30)]), (async () => {
    const all = [];
    for (let round = 0; round < 10; round++) all.push(...(await issuing(0, 3)));
    return all;
  })()]);
  const mismatched = await queryRows<{ seq: string }>(
    db,
    sql`select c.seq::text as seq from audit_checkpoints c left join audit_events e on e.seq = c.seq where e.hash is distinct from c.head_hash`,
  );
  const count = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_checkpoints`);
  t.ok(count[0]!.n >= 2, `checkpoints were issued while changes committed (${count[0]!.n})`);
  t.equal(issued.filter((c) => c !== undefined).length, count[0]!.n, 'every stored checkpoint was issued by exactly one call');
  t.same(mismatched, [], 'every checkpoint signs the hash the chain has at its seq');

  // With an interval: whatever the number of instances and calls, one checkpoint.
  await db.execute(sql`delete from audit_checkpoints`);
  const [, withInterval] = await Promise.all([writes(20), (async () => {
    const all = [];
    for (let round = 0; round < 5; round++) all.push(...(await issuing(3_600, 4)));
    return all;
  })()]);
  t.equal(withInterval.filter((c) => c !== undefined).length, 1, `one checkpoint in the interval from ${withInterval.length} calls`);
  const after = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_checkpoints`);
  t.equal(after[0]!.n, 1);
  await createOrganisation(first.admin);
  t.ok(await first.app.auditCheckpoints.issue(0), 'a call without the interval issues one again once the head moved');

  // While one instance is issuing (it holds the issuing lock), the others skip their turn.
  await db.execute(sql`delete from audit_checkpoints`);
  await createOrganisation(first.admin);
  const issuer = new pg.Client({ connectionString: database.url });
  await issuer.connect();
  t.teardown(() => issuer.end());
  await issuer.query('begin');
  await issuer.query('select pg_advisory_xact_lock($1)', [ISSUING_LOCK_KEY]);
  const held = await issuing(3_600, 3);
  t.same(held.filter((c) => c !== undefined), [], 'no instance issues while another holds the issuing lock');
  await issuer.query('commit');
  t.ok(await first.app.auditCheckpoints.issue(3_600), 'once it is released, the next call issues');
});
