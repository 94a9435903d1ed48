import { randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { etagOf, type ExpectedVersion } from '../../src/use-cases/etag.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { createProgramme, getProgramme, listProgrammesPage, patchProgramme } from '../../src/use-cases/programmes.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { createTestDatabase } from '../helpers/database.js';
import { auditMark, refusedWithoutWriting, writtenSince } from '../helpers/written.js';

/**
 * The programme use cases called directly on a database of their own: an owner must exist
 * (none is fine, and clearing it too), a code is unique (the constraint answered as
 * PROGRAMME_CODE_TAKEN), the expected version of a change is checked under its lock before its
 * input, and the events they write (audited, not published).
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z') };
const secretariat: Caller = { principal: { keyId: null, role: 'secretariat', organisationId: null } };
const at = (etag: string): ExpectedVersion => ({ matches: (current) => current === etag });
const code = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex').toUpperCase()}`;
const refused = (t: Test, change: () => Promise<unknown>, errorCode: string, paths?: string[]) => refusedWithoutWriting(t, db.database, change, errorCode, paths);
const owner = await createOrganisation(ctx, secretariat, { name: 'Stichting ESZL', kind: 'foundation' });

t.test('createProgramme with an owner writes programme.created under the caller, with no outbox row', async (t) => {
  const mark = await auditMark(db.database);
  const programme = await createProgramme(ctx, secretariat, { code: code('WTMR'), name: 'Welcome to Maastricht Region', ownerOrganisationId: owner.id });
  t.match(programme, { name: 'Welcome to Maastricht Region', description: null, ownerOrganisationId: owner.id });
  t.same(await getProgramme(ctx, programme.id), programme, 'stored as answered');
  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.resourceType, e.resourceId, e.actorRole]), [['programme.created', 'programme', programme.id, 'secretariat']]);
  t.same(written.events[0]!.data, { programme });
  t.same(written.outbox, []);
});

t.test('createProgramme: no owner or a null owner is fine; an unknown owner and a taken code are refused', async (t) => {
  t.equal((await createProgramme(ctx, secretariat, { code: code('AMKB'), name: 'Ambitieus MKB' })).ownerOrganisationId, null);
  t.equal((await createProgramme(ctx, secretariat, { code: code('AMKB'), name: 'Ambitieus MKB', ownerOrganisationId: null })).ownerOrganisationId, null);
  await refused(t, () => createProgramme(ctx, secretariat, { code: code('GHOST'), name: 'Ghost owner', ownerOrganisationId: randomUUID() }), 'REFERENCED_RESOURCE_NOT_FOUND', ['/ownerOrganisationId']);
  const taken = await createProgramme(ctx, secretariat, { code: code('DUP'), name: 'First' });
  await refused(t, () => createProgramme(ctx, secretariat, { code: taken.code, name: 'Second' }), 'PROGRAMME_CODE_TAKEN', ['/code']);
});

t.test('getProgramme and patchProgramme: an unknown id is 404', async (t) => {
  await t.rejects(getProgramme(ctx, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
  await refused(t, () => patchProgramme(ctx, secretariat, randomUUID(), { name: 'Ghost' }), 'RESOURCE_NOT_FOUND');
});

t.test('patchProgramme changes what was sent, clears what was sent as null, and writes the programme before and after', async (t) => {
  const before = await createProgramme(ctx, secretariat, { code: code('TAL'), name: 'Talent', description: 'Talent programme', ownerOrganisationId: owner.id });
  const mark = await auditMark(db.database);
  const after = await patchProgramme(ctx, secretariat, before.id, { name: 'Talent 2026', description: undefined, ownerOrganisationId: null });
  t.match(after, { id: before.id, code: before.code, name: 'Talent 2026', description: 'Talent programme', ownerOrganisationId: null, createdAt: before.createdAt });
  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.actorRole]), [['programme.updated', 'secretariat']]);
  t.same(written.events[0]!.data, { before, programme: after });
  t.same(written.outbox, []);
});

t.test('patchProgramme: a stale version is answered before the input; then an unknown owner, then a taken code', async (t) => {
  const programme = await createProgramme(ctx, secretariat, { code: code('VER'), name: 'Versioned' });
  const other = await createProgramme(ctx, secretariat, { code: code('OTH'), name: 'Other' });
  const first = etagOf(programme);
  const renamed = await patchProgramme(ctx, secretariat, programme.id, { name: 'Versioned again' }, at(first));
  await refused(t, () => patchProgramme(ctx, secretariat, programme.id, { ownerOrganisationId: randomUUID() }, at(first)), 'PRECONDITION_FAILED');
  await refused(t, () => patchProgramme(ctx, secretariat, programme.id, { ownerOrganisationId: randomUUID() }, at(etagOf(renamed))), 'REFERENCED_RESOURCE_NOT_FOUND', ['/ownerOrganisationId']);
  await refused(t, () => patchProgramme(ctx, secretariat, programme.id, { code: other.code }, at(etagOf(renamed))), 'PROGRAMME_CODE_TAKEN', ['/code']);
  t.same(await getProgramme(ctx, programme.id), renamed, 'the refused changes left it as it was');
  t.equal((await patchProgramme(ctx, secretariat, programme.id, { ownerOrganisationId: owner.id }, at(etagOf(renamed)))).ownerOrganisationId, owner.id);
});

t.test('listProgrammesPage pages in creation order; a cursor it did not make is VALIDATION_FAILED', async (t) => {
  const all = await listProgrammesPage(ctx, undefined, 100);
  t.equal(all.nextCursor, null);
  const first = await listProgrammesPage(ctx, undefined, all.items.length - 1);
  t.same(first.items, all.items.slice(0, -1));
  t.same(await listProgrammesPage(ctx, first.nextCursor!, 100), { items: all.items.slice(-1), nextCursor: null });
  await t.rejects(listProgrammesPage(ctx, 'bm90LWEtY3Vyc29y', 2), { code: 'VALIDATION_FAILED' });
});
