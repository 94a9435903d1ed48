import t from 'tap';
import { inTransaction } from '../../src/db/transaction.js';
import {
  findOrganisation,
  insertOrganisation,
  listCentreMunicipalityIds,
  listOrganisations,
  updateOrganisation,
} from '../../src/db/organisations-repository.js';
import { checkKeysetPages, lockedElsewhere, POSTGRES_ONLY, repositoryDatabase } from '../helpers/register-rows.js';

/** The organisations of the register: found (locked when asked), filtered, paged, updated, and the centre municipalities. */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await insertOrganisation(db, { name: 'Gemeente Heerlen', kind: 'municipality', centreMunicipality: true });
const maastricht = await insertOrganisation(db, { name: 'Gemeente Maastricht', kind: 'municipality', centreMunicipality: true });
const valkenburg = await insertOrganisation(db, { name: 'Gemeente Valkenburg', kind: 'municipality' });
const wtmr = await insertOrganisation(db, { name: 'Stichting WTMR', kind: 'applicant' });
const eszl = await insertOrganisation(db, { name: 'ESZL', kind: 'foundation' });
const inOrder = [heerlen, maastricht, valkenburg, wtmr, eszl].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));

t.test('an organisation is found by id; an unknown id finds nothing', async (t) => {
  t.same(await findOrganisation(db, wtmr.id), wtmr);
  t.equal(await findOrganisation(db, '00000000-0000-4000-8000-000000000000'), undefined);
});

t.test('found for update, the row stays locked until the transaction ends; found plainly, it is not', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (tx) => {
    t.same(await findOrganisation(tx, wtmr.id, true), wtmr);
    t.equal(await lockedElsewhere(database, 'organisations', wtmr.id), true);
  });
  t.equal(await lockedElsewhere(database, 'organisations', wtmr.id), false, 'released at commit');
  await inTransaction(database, async (tx) => {
    await findOrganisation(tx, wtmr.id);
    t.equal(await lockedElsewhere(database, 'organisations', wtmr.id), false);
  });
});

t.test('the list filters by kind and by centre municipality, and pages by (createdAt, id)', async (t) => {
  const ids = async (filter: Parameters<typeof listOrganisations>[1]) => (await listOrganisations(db, filter, undefined, 10)).map((o) => o.id);
  t.same(await ids({ kind: 'municipality' }), inOrder.filter((o) => o.kind === 'municipality').map((o) => o.id));
  t.same(await ids({ centreMunicipality: true }), inOrder.filter((o) => o.centreMunicipality).map((o) => o.id));
  t.same(await ids({ centreMunicipality: false }), inOrder.filter((o) => !o.centreMunicipality).map((o) => o.id));
  t.same(await ids({ kind: 'municipality', centreMunicipality: false }), [valkenburg.id]);
  await checkKeysetPages(t, inOrder.map((o) => o.id), (after, limit) => listOrganisations(db, {}, after, limit));
});

t.test('the centre municipalities are listed in id order; an update changes one and its updatedAt', async (t) => {
  t.same(await listCentreMunicipalityIds(db), [heerlen.id, maastricht.id].sort());
  const updated = await updateOrganisation(db, valkenburg.id, { centreMunicipality: true, kvkNumber: '12345678' });
  t.match(updated, { id: valkenburg.id, centreMunicipality: true, kvkNumber: '12345678', createdAt: valkenburg.createdAt });
  t.ok(updated.updatedAt.getTime() >= valkenburg.updatedAt.getTime());
  t.same(await listCentreMunicipalityIds(db), [heerlen.id, maastricht.id, valkenburg.id].sort(), 'it now ratifies');
});
