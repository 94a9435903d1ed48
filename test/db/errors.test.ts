import { sql, type SQL } from 'drizzle-orm';
import t from 'tap';
import { queryRows } from '../../src/db/client.js';
import { mapConstraintViolation } from '../../src/db/errors.js';
import { DomainError } from '../../src/domain/errors.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * Constraint violations become the domain errors they stand for: each raised for real by the
 * database's own constraint (so a renamed index or check fails here), then mapped.
 */
const owner = await createTestDatabase();
t.teardown(() => owner.close());
const db = owner.database.db;
const one = async (query: SQL) => (await queryRows<{ id: string }>(db, query))[0]!.id;

const municipality = await one(sql`insert into organisations (name, kind) values ('Gemeente Heerlen', 'municipality') returning id`);
const programme = await one(sql`insert into programmes (code, name) values ('WTMR', 'Welcome to Maastricht Region') returning id`);
const decision = await one(sql`insert into decisions (reference, title, board_meeting_date, total_amount_cents) values ('PB-1', 'Principebesluit', '2026-01-22', 1000) returning id`);
const commitment = await one(sql`
  insert into decision_commitments (decision_id, position, programme_id, year, amount_cents) values (${decision}, 0, ${programme}, 2026, 1000) returning id`);
await db.execute(sql`insert into ratification_votes (decision_id, municipality_id, outcome, decided_on) values (${decision}, ${municipality}, 'approve', '2026-02-20')`);
await db.execute(sql`insert into indicators (decision_id, code, name, unit) values (${decision}, 'PLAATSINGEN', 'Plaatsingen', 'aantal')`);

/** What the mapping makes of the error the database raises for `query`. */
async function mapped(query: SQL): Promise<{ code: string; status: number; paths: string[] } | { rethrown: string | undefined }> {
  const error = await db.execute(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('the statement did not fail');
  try {
    mapConstraintViolation(error);
  } catch (thrown) {
    if (thrown instanceof DomainError) return { code: thrown.code, status: thrown.status, paths: (thrown.errors ?? []).map((e) => e.path) };
    if (thrown !== error) throw new Error('neither mapped nor rethrown as it was');
    return { rethrown: (error as { cause?: { code?: string } }).cause?.code };
  }
  throw new Error('mapConstraintViolation returned');
}

t.test('each unique key the service relies on answers its own code', async (t) => {
  const cases: [string, SQL, object][] = [
    ['programme code', sql`insert into programmes (code, name) values ('WTMR', 'Again')`, { code: 'PROGRAMME_CODE_TAKEN', status: 409, paths: ['/code'] }],
    ['decision reference', sql`insert into decisions (reference, title, board_meeting_date, total_amount_cents) values ('PB-1', 'Again', '2026-01-22', 1)`, { code: 'DECISION_REFERENCE_TAKEN', status: 409, paths: ['/reference'] }],
    ['vote', sql`insert into ratification_votes (decision_id, municipality_id, outcome, decided_on) values (${decision}, ${municipality}, 'reject', '2026-02-21')`, { code: 'VOTE_ALREADY_CAST', status: 409, paths: [] }],
    ['indicator code', sql`insert into indicators (decision_id, code, name, unit) values (${decision}, 'PLAATSINGEN', 'Again', 'aantal')`, { code: 'INDICATOR_CODE_TAKEN', status: 409, paths: ['/code'] }],
    [
      'statute rule version',
      sql`insert into statute_rules (version, effective_from, threshold_cents, splitting_scope, splitting_action, reference) select version, '2099-01-01', 1, 'none', 'flag', 'x' from statute_rules limit 1`,
      { code: 'STATUTE_RULE_NOT_LATEST', status: 409, paths: ['/effectiveFrom'] },
    ],
    [
      'statute rule date',
      sql`insert into statute_rules (version, effective_from, threshold_cents, splitting_scope, splitting_action, reference) select 999, effective_from, 1, 'none', 'flag', 'x' from statute_rules limit 1`,
      { code: 'STATUTE_RULE_NOT_LATEST', status: 409, paths: ['/effectiveFrom'] },
    ],
    ['any other unique key', sql`insert into decision_commitments (id, decision_id, position, programme_id, year, amount_cents) values (${commitment}, ${decision}, 1, ${programme}, 2026, 1)`, { code: 'CONFLICT', status: 409 }],
  ];
  for (const [name, query, expected] of cases) t.match(await mapped(query), expected, name);
});

t.test('a missing reference, a broken check and a malformed value answer 400, a payment beyond its commitment 409', async (t) => {
  const cases: [string, SQL, object][] = [
    ['foreign key', sql`insert into decision_commitments (decision_id, position, programme_id, year, amount_cents) values (${decision}, 1, gen_random_uuid(), 2026, 1)`, { code: 'REFERENCED_RESOURCE_NOT_FOUND', status: 400 }],
    ['paid beyond the commitment', sql`update decision_commitments set disbursed_cents = 1001 where id = ${commitment}`, { code: 'DISBURSEMENT_EXCEEDS_COMMITMENT', status: 409 }],
    ['final amount above the committed one', sql`update decision_commitments set final_amount_cents = 1001 where id = ${commitment}`, { code: 'AMOUNT_OUT_OF_RANGE', status: 400 }],
    ['another check', sql`update ratification_votes set outcome = 'abstain'`, { code: 'VALIDATION_FAILED', status: 400 }],
    ['not a uuid (22P02)', sql`select 'not-a-uuid'::uuid`, { code: 'VALIDATION_FAILED', status: 400 }],
    ['out of range (22003)', sql`select 2147483648::integer`, { code: 'VALIDATION_FAILED', status: 400 }],
    ['not a date (22007)', sql`select 'someday'::date`, { code: 'VALIDATION_FAILED', status: 400 }],
    ['no such day (22008)', sql`select '2026-02-30'::date`, { code: 'VALIDATION_FAILED', status: 400 }],
  ];
  for (const [name, query, expected] of cases) t.match(await mapped(query), expected, name);
});

t.test('any other error is rethrown as it was', async (t) => {
  t.same(await mapped(sql`select * from no_such_table`), { rethrown: '42P01' });
  t.same(await mapped(sql`select 1 / 0`), { rethrown: '22012' });
  const plain = new Error('not from the database');
  t.throws(() => mapConstraintViolation(plain), plain);
});
