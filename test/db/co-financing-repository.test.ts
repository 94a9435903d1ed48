import t from 'tap';
import { insertCoFinancing, listCoFinancing } from '../../src/db/co-financing-repository.js';
import { checkKeysetPages, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';

/** A programme's co-financing: recorded, and listed in the order recorded, of one year when asked. */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = await programme(db, 'WTMR');
const amkb = await programme(db, 'AMKB');
const provincie = await organisation(db, { kind: 'government', name: 'Provincie Limburg' });
const row = (programmeId: string, year: number, amountCents: number) =>
  insertCoFinancing(db, { programmeId, year, amountCents, kind: 'regio_deal', funderOrganisationId: provincie, funderName: null, reference: `CF-${year}-${amountCents}` });
const rows = [await row(wtmr, 2026, 100), await row(wtmr, 2027, 200), await row(amkb, 2026, 300), await row(wtmr, 2026, 400)];

t.test('a row is recorded as given, with its kind', async (t) => {
  t.match(rows[0], { programmeId: wtmr, year: 2026, amountCents: 100, kind: 'regio_deal', funderOrganisationId: provincie, funderName: null, reference: 'CF-2026-100' });
});

t.test("one programme's rows, of every year or of one, in the order recorded", async (t) => {
  const ofWtmr = rows.filter((r) => r.programmeId === wtmr).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  await checkKeysetPages(t, ofWtmr.map((r) => r.id), (after, limit) => listCoFinancing(db, wtmr, {}, after, limit));
  t.same((await listCoFinancing(db, wtmr, { year: 2026 }, undefined, 10)).map((r) => r.amountCents), [100, 400]);
  t.same((await listCoFinancing(db, amkb, { year: 2027 }, undefined, 10)), [], 'no row of that year');
});
