import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Organisation } from '../../../src/use-cases/organisations.js';
import { startTestApp } from '../../helpers/app.js';
import { errorPaths, problemOf, RFC3339_UTC, UUID } from '../../helpers/assertions.js';
import { createCentreMunicipality, createOrganisation, listAll } from '../../helpers/factories.js';

/** Organisations: the foundation, municipalities (some of them centre municipalities), applicants, ... */
// Load shedding (503 when the event loop lags) is not under test here; in-process PGlite and a
// busy machine can stall the loop past its threshold, so it is switched off for this file.
const env = { MAX_EVENT_LOOP_DELAY_MS: '0' };
const ctx = await startTestApp(t, { env });
const { admin } = ctx;

interface Page {
  items: Organisation[];
  nextCursor: string | null;
}

/** Every organisation of a filtered list, 50 a page, following nextCursor to the end. */
function organisationsWhere(query: string): Promise<Organisation[]> {
  return listAll<Organisation>(admin, `/api/v1/organisations?${query}`, 50);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('creates an organisation with every contract field', async (t) => {
  const res = await admin.post('/api/v1/organisations', {
    name: 'Gemeente Sittard-Geleen',
    kind: 'municipality',
    centreMunicipality: true,
    kvkNumber: '14041422',
  });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const organisation = res.json<Organisation>();
  for (const field of ['id', 'name', 'kind', 'centreMunicipality', 'kvkNumber', 'createdAt', 'updatedAt']) {
    t.ok(field in organisation, `has ${field}`);
  }
  t.match(organisation.id, UUID);
  t.equal(organisation.name, 'Gemeente Sittard-Geleen');
  t.equal(organisation.kind, 'municipality');
  t.equal(organisation.centreMunicipality, true);
  t.equal(organisation.kvkNumber, '14041422');
  t.match(organisation.createdAt, RFC3339_UTC);
  t.match(organisation.updatedAt, RFC3339_UTC);
  t.ok(Date.parse(organisation.updatedAt) >= Date.parse(organisation.createdAt), 'updatedAt is not before createdAt');
  t.ok(Math.abs(Date.parse(organisation.createdAt) - Date.now()) < 60_000, 'createdAt is now');
});

t.test('defaults centreMunicipality to false and kvkNumber to null', async (t) => {
  const res = await admin.post('/api/v1/organisations', { name: 'Stichting Voorbeeld', kind: 'foundation' });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { name: 'Stichting Voorbeeld', kind: 'foundation', centreMunicipality: false, kvkNumber: null });
});

t.test('accepts every kind of the contract and no other', async (t) => {
  for (const kind of ['foundation', 'municipality', 'applicant', 'employer', 'other']) {
    const res = await admin.post('/api/v1/organisations', { name: `A ${kind}`, kind });
    t.equal(res.statusCode, 201, `${kind} is a kind`);
    t.equal(res.json<Organisation>().kind, kind);
  }
  for (const kind of ['Municipality', 'company', '', 'government ']) {
    const body = problemOf(t, await admin.post('/api/v1/organisations', { name: 'Wrong kind', kind }), 400, 'VALIDATION_FAILED');
    t.same(errorPaths(body), ['/kind'], `'${kind}' is not a kind`);
  }
});

t.test('gets an organisation by id', async (t) => {
  const created = (await admin.post('/api/v1/organisations', { name: 'Gemeente Heerlen', kind: 'municipality', centreMunicipality: true }))
    .json<Organisation>();
  const res = await admin.get(`/api/v1/organisations/${created.id}`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), created);
});

t.test('answers 404 for an unknown organisation id', async (t) => {
  problemOf(t, await admin.get(`/api/v1/organisations/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.patch(`/api/v1/organisations/${randomUUID()}`, { name: 'Ghost' }), 404, 'RESOURCE_NOT_FOUND');
});

t.test('answers 400 for an id that is not a uuid', async (t) => {
  const body = problemOf(t, await admin.get('/api/v1/organisations/heerlen'), 400, 'VALIDATION_FAILED');
  t.same(errorPaths(body), ['path.id']);
  problemOf(t, await admin.patch('/api/v1/organisations/123', { name: 'X' }), 400, 'VALIDATION_FAILED');
});

t.test('changes fields and updatedAt with PATCH', async (t) => {
  const before = (await admin.post('/api/v1/organisations', { name: 'Brightlands BV', kind: 'applicant', kvkNumber: '12345678' }))
    .json<Organisation>();
  await sleep(20);
  const res = await admin.patch(`/api/v1/organisations/${before.id}`, { name: 'Brightlands Campus BV', kind: 'employer' });
  t.equal(res.statusCode, 200);
  const after = res.json<Organisation>();
  t.equal(after.id, before.id);
  t.equal(after.name, 'Brightlands Campus BV');
  t.equal(after.kind, 'employer');
  t.equal(after.kvkNumber, '12345678', 'untouched fields stay');
  t.equal(after.centreMunicipality, false);
  t.equal(after.createdAt, before.createdAt, 'createdAt does not change');
  t.match(after.updatedAt, RFC3339_UTC);
  t.ok(Date.parse(after.updatedAt) > Date.parse(before.updatedAt), 'updatedAt moves forward');

  t.same((await admin.get(`/api/v1/organisations/${before.id}`)).json(), after, 'GET shows the change');

  const cleared = await admin.patch(`/api/v1/organisations/${before.id}`, { kvkNumber: null });
  t.equal(cleared.statusCode, 200);
  t.equal(cleared.json<Organisation>().kvkNumber, null, 'kvkNumber can be cleared');
});

t.test('answers 400 for an empty PATCH and for unknown or invalid fields', async (t) => {
  const organisation = await createOrganisation(admin);
  problemOf(t, await admin.patch(`/api/v1/organisations/${organisation.id}`, {}), 400, 'VALIDATION_FAILED');
  const unknown = problemOf(t, await admin.patch(`/api/v1/organisations/${organisation.id}`, { id: randomUUID() }), 400, 'VALIDATION_FAILED');
  t.same(errorPaths(unknown), ['/id']);
  const invalid = problemOf(
    t,
    await admin.patch(`/api/v1/organisations/${organisation.id}`, { name: '', kind: 'castle', createdAt: '2020-01-01T00:00:00Z' }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(errorPaths(invalid).sort(), ['/createdAt', '/kind', '/name']);
  t.same((await admin.get(`/api/v1/organisations/${organisation.id}`)).json<Organisation>().name, organisation.name, 'nothing changed');
});

t.test('answers 400 for a centre municipality that is not a municipality, on create', async (t) => {
  for (const kind of ['applicant', 'foundation', 'other']) {
    const res = await admin.post('/api/v1/organisations', { name: `Centre ${kind}`, kind, centreMunicipality: true });
    const body = problemOf(t, res, 400);
    t.ok(body.paths.includes('/centreMunicipality'), `${kind}: names /centreMunicipality`);
  }
  const listed = await organisationsWhere('centreMunicipality=true');
  t.notOk(listed.some((item) => item.name.startsWith('Centre ')), 'nothing was created');
});

t.test('answers 400 for a centre municipality that is not a municipality, on PATCH', async (t) => {
  const centre = await createCentreMunicipality(admin, 'Gemeente Maastricht');
  const toApplicant = problemOf(t, await admin.patch(`/api/v1/organisations/${centre.id}`, { kind: 'applicant' }), 400);
  t.ok(toApplicant.paths.includes('/centreMunicipality'), 'names /centreMunicipality');
  t.match((await admin.get(`/api/v1/organisations/${centre.id}`)).json(), { kind: 'municipality', centreMunicipality: true }, 'unchanged');

  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  problemOf(t, await admin.patch(`/api/v1/organisations/${applicant.id}`, { centreMunicipality: true }), 400);
  problemOf(t, await admin.patch(`/api/v1/organisations/${applicant.id}`, { centreMunicipality: true, kind: 'other' }), 400);

  // Allowed: a municipality becomes a centre municipality, or stops being one and changes kind in one go.
  const municipality = await createOrganisation(admin, { kind: 'municipality' });
  const promoted = await admin.patch(`/api/v1/organisations/${municipality.id}`, { centreMunicipality: true });
  t.equal(promoted.statusCode, 200);
  t.equal(promoted.json<Organisation>().centreMunicipality, true);
  const demoted = await admin.patch(`/api/v1/organisations/${centre.id}`, { kind: 'government', centreMunicipality: false });
  t.equal(demoted.statusCode, 200);
  t.match(demoted.json(), { kind: 'government', centreMunicipality: false });
});

t.test('accepts only an 8-digit kvkNumber', async (t) => {
  const ok = await admin.post('/api/v1/organisations', { name: 'KvK BV', kind: 'employer', kvkNumber: '01234567' });
  t.equal(ok.statusCode, 201);
  t.equal(ok.json<Organisation>().kvkNumber, '01234567', 'a leading zero is kept');
  for (const kvkNumber of ['1234567', '123456789', '1234567a', ' 12345678', '', 12345678]) {
    const body = problemOf(t, await admin.post('/api/v1/organisations', { name: 'KvK BV', kind: 'employer', kvkNumber }), 400, 'VALIDATION_FAILED');
    t.same(body.paths, ['/kvkNumber'], `${JSON.stringify(kvkNumber)} is refused`);
  }
  const organisation = ok.json<Organisation>();
  problemOf(t, await admin.patch(`/api/v1/organisations/${organisation.id}`, { kvkNumber: '123' }), 400, 'VALIDATION_FAILED');
});

t.test('checks name length', async (t) => {
  t.equal((await admin.post('/api/v1/organisations', { name: 'n'.repeat(200), kind: 'other' })).statusCode, 201, '200 characters');
  t.same(errorPaths(problemOf(t, await admin.post('/api/v1/organisations', { name: 'n'.repeat(201), kind: 'other' }), 400)), ['/name']);
  t.same(errorPaths(problemOf(t, await admin.post('/api/v1/organisations', { name: '', kind: 'other' }), 400)), ['/name']);
  t.same(errorPaths(problemOf(t, await admin.post('/api/v1/organisations', { kind: 'other' }), 400)), ['/name']);
});

t.test('filters the list by kind and centreMunicipality', async (t) => {
  const centre = await createCentreMunicipality(admin, `Gemeente ${randomUUID().slice(0, 6)}`);
  const plainMunicipality = await createOrganisation(admin, { kind: 'municipality' });
  const foundation = await createOrganisation(admin, { kind: 'foundation' });

  const municipalities = await organisationsWhere('kind=municipality');
  t.ok(municipalities.length >= 2);
  t.ok(municipalities.every((item) => item.kind === 'municipality'), 'only municipalities');
  t.ok(municipalities.some((item) => item.id === centre.id));
  t.ok(municipalities.some((item) => item.id === plainMunicipality.id));
  t.notOk(municipalities.some((item) => item.id === foundation.id));

  const centres = await organisationsWhere('centreMunicipality=true');
  t.ok(centres.every((item) => item.centreMunicipality === true && item.kind === 'municipality'), 'only centre municipalities');
  t.ok(centres.some((item) => item.id === centre.id));
  t.notOk(centres.some((item) => item.id === plainMunicipality.id));

  const notCentres = await organisationsWhere('centreMunicipality=false');
  t.ok(notCentres.every((item) => item.centreMunicipality === false), 'no centre municipalities');
  t.ok(notCentres.some((item) => item.id === plainMunicipality.id));
  t.ok(notCentres.some((item) => item.id === foundation.id));
  t.notOk(notCentres.some((item) => item.id === centre.id));

  const everything = await organisationsWhere('');
  t.equal(centres.length + notCentres.length, everything.length, 'true and false together are everything');

  const both = await organisationsWhere('kind=municipality&centreMunicipality=false');
  t.ok(both.every((item) => item.kind === 'municipality' && !item.centreMunicipality));
  t.ok(both.some((item) => item.id === plainMunicipality.id));
  t.notOk(both.some((item) => item.id === centre.id));

  t.same(errorPaths(problemOf(t, await admin.get('/api/v1/organisations?kind=castle'), 400, 'VALIDATION_FAILED')), ['query.kind']);
  t.same(
    errorPaths(problemOf(t, await admin.get('/api/v1/organisations?centreMunicipality=maybe'), 400, 'VALIDATION_FAILED')),
    ['query.centreMunicipality'],
  );
});

t.test('pages through a list with limit and nextCursor, keyset by creation order', async (t) => {
  // Earlier tests in this file made one 'government' organisation; it comes first, being older.
  const created: Organisation[] = [];
  for (let i = 0; i < 7; i++) {
    created.push((await admin.post('/api/v1/organisations', { name: `Paged ${i}`, kind: 'government', kvkNumber: null })).json<Organisation>());
  }
  const existing = (await organisationsWhere('kind=government')).filter((item) => !created.some((mine) => mine.id === item.id));
  const expected = [...existing.map((item) => item.id), ...created.map((item) => item.id)];

  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = `/api/v1/organisations?kind=government&limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await admin.get(url);
    t.equal(res.statusCode, 200);
    const page = res.json<Page>();
    t.ok(page.items.length <= 3, 'at most limit items');
    t.ok(page.items.every((item) => item.kind === 'government'), 'the filter holds on every page');
    pageSizes.push(page.items.length);
    seen.push(...page.items.map((item) => item.id));
    t.ok(page.nextCursor === null || typeof page.nextCursor === 'string');
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 20);
  t.equal(cursor, null, 'the last page has nextCursor null');
  t.same(seen, expected, 'every item exactly once, in creation order');
  t.equal(new Set(seen).size, seen.length, 'no duplicates');
  t.same(pageSizes.slice(0, -1).every((size) => size === 3), true, 'every page but the last is full');
  t.ok(pageSizes[pageSizes.length - 1]! > 0, 'the last page is not empty');

  // A page that ends exactly at the end of the list has no next page.
  const exact = await admin.get(`/api/v1/organisations?kind=government&limit=${expected.length}`);
  t.equal(exact.json<Page>().items.length, expected.length);
  t.equal(exact.json<Page>().nextCursor, null, 'no cursor when nothing follows');
  const oneShort = (await admin.get(`/api/v1/organisations?kind=government&limit=${expected.length - 1}`)).json<Page>();
  t.type(oneShort.nextCursor, 'string', 'a cursor when one item follows');
  const last = (await admin.get(`/api/v1/organisations?kind=government&limit=200&cursor=${encodeURIComponent(oneShort.nextCursor!)}`)).json<Page>();
  t.same(last.items.map((item) => item.id), [expected[expected.length - 1]]);
  t.equal(last.nextCursor, null);
});

t.test('answers 50 items by default', async (t) => {
  const existing = (await organisationsWhere('')).length;
  for (let i = existing; i < 52; i++) await createOrganisation(admin, { kind: 'other' });
  const res = await admin.get('/api/v1/organisations');
  t.equal(res.statusCode, 200);
  const page = res.json<Page>();
  t.equal(page.items.length, 50, 'the default limit is 50');
  t.type(page.nextCursor, 'string', 'with a next page');
});

t.test('setting or clearing centreMunicipality, or creating an organisation with it, needs the admin role', async (t) => {
  const { createKey } = await import('../../helpers/factories.js');
  const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
  problemOf(t, await secretariat.post('/api/v1/organisations', { name: `Gemeente ${randomUUID()}`, kind: 'municipality', centreMunicipality: true }), 403, 'FORBIDDEN');
  const plain = await secretariat.post('/api/v1/organisations', { name: `Gemeente ${randomUUID()}`, kind: 'municipality' });
  t.equal(plain.statusCode, 201, 'a secretariat registers a municipality that is no centre');
  const { id } = plain.json<Organisation>();
  problemOf(t, await secretariat.patch(`/api/v1/organisations/${id}`, { centreMunicipality: true }), 403, 'FORBIDDEN');
  t.equal((await secretariat.patch(`/api/v1/organisations/${id}`, { name: 'Gemeente Vaals', centreMunicipality: false })).statusCode, 200, 'leaving it as it is is allowed');
  t.equal((await admin.patch(`/api/v1/organisations/${id}`, { centreMunicipality: true })).statusCode, 200, 'an admin sets it');
  problemOf(t, await secretariat.patch(`/api/v1/organisations/${id}`, { centreMunicipality: false }), 403, 'FORBIDDEN');
  const events = (await admin.get(`/api/v1/audit-events?resourceId=${id}`)).json<{ items: { action: string }[] }>().items.map((e) => e.action);
  t.same(events, ['organisation.created', 'organisation.updated', 'organisation.updated'], 'the refused changes wrote nothing; the admin\'s change its event');
});
