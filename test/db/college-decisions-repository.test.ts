import { randomUUID } from 'node:crypto';
import t from 'tap';
import { findCollegeDecision, insertCollegeDecision, listCollegeDecisions } from '../../src/db/college-decisions-repository.js';
import { votes } from '../../src/db/schema.js';
import { checkKeysetPages, decision, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';

/** College decisions with the votes they recorded, in the order the college decision listed them. */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const maastricht = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const wtmr = await programme(db);
const pending = async () => (await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: [heerlen, maastricht], commitments: [{ programmeId: wtmr, year: 2026, amountCents: 20_000_000 }] })).id;
const [first, second, third] = [await pending(), await pending(), await pending()];

const ofHeerlen = await insertCollegeDecision(db, { municipalityId: heerlen, decidedOn: '2026-02-20', reference: 'COL-H-1' });
// Recorded in one transaction they may share a castAt; their position in the request orders them
// (the ids here run the other way, so neither castAt nor id could).
await db.insert(votes).values([
  { decisionId: third, municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20', collegeDecisionId: ofHeerlen.id, collegeDecisionPosition: 0, id: 'ffffffff-ffff-4fff-8fff-ffffffffffff', castAt: new Date('2026-02-20T10:00:00Z') },
  { decisionId: first, municipalityId: heerlen, outcome: 'reject', decidedOn: '2026-02-20', collegeDecisionId: ofHeerlen.id, collegeDecisionPosition: 1, id: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', castAt: new Date('2026-02-20T10:00:00Z') },
  { decisionId: second, municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20', collegeDecisionId: ofHeerlen.id, collegeDecisionPosition: 2, id: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', castAt: new Date('2026-02-20T10:00:00Z') },
]);
const ofMaastricht = await insertCollegeDecision(db, { municipalityId: maastricht, decidedOn: '2026-02-21', reference: 'COL-M-1' });
const empty = await insertCollegeDecision(db, { municipalityId: maastricht, decidedOn: '2026-02-22', reference: 'COL-M-2' });

t.test('a college decision is found with its votes in the order it listed them; an unknown id finds nothing', async (t) => {
  const found = await findCollegeDecision(db, ofHeerlen.id);
  t.same(found?.collegeDecision, ofHeerlen);
  t.same(found?.votes.map((v) => [v.decisionId, v.outcome]), [[third, 'approve'], [first, 'reject'], [second, 'approve']]);
  t.same((await findCollegeDecision(db, empty.id))?.votes, [], 'one that recorded no vote');
  t.equal(await findCollegeDecision(db, randomUUID()), undefined);
});

t.test('the list pages by (createdAt, id), of every municipality or of one', async (t) => {
  const all = [ofHeerlen, ofMaastricht, empty].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  await checkKeysetPages(t, all.map((c) => c.id), (after, limit) => listCollegeDecisions(db, {}, after, limit));
  const maastrichts = await listCollegeDecisions(db, { municipalityId: maastricht }, undefined, 10);
  t.same(maastrichts.map((c) => c.collegeDecision.reference).sort(), ['COL-M-1', 'COL-M-2']);
  t.same((await listCollegeDecisions(db, { municipalityId: heerlen }, undefined, 10))[0]?.votes.map((v) => v.decisionId), [third, first, second], 'with their votes');
});
