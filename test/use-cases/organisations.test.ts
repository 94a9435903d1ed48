import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { SYSTEM_PRINCIPAL, type Principal } from '../../src/domain/access.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { etagOf, type ExpectedVersion } from '../../src/use-cases/etag.js';
import {
  createOrganisation,
  getOrganisation,
  isRegisterEmpty,
  listOrganisationsPage,
  patchOrganisation,
} from '../../src/use-cases/organisations.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { createTestDatabase } from '../helpers/database.js';
import { auditMark, refusedWithoutWriting, writtenSince } from '../helpers/written.js';

/**
 * The organisation use cases called directly on a database of their own: who may designate a
 * centre municipality (checked before anything is written, on a change against the value the
 * organisation has), that only a municipality can be one, the expected version of a change read
 * under its lock, and the events they write (audited, not published).
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z') };
const as = (role: Principal['role']): Caller => ({ principal: { keyId: null, role, organisationId: null } });
const admin = as('admin');
const secretariat = as('secretariat');
const system: Caller = { principal: SYSTEM_PRINCIPAL };
const at = (etag: string): ExpectedVersion => ({ matches: (current) => current === etag });
const refused = (t: Test, change: () => Promise<unknown>, code: string, paths?: string[]) => refusedWithoutWriting(t, db.database, change, code, paths);

t.test('a fresh register is empty until its first organisation', async (t) => {
  t.equal(await isRegisterEmpty(ctx), true);
  await createOrganisation(ctx, secretariat, { name: 'Stichting ESZL', kind: 'foundation' });
  t.equal(await isRegisterEmpty(ctx), false);
});

t.test('createOrganisation fills in the defaults and writes organisation.created under the caller, with no outbox row', async (t) => {
  const mark = await auditMark(db.database);
  const organisation = await createOrganisation(ctx, secretariat, { name: 'Ambitieus MKB', kind: 'applicant', kvkNumber: undefined });
  t.match(organisation, { name: 'Ambitieus MKB', kind: 'applicant', centreMunicipality: false, kvkNumber: null });
  t.equal(organisation.createdAt, organisation.updatedAt);
  t.same(await getOrganisation(ctx, organisation.id), organisation, 'stored as answered');
  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.resourceType, e.resourceId, e.actorRole]), [['organisation.created', 'organisation', organisation.id, 'secretariat']]);
  t.same(written.events[0]!.data, { organisation });
  t.same(written.outbox, [], 'an audited-only event');
});

t.test('designating a centre municipality at creation: admins and the system only, and a municipality only', async (t) => {
  const centre = { name: 'Gemeente Heerlen', kind: 'municipality', centreMunicipality: true } as const;
  await refused(t, () => createOrganisation(ctx, secretariat, centre), 'FORBIDDEN');
  await refused(t, () => createOrganisation(ctx, secretariat, { ...centre, kind: 'applicant' }), 'FORBIDDEN');
  await refused(t, () => createOrganisation(ctx, admin, { ...centre, kind: 'applicant' }), 'CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY', ['/centreMunicipality']);
  t.equal((await createOrganisation(ctx, admin, centre)).centreMunicipality, true, 'an admin designates one');
  t.equal((await createOrganisation(ctx, system, { ...centre, name: 'Gemeente Maastricht' })).centreMunicipality, true, 'so does the service itself (its seed)');
  t.equal((await createOrganisation(ctx, secretariat, { ...centre, name: 'Gemeente Vaals', centreMunicipality: false })).centreMunicipality, false, 'saying false needs no admin');
});

t.test('getOrganisation and patchOrganisation: an unknown id is 404', async (t) => {
  await t.rejects(getOrganisation(ctx, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
  await refused(t, () => patchOrganisation(ctx, admin, randomUUID(), { name: 'Ghost' }), 'RESOURCE_NOT_FOUND');
});

t.test('patchOrganisation changes what was sent, keeps the rest, and writes the organisation before and after', async (t) => {
  const before = await createOrganisation(ctx, secretariat, { name: 'Brightlands BV', kind: 'applicant', kvkNumber: '12345678' });
  const mark = await auditMark(db.database);
  const after = await patchOrganisation(ctx, secretariat, before.id, { name: 'Brightlands Campus BV', kind: undefined, kvkNumber: null });
  t.match(after, { id: before.id, name: 'Brightlands Campus BV', kind: 'applicant', kvkNumber: null, centreMunicipality: false, createdAt: before.createdAt });
  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.actorRole]), [['organisation.updated', 'secretariat']]);
  t.same(written.events[0]!.data, { before, organisation: after });
  t.same(written.outbox, []);
});

t.test('patchOrganisation honours the expected version: the current one changes it, a stale one is PRECONDITION_FAILED', async (t) => {
  const organisation = await createOrganisation(ctx, secretariat, { name: 'Welcome to Maastricht Region', kind: 'foundation' });
  const first = etagOf(organisation);
  const renamed = await patchOrganisation(ctx, secretariat, organisation.id, { name: 'WTMR' }, at(first));
  await refused(t, () => patchOrganisation(ctx, secretariat, organisation.id, { name: 'Stale' }, at(first)), 'PRECONDITION_FAILED');
  // The version is checked before anything else: a stale change that is also forbidden is answered as stale.
  await refused(t, () => patchOrganisation(ctx, secretariat, organisation.id, { kind: 'municipality', centreMunicipality: true }, at(first)), 'PRECONDITION_FAILED');
  t.equal((await patchOrganisation(ctx, secretariat, organisation.id, { name: 'WTMR 2026' }, at(etagOf(renamed)))).name, 'WTMR 2026');
  t.equal((await getOrganisation(ctx, organisation.id)).name, 'WTMR 2026');
});

t.test('patchOrganisation weighs centreMunicipality against the value the organisation has', async (t) => {
  const centre = await createOrganisation(ctx, admin, { name: 'Gemeente Sittard-Geleen', kind: 'municipality', centreMunicipality: true });
  t.equal((await patchOrganisation(ctx, secretariat, centre.id, { name: 'Gemeente Sittard-Geleen (centrum)' })).centreMunicipality, true, 'a secretariat renames a centre municipality');
  t.equal((await patchOrganisation(ctx, secretariat, centre.id, { centreMunicipality: true })).centreMunicipality, true, 'and may send the value it has');
  await refused(t, () => patchOrganisation(ctx, secretariat, centre.id, { centreMunicipality: false }), 'FORBIDDEN');
  await refused(t, () => patchOrganisation(ctx, admin, centre.id, { kind: 'government' }), 'CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY', ['/centreMunicipality']);
  t.match(await patchOrganisation(ctx, admin, centre.id, { kind: 'government', centreMunicipality: false }), { kind: 'government', centreMunicipality: false }, 'both in one change');

  const plain = await createOrganisation(ctx, secretariat, { name: 'Gemeente Simpelveld', kind: 'municipality' });
  await refused(t, () => patchOrganisation(ctx, secretariat, plain.id, { centreMunicipality: true }), 'FORBIDDEN');
  t.equal((await patchOrganisation(ctx, admin, plain.id, { centreMunicipality: true })).centreMunicipality, true);
});

t.test('listOrganisationsPage filters and pages; a cursor it did not make is VALIDATION_FAILED', async (t) => {
  const employers = [];
  for (let i = 0; i < 3; i++) employers.push(await createOrganisation(ctx, secretariat, { name: `Employer ${i}`, kind: 'employer' }));
  const first = await listOrganisationsPage(ctx, { kind: 'employer' }, undefined, 2);
  t.same(first.items.map((o) => o.id), employers.slice(0, 2).map((o) => o.id));
  const rest = await listOrganisationsPage(ctx, { kind: 'employer' }, first.nextCursor!, 2);
  t.same(rest, { items: [employers[2]], nextCursor: null });
  const centres = await listOrganisationsPage(ctx, { centreMunicipality: true }, undefined, 50);
  t.ok(centres.items.length > 0 && centres.items.every((o) => o.centreMunicipality), 'only centre municipalities');
  await t.rejects(listOrganisationsPage(ctx, {}, 'bm90LWEtY3Vyc29y', 2), { code: 'VALIDATION_FAILED' });
});
