import { sql } from 'drizzle-orm';
import t from 'tap';
import { queryRows } from '../../src/db/client.js';
import { readAuditHead } from '../../src/db/audit-repository.js';
import { retellSteps } from '../../src/db/story-retelling.js';
import { systemClock } from '../../src/domain/clock.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * The dating of a story's steps in SQL: nothing to date is refused; steps that are no longer the
 * trail's latest are refused and change nothing; the latest ones move, with their rows, and the
 * chain is hashed again (test/use-cases/story-time.test.ts tells the demo story through it).
 */
const owner = await createTestDatabase();
t.teardown(() => owner.close());
const { database } = owner;
const ctx = { database, clock: systemClock };
const organisation = (name: string) => createOrganisation(ctx, SYSTEM_CALLER, { name, kind: 'applicant' });
const eventAt = async (seq: number) =>
  (await queryRows<{ at: string }>(database.db, sql`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at from audit_events where seq = ${seq}`))[0]?.at;

t.test('no steps: nothing to date', async (t) => {
  t.equal(await retellSteps(database, []), false);
});

t.test('steps followed by another change are not dated, and nothing changes', async (t) => {
  const before = await readAuditHead(database.db);
  await organisation('Story');
  const step = { at: '2025-01-01T10:00:00.000Z', fromSeq: before.seq + 1, toSeq: before.seq + 1 };
  await organisation('Meanwhile');
  const head = await readAuditHead(database.db);
  t.equal(await retellSteps(database, [step]), false);
  t.same(await readAuditHead(database.db), head, 'the chain is untouched');
  t.not(await eventAt(step.fromSeq), '2025-01-01T10:00:00');
});

t.test('the latest steps move to their moments, rows and all, and the chain gets a new head', async (t) => {
  const before = await readAuditHead(database.db);
  const created = await organisation('Dated');
  const step = { at: '2025-01-01T10:00:00.000Z', fromSeq: before.seq + 1, toSeq: (await readAuditHead(database.db)).seq };
  const head = await readAuditHead(database.db);
  t.equal(await retellSteps(database, [step]), true);
  t.equal(await eventAt(step.fromSeq), '2025-01-01T10:00:00');
  const [row] = await queryRows<{ at: string }>(
    database.db,
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at from organisations where id = ${created.id}`,
  );
  t.equal(row?.at, '2025-01-01T10:00:00', "the organisation's own timestamp moved with it");
  const after = await readAuditHead(database.db);
  t.equal(after.seq, head.seq);
  t.not(after.hash, head.hash, 'the chain was hashed again');
});
