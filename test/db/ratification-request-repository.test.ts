import t from 'tap';
import { insertCoFinancing } from '../../src/db/co-financing-repository.js';
import {
  coFinancingOfProgrammeYears,
  decisionRefs,
  lastDecisionEvent,
  organisationNames,
  programmeRefs,
  statuteRuleReference,
} from '../../src/db/ratification-request-repository.js';
import { decision, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';

/** What a ratification request names besides its decision, each looked up by id, none for no ids. */
const database = await repositoryDatabase(t);
const db = database.db;
const maastricht = await organisation(db, { kind: 'municipality', centreMunicipality: true, name: 'Gemeente Maastricht' });
const provincie = await organisation(db, { kind: 'government', name: 'Provincie Limburg' });
const wtmr = await programme(db, 'WTMR');
const amkb = await programme(db, 'AMKB');
const earlier = await decision(db, { status: 'adopted', reference: 'PB-EARLIER', commitments: [{ programmeId: wtmr, year: 2025, amountCents: 700 }] });
const cf = (programmeId: string, year: number, amountCents: number, funder: { funderOrganisationId: string | null; funderName: string | null }) =>
  insertCoFinancing(db, { programmeId, year, amountCents, kind: 'employers', ...funder, reference: `CF-${amountCents}` });
await cf(wtmr, 2026, 100, { funderOrganisationId: provincie, funderName: 'ignored when the organisation is known' });
await cf(wtmr, 2027, 200, { funderOrganisationId: null, funderName: 'Employer Board WTMR' });
await cf(wtmr, 2028, 300, { funderOrganisationId: null, funderName: 'Another year' });
await cf(amkb, 2026, 400, { funderOrganisationId: null, funderName: 'Another programme' });

t.test('names by id; no ids, no query', async (t) => {
  t.same([...(await organisationNames(db, [maastricht, provincie])).entries()].sort(), [[maastricht, 'Gemeente Maastricht'], [provincie, 'Provincie Limburg']].sort());
  t.same((await organisationNames(db, [])).size, 0);
  t.same((await programmeRefs(db, [wtmr])).get(wtmr), { id: wtmr, code: 'WTMR', name: 'Programme WTMR' });
  t.same((await programmeRefs(db, [])).size, 0);
  t.same((await decisionRefs(db, [earlier.id])).get(earlier.id), { decisionId: earlier.id, reference: 'PB-EARLIER', title: 'Principebesluit', totalAmountCents: 700 });
  t.same((await decisionRefs(db, [])).size, 0);
});

t.test("co-financing of the programmes in the years, the funder organisation's name first, in the order recorded", async (t) => {
  const rows = await coFinancingOfProgrammeYears(db, [wtmr], [2026, 2027]);
  t.same(rows.map((r) => [r.amountCents, r.funderName, r.funderOrganisationId, r.kind]), [
    [100, 'Provincie Limburg', provincie, 'employers'],
    [200, 'Employer Board WTMR', null, 'employers'],
  ]);
  t.same(await coFinancingOfProgrammeYears(db, [], [2026]), []);
  t.same(await coFinancingOfProgrammeYears(db, [wtmr], []), []);
});

t.test("a statute rule's reference by version; the decision's last audit event", async (t) => {
  t.type(await statuteRuleReference(db, 1), 'string');
  t.equal(await statuteRuleReference(db, 999), undefined);
  t.equal(await lastDecisionEvent(db, earlier.id), undefined, 'rows written directly have no events (the routes\' tests read real ones)');
});
