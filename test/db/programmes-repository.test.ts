import t from 'tap';
import { findProgramme, findProgrammeIds, insertProgramme, listProgrammes, updateProgramme, type ProgrammeRow } from '../../src/db/programmes-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { checkKeysetPages, lockedElsewhere, POSTGRES_ONLY, repositoryDatabase, statementsSent } from '../helpers/register-rows.js';

/** The programmes: found (locked when asked), which of some ids exist, the prepared pages, an update. */
const database = await repositoryDatabase(t);
const db = database.db;
const created: ProgrammeRow[] = [];
for (const code of ['WTMR', 'AMKB', 'LIMB', 'GRENS']) created.push(await insertProgramme(db, { code, name: `Programme ${code}` }));
const [wtmr, amkb] = created as [ProgrammeRow, ProgrammeRow];
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

t.test('a programme is found by id; an unknown id finds nothing', async (t) => {
  t.same(await findProgramme(db, wtmr.id), wtmr);
  t.equal(await findProgramme(db, UNKNOWN), undefined);
});

t.test('found for update, the row stays locked until the transaction ends', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (tx) => {
    await findProgramme(tx, amkb.id, true);
    t.equal(await lockedElsewhere(database, 'programmes', amkb.id), true);
  });
  await inTransaction(database, async (tx) => {
    await findProgramme(tx, amkb.id);
    t.equal(await lockedElsewhere(database, 'programmes', amkb.id), false, 'not when found plainly');
  });
});

t.test('of some ids, those of programmes; none asked, none found', async (t) => {
  t.same(await findProgrammeIds(db, [wtmr.id, UNKNOWN, amkb.id]), new Set([wtmr.id, amkb.id]));
  t.same(await findProgrammeIds(db, []), new Set());
  if (database.pool) t.equal(await statementsSent(database, () => findProgrammeIds(db, [])), 0, 'without asking the database');
});

t.test('the pages run in (createdAt, id) order, with and without a cursor', async (t) => {
  const expected = [...created].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)).map((p) => p.id);
  await checkKeysetPages(t, expected, (after, limit) => listProgrammes(db, after, limit));
});

t.test('an update changes the fields given and updatedAt', async (t) => {
  const updated = await updateProgramme(db, wtmr.id, { name: 'Welcome to Maastricht Region' });
  t.match(updated, { id: wtmr.id, code: 'WTMR', name: 'Welcome to Maastricht Region', createdAt: wtmr.createdAt });
  t.ok(updated.updatedAt.getTime() >= wtmr.updatedAt.getTime());
});
