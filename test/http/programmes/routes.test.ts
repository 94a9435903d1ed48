import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import type { Programme } from '../../../src/use-cases/programmes.js';
import { startTestApp } from '../../helpers/app.js';
import { problemOf, RFC3339_UTC, UUID } from '../../helpers/assertions.js';
import { createOrganisation, createProgramme, listAll } from '../../helpers/factories.js';

/** Programmes that ESZL funds: a unique code, a name, an optional owner organisation. */
// Load shedding (503 when the event loop lags) is not under test here; in-process PGlite and a
// busy machine can stall the loop past its threshold, so it is switched off for this file.
const env = { MAX_EVENT_LOOP_DELAY_MS: '0' };
const ctx = await startTestApp(t, { env });
const { admin } = ctx;

interface Page {
  items: Programme[];
  nextCursor: string | null;
}

/** A code no other test in this file uses. */
const uniqueCode = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;

function allProgrammes(): Promise<Programme[]> {
  return listAll<Programme>(admin, '/api/v1/programmes');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('creates a programme with every contract field', async (t) => {
  const owner = await createOrganisation(admin, { kind: 'foundation', name: 'Stichting ESZL' });
  const code = uniqueCode('WTMR');
  const res = await admin.post('/api/v1/programmes', {
    code,
    name: 'Welcome to Maastricht Region',
    description: 'Attracting and keeping international talent',
    ownerOrganisationId: owner.id,
  });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const programme = res.json<Programme>();
  for (const field of ['id', 'code', 'name', 'description', 'ownerOrganisationId', 'createdAt', 'updatedAt']) {
    t.ok(field in programme, `has ${field}`);
  }
  t.match(programme.id, UUID);
  t.equal(programme.code, code);
  t.equal(programme.name, 'Welcome to Maastricht Region');
  t.equal(programme.description, 'Attracting and keeping international talent');
  t.equal(programme.ownerOrganisationId, owner.id);
  t.match(programme.createdAt, RFC3339_UTC);
  t.match(programme.updatedAt, RFC3339_UTC);
});

t.test('defaults description and ownerOrganisationId to null', async (t) => {
  const code = uniqueCode('AMKB');
  const res = await admin.post('/api/v1/programmes', { code, name: 'Ambitieus MKB' });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { code, name: 'Ambitieus MKB', description: null, ownerOrganisationId: null });
});

t.test('gets a programme by id, and lists it', async (t) => {
  const created = (await admin.post('/api/v1/programmes', { code: uniqueCode('GET'), name: 'Readable' })).json<Programme>();
  const res = await admin.get(`/api/v1/programmes/${created.id}`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), created);

  const list = await admin.get('/api/v1/programmes');
  t.equal(list.statusCode, 200);
  const page = list.json<Page>();
  t.same(Object.keys(page).sort(), ['items', 'nextCursor']);
  t.same(page.items.find((item) => item.id === created.id), created, 'listed as it is');
});

t.test('answers 404 for an unknown programme and 400 for a non-uuid id', async (t) => {
  problemOf(t, await admin.get(`/api/v1/programmes/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.patch(`/api/v1/programmes/${randomUUID()}`, { name: 'Ghost' }), 404, 'RESOURCE_NOT_FOUND');
  t.same(problemOf(t, await admin.get('/api/v1/programmes/WTMR'), 400, 'VALIDATION_FAILED').paths, ['path.id']);
});

t.test('changes fields and updatedAt with PATCH', async (t) => {
  const owner = await createOrganisation(admin, { kind: 'applicant' });
  const before = (await admin.post('/api/v1/programmes', { code: uniqueCode('OLD'), name: 'Old name', description: 'Old' })).json<Programme>();
  await sleep(20);
  const newCode = uniqueCode('NEW');
  const res = await admin.patch(`/api/v1/programmes/${before.id}`, {
    code: newCode,
    name: 'New name',
    description: null,
    ownerOrganisationId: owner.id,
  });
  t.equal(res.statusCode, 200);
  const after = res.json<Programme>();
  t.match(after, { id: before.id, code: newCode, name: 'New name', description: null, ownerOrganisationId: owner.id });
  t.equal(after.createdAt, before.createdAt, 'createdAt does not change');
  t.ok(Date.parse(after.updatedAt) > Date.parse(before.updatedAt), 'updatedAt moves forward');
  t.same((await admin.get(`/api/v1/programmes/${before.id}`)).json(), after, 'GET shows the change');

  const renamed = await admin.patch(`/api/v1/programmes/${before.id}`, { name: 'Only the name' });
  t.equal(renamed.statusCode, 200);
  t.match(renamed.json(), { code: newCode, name: 'Only the name', ownerOrganisationId: owner.id }, 'other fields stay');

  const sameCode = await admin.patch(`/api/v1/programmes/${before.id}`, { code: newCode });
  t.equal(sameCode.statusCode, 200, 'keeping its own code is not a duplicate');
});

t.test('answers 400 for an empty PATCH and for unknown fields', async (t) => {
  const programme = await createProgramme(admin);
  problemOf(t, await admin.patch(`/api/v1/programmes/${programme.id}`, {}), 400, 'VALIDATION_FAILED');
  t.same(problemOf(t, await admin.patch(`/api/v1/programmes/${programme.id}`, { budget: 5 }), 400, 'VALIDATION_FAILED').paths, ['/budget']);
});

t.test('lists every problem of an invalid programme at once', async (t) => {
  const body = problemOf(t, await admin.post('/api/v1/programmes', { description: 7, colour: 'red' }), 400, 'VALIDATION_FAILED');
  t.same(body.paths.sort(), ['/code', '/colour', '/description', '/name']);
});

t.test('accepts only codes matching ^[A-Z0-9][A-Z0-9-]{0,31}$', async (t) => {
  const suffix = randomBytes(2).toString('hex').toUpperCase();
  const valid = [`9${suffix}`, `X${suffix}-`, `C-${suffix}-${'9'.repeat(32 - 3 - suffix.length - 1)}`];
  for (const code of valid) {
    t.equal(code.length <= 32, true);
    const res = await admin.post('/api/v1/programmes', { code, name: 'Valid code' });
    t.equal(res.statusCode, 201, `${code} (${code.length} characters) is a code`);
  }
  const thirtyTwo = `T${suffix}`.padEnd(32, 'Z');
  t.equal((await admin.post('/api/v1/programmes', { code: thirtyTwo, name: '32 characters' })).statusCode, 201, '32 characters');

  for (const code of ['wtmr', 'Wtmr', `S${suffix}`.padEnd(33, 'Z'), '-WTMR', 'WT_MR', 'WT MR', '', 'WTMR\n', 'ÄMKB']) {
    const body = problemOf(t, await admin.post('/api/v1/programmes', { code, name: 'Bad code' }), 400, 'VALIDATION_FAILED');
    t.same(body.paths, ['/code'], `${JSON.stringify(code)} is refused`);
  }
  const programme = await createProgramme(admin);
  t.same(problemOf(t, await admin.patch(`/api/v1/programmes/${programme.id}`, { code: 'lower' }), 400, 'VALIDATION_FAILED').paths, ['/code']);
});

t.test('answers 409 PROGRAMME_CODE_TAKEN for a duplicate code', async (t) => {
  const code = uniqueCode('DUP');
  const first = await createProgramme(admin, { code });
  const duplicate = problemOf(t, await admin.post('/api/v1/programmes', { code, name: 'Second' }), 409, 'PROGRAMME_CODE_TAKEN');
  t.notMatch(duplicate.detail, /programmes_code_key|duplicate key|23505/i, 'no SQL detail');

  const other = await createProgramme(admin);
  problemOf(t, await admin.patch(`/api/v1/programmes/${other.id}`, { code }), 409, 'PROGRAMME_CODE_TAKEN');
  t.equal((await admin.get(`/api/v1/programmes/${other.id}`)).json<Programme>().code, other.code, 'the other keeps its code');
  t.equal((await allProgrammes()).filter((item) => item.code === code).length, 1, 'one programme has the code');
  t.equal((await admin.get(`/api/v1/programmes/${first.id}`)).json<Programme>().code, code);
});

t.test('creates one programme out of 20 concurrent creates with one code', async (t) => {
  const code = uniqueCode('RACE');
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => admin.post('/api/v1/programmes', { code, name: `Racer ${i}` })),
  );
  const statuses = responses.map((res) => res.statusCode);
  t.equal(statuses.filter((status) => status === 201).length, 1, 'exactly one 201');
  t.equal(statuses.filter((status) => status === 409).length, 19, 'nineteen 409');
  t.equal(statuses.filter((status) => status >= 500).length, 0, 'no 5xx');
  for (const res of responses.filter((r) => r.statusCode === 409)) {
    t.equal(res.json<{ code: string }>().code, 'PROGRAMME_CODE_TAKEN');
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  t.equal((await allProgrammes()).filter((item) => item.code === code).length, 1, 'one programme has the code');
});

t.test('lets one of 10 concurrent PATCHes take a free code', async (t) => {
  const programmes = [];
  for (let i = 0; i < 10; i++) programmes.push(await createProgramme(admin));
  const code = uniqueCode('TAKE');
  const responses = await Promise.all(programmes.map((p) => admin.patch(`/api/v1/programmes/${p.id}`, { code })));
  const statuses = responses.map((res) => res.statusCode);
  t.equal(statuses.filter((status) => status === 200).length, 1, 'exactly one 200');
  t.equal(statuses.filter((status) => status === 409).length, 9, 'nine 409');
  t.equal(statuses.filter((status) => status >= 500).length, 0, 'no 5xx');
});

t.test('answers 400 REFERENCED_RESOURCE_NOT_FOUND for an unknown owner organisation', async (t) => {
  const ghost = randomUUID();
  const body = problemOf(
    t,
    await admin.post('/api/v1/programmes', { code: uniqueCode('GHOST'), name: 'Ghost owner', ownerOrganisationId: ghost }),
    400,
    'REFERENCED_RESOURCE_NOT_FOUND',
  );
  t.same(body.paths, ['/ownerOrganisationId']);

  const programme = await createProgramme(admin);
  const patched = problemOf(t, await admin.patch(`/api/v1/programmes/${programme.id}`, { ownerOrganisationId: ghost }), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(patched.paths, ['/ownerOrganisationId']);

  const malformed = problemOf(t, await admin.post('/api/v1/programmes', { code: uniqueCode('BAD'), name: 'Bad owner', ownerOrganisationId: 'eszl' }), 400, 'VALIDATION_FAILED');
  t.same(malformed.paths, ['/ownerOrganisationId']);
});

t.test('pages through programmes with limit and nextCursor in creation order', async (t) => {
  const existing = (await allProgrammes()).map((item) => item.id);
  const mine: string[] = [];
  for (let i = 0; i < 7; i++) mine.push((await createProgramme(admin, { name: `Paged ${i}` })).id);
  const expected = [...existing, ...mine];

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await admin.get(`/api/v1/programmes?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    t.equal(res.statusCode, 200);
    const page = res.json<Page>();
    t.ok(page.items.length <= 3, 'at most limit items');
    seen.push(...page.items.map((item) => item.id));
    if (page.nextCursor !== null) t.equal(page.items.length, 3, 'a page with a next page is full');
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 200);
  t.equal(cursor, null, 'the last page has nextCursor null');
  t.same(seen, expected, 'every programme exactly once, in creation order');
  t.same(seen.slice(-7), mine, 'mine last, in the order created');
  t.equal(new Set(seen).size, seen.length, 'no duplicates');

  const first = (await admin.get('/api/v1/programmes?limit=3')).json<Page>();
  problemOf(t, await admin.get(`/api/v1/programmes?limit=3&cursor=${first.nextCursor!.slice(0, -2)}`), 400, 'VALIDATION_FAILED');
});
