import { sql } from 'drizzle-orm';
import t from 'tap';
import { lockAdoptionsAndLoadFacts } from '../../src/db/adoption-repository.js';
import { fundMoneyByYear } from '../../src/db/fund-repository.js';
import { listStatuteRules } from '../../src/db/statute-rules-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { decision, lockedElsewhere, organisation, programme, repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/** Adoption's facts: read under the adoption lock, with the amended decision of an amendment locked and loaded. */
const database = await repositoryDatabase(t);
const db = database.db;
const onPostgres = database.pool !== undefined;
const centre = await organisation(db, { kind: 'municipality', centreMunicipality: true });
await organisation(db, { kind: 'municipality' });
const wtmr = await programme(db);

t.test('an amendment: the decision it amends, locked and loaded, with the rules, the fund and the centre municipalities', async (t) => {
  const amended = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 4_000 }] });
  await inTransaction(database, async (tx) => {
    const facts = await lockAdoptionsAndLoadFacts(tx, amended.id, '2026-03-01');
    t.equal(facts.amended?.decision.id, amended.id);
    t.same(facts.amended?.commitments.map((c) => c.id), amended.commitmentIds, 'with its children');
    t.same(facts.statuteRules, await listStatuteRules(tx));
    t.same(facts.fundMoney, await fundMoneyByYear(tx, '2026-03-01'));
    t.same(facts.centreMunicipalityIds, [centre]);
    if (onPostgres) {
      t.ok(await lockedElsewhere(database, 'decisions', amended.id), 'the amended decision is locked until commit');
      const held = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`);
      t.equal(held[0]!.n, 1, 'so is the adoption lock');
    }
  });
});

t.test('a decision that amends none: no amended decision, and no other decision locked', async (t) => {
  const other = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000 }] });
  await inTransaction(database, async (tx) => {
    const facts = await lockAdoptionsAndLoadFacts(tx, null, '2026-03-01');
    t.equal(facts.amended, undefined);
    t.same(facts.centreMunicipalityIds, [centre]);
    if (onPostgres) t.notOk(await lockedElsewhere(database, 'decisions', other.id));
  });
});
