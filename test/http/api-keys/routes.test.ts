import { createHash, randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { ADMIN_KEY, startTestApp, type Client } from '../../helpers/app.js';
import { problemOf } from '../../helpers/assertions.js';
import { createCentreMunicipality, createKey, createOrganisation, createProgramme } from '../../helpers/factories.js';

/** Authentication with API keys, the roles of the contract, and managing keys (admin only). */
// Load shedding (503 when the event loop lags) is not under test here; in-process PGlite and a
// busy machine can stall the loop past its threshold, so it is switched off for this file.
const env = { MAX_EVENT_LOOP_DELAY_MS: '0' };
const ctx = await startTestApp(t, { env });
const { admin } = ctx;

const ROLES = ['admin', 'secretariat', 'college', 'auditor', 'reader'] as const;
type Role = (typeof ROLES)[number];

interface ApiKeyJson {
  id: string;
  name: string;
  role: string;
  organisationId: string | null;
  key?: string;
  createdAt: string;
}

/** One key per role; the college key is bound to a fresh centre municipality. */
async function keysPerRole(): Promise<Record<Role, Client>> {
  const municipality = await createCentreMunicipality(admin, `Gemeente ${randomUUID().slice(0, 8)}`);
  const clients = {} as Record<Role, Client>;
  for (const role of ROLES) {
    const created = await createKey(admin, role, role === 'college' ? municipality.id : undefined);
    clients[role] = ctx.as(created.key);
  }
  return clients;
}

t.test('answers 401 problem+json without an Authorization header', async (t) => {
  const anonymous = ctx.as(undefined);
  problemOf(t, await anonymous.get('/api/v1/organisations'), 401, 'UNAUTHENTICATED');
  problemOf(t, await anonymous.get('/api/v1/api-keys'), 401, 'UNAUTHENTICATED');
  problemOf(t, await anonymous.post('/api/v1/programmes', { code: 'NOKEY', name: 'No key' }), 401, 'UNAUTHENTICATED');
  // Authentication comes before validation: an invalid body without a key is still a 401.
  problemOf(t, await anonymous.post('/api/v1/organisations', { bogus: true }), 401, 'UNAUTHENTICATED');
});

t.test('answers 401 for a malformed or unknown key', async (t) => {
  const cases: Record<string, string> = {
    'a Basic credential': `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`,
    'a bare key without the Bearer scheme': ADMIN_KEY,
    'an empty Bearer': 'Bearer ',
    'a key with a space in it': `Bearer ${ADMIN_KEY} extra`,
    'an unknown key': `Bearer eszl_${'A'.repeat(43)}`,
    'the admin key with one character changed': `Bearer ${ADMIN_KEY.slice(0, -1)}X`,
  };
  for (const [name, authorization] of Object.entries(cases)) {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/organisations', headers: { authorization } });
    t.equal(res.statusCode, 401, `${name}: 401`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${name}: problem+json`);
    t.equal(res.json<{ code: string }>().code, 'UNAUTHENTICATED', `${name}: code UNAUTHENTICATED`);
  }
});

t.test('lets the bootstrap admin key issue a key that is shown only once', async (t) => {
  const res = await admin.post('/api/v1/api-keys', { name: 'Portal secretariat', role: 'secretariat' });
  t.equal(res.statusCode, 201);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const created = res.json<ApiKeyJson>();
  t.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.equal(created.name, 'Portal secretariat');
  t.equal(created.role, 'secretariat');
  t.equal(created.organisationId, null);
  t.match(created.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  t.type(created.key, 'string');
  const key = created.key!;
  t.ok(key.length >= 32, 'the key has at least 32 characters');
  t.not(key, ADMIN_KEY);

  // The new key works at once.
  t.equal((await ctx.as(key).get('/api/v1/organisations')).statusCode, 200);

  // Lists never show a secret nor its hash.
  const listed = await admin.get('/api/v1/api-keys?limit=200');
  t.equal(listed.statusCode, 200);
  const page = listed.json<{ items: Record<string, unknown>[]; nextCursor: string | null }>();
  const mine = page.items.find((item) => item.id === created.id);
  t.ok(mine, 'the new key is listed');
  t.match(mine, { id: created.id, name: 'Portal secretariat', role: 'secretariat', organisationId: null, createdAt: created.createdAt });
  for (const item of page.items) {
    const secretFields = Object.keys(item).filter((field) => /key|hash|secret/i.test(field));
    t.same(secretFields, [], `key ${String(item.id)} shows no secret or hash field`);
  }
  t.notOk(listed.body.includes(key), 'the list does not contain the key');
  t.notOk(listed.body.includes(createHash('sha256').update(key).digest('hex')), 'the list does not contain the key hash');
  t.notOk(listed.body.includes(ADMIN_KEY), 'the list does not contain the admin key');
});

t.test('binds a college key to a centre municipality', async (t) => {
  const municipality = await createCentreMunicipality(admin, 'Gemeente Heerlen');
  const res = await admin.post('/api/v1/api-keys', { name: 'College Heerlen', role: 'college', organisationId: municipality.id });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { role: 'college', organisationId: municipality.id });
});

t.test('answers 400 for a college key without a centre municipality', async (t) => {
  const withoutOrganisation = problemOf(t, await admin.post('/api/v1/api-keys', { name: 'College', role: 'college' }), 400);
  t.ok(withoutOrganisation.errors?.some((error) => error.path === '/organisationId'), 'names /organisationId');

  const explicitNull = await admin.post('/api/v1/api-keys', { name: 'College', role: 'college', organisationId: null });
  problemOf(t, explicitNull, 400);

  const ordinaryMunicipality = await createOrganisation(admin, { kind: 'municipality', name: 'Gemeente Vaals' });
  const notCentre = await admin.post('/api/v1/api-keys', { name: 'College Vaals', role: 'college', organisationId: ordinaryMunicipality.id });
  t.ok(problemOf(t, notCentre, 400).errors?.some((error) => error.path === '/organisationId'), 'names /organisationId');

  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  problemOf(t, await admin.post('/api/v1/api-keys', { name: 'College?', role: 'college', organisationId: applicant.id }), 400);

  const unknown = await admin.post('/api/v1/api-keys', { name: 'College ghost', role: 'college', organisationId: randomUUID() });
  t.ok(problemOf(t, unknown, 400).errors?.some((error) => error.path === '/organisationId'), 'names /organisationId');

  const malformed = await admin.post('/api/v1/api-keys', { name: 'College', role: 'college', organisationId: 'heerlen' });
  problemOf(t, malformed, 400, 'VALIDATION_FAILED');
});

t.test('answers 400 for an organisationId on a key that is not a college key', async (t) => {
  const municipality = await createCentreMunicipality(admin, 'Gemeente Maastricht');
  for (const role of ['reader', 'secretariat', 'auditor', 'admin']) {
    const res = await admin.post('/api/v1/api-keys', { name: `${role} bound`, role, organisationId: municipality.id });
    const body = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(body.errors?.map((error) => error.path), ['/organisationId'], `${role}: names /organisationId`);
  }
});

t.test('answers 400 for an unknown role and for missing fields', async (t) => {
  const unknown = problemOf(t, await admin.post('/api/v1/api-keys', { name: 'Root', role: 'root' }), 400, 'VALIDATION_FAILED');
  t.same(unknown.errors?.map((error) => error.path), ['/role']);
  const empty = problemOf(t, await admin.post('/api/v1/api-keys', {}), 400, 'VALIDATION_FAILED');
  t.same(empty.errors?.map((error) => error.path).sort(), ['/name', '/role']);
  const extra = await admin.post('/api/v1/api-keys', { name: 'Mine', role: 'reader', key: 'my-own-chosen-key-0123456789abcdef' });
  t.same(problemOf(t, extra, 400, 'VALIDATION_FAILED').errors?.map((error) => error.path), ['/key']);
});

t.test('lets only admin keys manage API keys', async (t) => {
  const clients = await keysPerRole();
  const victim = await createKey(admin, 'reader');
  // The admin goes last: it really revokes the victim key.
  for (const role of ['secretariat', 'college', 'auditor', 'reader', 'admin'] as const) {
    const client = clients[role];
    const list = await client.get('/api/v1/api-keys');
    const create = await client.post('/api/v1/api-keys', { name: `made by ${role}`, role: 'reader' });
    const revoke = await client.delete(`/api/v1/api-keys/${victim.id}`);
    if (role === 'admin') {
      t.equal(list.statusCode, 200, 'admin may list keys');
      t.equal(create.statusCode, 201, 'admin may create keys');
      t.equal(revoke.statusCode, 204, 'admin may revoke keys');
    } else {
      problemOf(t, list, 403, 'FORBIDDEN');
      problemOf(t, create, 403, 'FORBIDDEN');
      problemOf(t, revoke, 403, 'FORBIDDEN');
      t.equal((await ctx.as(victim.key).get('/api/v1/organisations')).statusCode, 200, `${role} did not revoke the key`);
    }
  }
  t.equal((await ctx.as(victim.key).get('/api/v1/organisations')).statusCode, 401, 'the admin did revoke it');
});

t.test('lets admin and secretariat keys change organisations and programmes, and no other role', async (t) => {
  const clients = await keysPerRole();
  for (const role of ROLES) {
    const client = clients[role];
    const organisation = await createOrganisation(admin, { kind: 'employer' });
    const programme = await createProgramme(admin);
    const createOrg = await client.post('/api/v1/organisations', { name: `Made by ${role}`, kind: 'other' });
    const patchOrg = await client.patch(`/api/v1/organisations/${organisation.id}`, { name: `Renamed by ${role}` });
    const code = `R-${role.toUpperCase()}-${randomUUID().slice(0, 6).toUpperCase()}`;
    const createProg = await client.post('/api/v1/programmes', { code, name: `Made by ${role}` });
    const patchProg = await client.patch(`/api/v1/programmes/${programme.id}`, { name: `Renamed by ${role}` });
    if (role === 'admin' || role === 'secretariat') {
      t.equal(createOrg.statusCode, 201, `${role} may create an organisation`);
      t.equal(patchOrg.statusCode, 200, `${role} may change an organisation`);
      t.equal(createProg.statusCode, 201, `${role} may create a programme`);
      t.equal(patchProg.statusCode, 200, `${role} may change a programme`);
    } else {
      problemOf(t, createOrg, 403, 'FORBIDDEN');
      problemOf(t, patchOrg, 403, 'FORBIDDEN');
      problemOf(t, createProg, 403, 'FORBIDDEN');
      problemOf(t, patchProg, 403, 'FORBIDDEN');
      const unchanged = await admin.get(`/api/v1/organisations/${organisation.id}`);
      t.equal(unchanged.json<{ name: string }>().name, organisation.name, `${role} changed nothing`);
    }
  }
});

t.test('lets every role read organisations and programmes', async (t) => {
  const clients = await keysPerRole();
  const organisation = await createOrganisation(admin);
  const programme = await createProgramme(admin);
  for (const role of ROLES) {
    const client = clients[role];
    for (const url of [
      '/api/v1/organisations',
      `/api/v1/organisations/${organisation.id}`,
      '/api/v1/programmes',
      `/api/v1/programmes/${programme.id}`,
    ]) {
      t.equal((await client.get(url)).statusCode, 200, `${role} may GET ${url}`);
    }
  }
});

t.test('lets every key read itself at /api-keys/current, never its secret', async (t) => {
  const municipality = await createCentreMunicipality(admin, `Gemeente ${randomUUID().slice(0, 8)}`);
  for (const role of ROLES) {
    const created = await createKey(admin, role, role === 'college' ? municipality.id : undefined);
    const res = await ctx.as(created.key).get('/api/v1/api-keys/current');
    t.equal(res.statusCode, 200, `${role} may read itself`);
    const listed = (await admin.get('/api/v1/api-keys?limit=200')).json<{ items: ApiKeyJson[] }>().items.find((key) => key.id === created.id);
    t.same(res.json(), listed, `${role}: the same resource as in the list`);
    t.equal(res.json<ApiKeyJson>().organisationId, role === 'college' ? municipality.id : null);
    t.notOk('key' in res.json<ApiKeyJson>(), 'no secret');
  }
  problemOf(t, await ctx.as(undefined).get('/api/v1/api-keys/current'), 401, 'UNAUTHENTICATED');
  const revoked = await createKey(admin, 'reader');
  t.equal((await ctx.as(revoked.key).get('/api/v1/api-keys/current')).statusCode, 200);
  t.equal((await admin.delete(`/api/v1/api-keys/${revoked.id}`)).statusCode, 204);
  problemOf(t, await ctx.as(revoked.key).get('/api/v1/api-keys/current'), 401, 'UNAUTHENTICATED');
});

t.test('revokes a key with 204; it stops working at once', async (t) => {
  const created = await createKey(admin, 'secretariat');
  const client = ctx.as(created.key);
  t.equal((await client.get('/api/v1/organisations')).statusCode, 200, 'works before');

  const revoke = await admin.delete(`/api/v1/api-keys/${created.id}`);
  t.equal(revoke.statusCode, 204);
  t.equal(revoke.body, '');

  problemOf(t, await client.get('/api/v1/organisations'), 401, 'UNAUTHENTICATED');
  problemOf(t, await client.post('/api/v1/organisations', { name: 'After revoke', kind: 'other' }), 401, 'UNAUTHENTICATED');

  const again = await admin.delete(`/api/v1/api-keys/${created.id}`);
  t.equal(again.statusCode, 204, 'revoking again is 204');
  problemOf(t, await client.get('/api/v1/organisations'), 401, 'UNAUTHENTICATED');

  const listed = await admin.get('/api/v1/api-keys?limit=200');
  const item = listed.json<{ items: { id: string; revokedAt?: string | null }[] }>().items.find((key) => key.id === created.id);
  t.ok(item, 'a revoked key is still listed');
});

t.test('lets a revoked admin key do nothing more', async (t) => {
  const created = await createKey(admin, 'admin');
  const client = ctx.as(created.key);
  t.equal((await client.delete(`/api/v1/api-keys/${created.id}`)).statusCode, 204, 'an admin key may revoke itself');
  problemOf(t, await client.get('/api/v1/api-keys'), 401, 'UNAUTHENTICATED');
  problemOf(t, await client.post('/api/v1/api-keys', { name: 'Comeback', role: 'admin' }), 401, 'UNAUTHENTICATED');
});

t.test('answers 404 for revoking an unknown key and 400 for a non-uuid id', async (t) => {
  problemOf(t, await admin.delete(`/api/v1/api-keys/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
  const body = problemOf(t, await admin.delete('/api/v1/api-keys/not-a-uuid'), 400, 'VALIDATION_FAILED');
  t.same(body.errors?.map((error) => error.path), ['path.id']);
});

t.test('pages through API keys with a cursor', async (t) => {
  for (let i = 0; i < 3; i++) await createKey(admin, 'reader');
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await admin.get(`/api/v1/api-keys?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    t.equal(res.statusCode, 200);
    const page = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  t.equal(new Set(seen).size, seen.length, 'no key twice');
  const all = (await admin.get('/api/v1/api-keys?limit=200')).json<{ items: { id: string }[] }>().items.map((item) => item.id);
  t.same(seen, all, 'pages add up to the full list in the same order');
});

/** Names of the tables (in schema public) in which some row, as text, contains `needle`. */
async function tablesContaining(needle: string): Promise<string[]> {
  const { db } = ctx.db.database;
  const tables = (await db.execute(
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  )) as unknown as { rows: { name: string }[] };
  const found: string[] = [];
  for (const { name } of tables.rows) {
    const identifier = `"${name.replaceAll('"', '""')}"`;
    const result = (await db.execute(
      sql`SELECT count(*)::int AS n FROM ${sql.raw(identifier)} AS t WHERE strpos(t::text, ${needle}) > 0`,
    )) as unknown as { rows: { n: number }[] };
    if (Number(result.rows[0]?.n) > 0) found.push(name);
  }
  return found;
}

t.test('stores keys only as hashes', async (t) => {
  const plain = await createKey(admin, 'auditor');
  const replayable = await admin.post('/api/v1/api-keys', { name: 'Idempotent key', role: 'reader' }, { 'idempotency-key': `k-${randomUUID()}` });
  t.equal(replayable.statusCode, 201);
  for (const [name, secret] of [
    ['a created key', plain.key],
    ['a key created with an Idempotency-Key', replayable.json<ApiKeyJson>().key!],
    ['ADMIN_API_KEY', ADMIN_KEY],
  ] as const) {
    t.same(await tablesContaining(secret), [], `no table holds ${name} in plain text`);
  }
  // The scan itself works: the key's id is stored in plain text.
  t.ok((await tablesContaining(plain.id)).length > 0, 'the scan finds what is stored');
});

t.test('never shows a key again, not even to a retry with the same Idempotency-Key', async (t) => {
  const idempotencyKey = `retry-${randomUUID()}`;
  const body = { name: 'Retried key', role: 'reader' };
  const first = await admin.post('/api/v1/api-keys', body, { 'idempotency-key': idempotencyKey });
  t.equal(first.statusCode, 201);
  const key = first.json<ApiKeyJson>().key!;
  t.type(key, 'string');
  const retry = await admin.post('/api/v1/api-keys', body, { 'idempotency-key': idempotencyKey });
  t.not(retry.statusCode, 201, `the retry does not create or show a key again (${retry.statusCode})`);
  t.ok(retry.statusCode >= 400 && retry.statusCode < 500, 'the retry is refused');
  t.match(String(retry.headers['content-type']), /^application\/problem\+json/);
  t.notOk(retry.body.includes(key), 'the retry does not contain the key');
  const listed = (await admin.get('/api/v1/api-keys?limit=200')).json<{ items: { name: string }[] }>();
  t.equal(listed.items.filter((item) => item.name === 'Retried key').length, 1, 'one key was created');
});

t.test('never writes a key to the log, only [redacted]', async (t) => {
  const secretariat = await createKey(admin, 'secretariat');
  const reader = await createKey(admin, 'reader');
  const unknownKey = `eszl_${'Z'.repeat(43)}`;
  await ctx.as(secretariat.key).post('/api/v1/organisations', { name: 'Logged BV', kind: 'employer' });
  await ctx.as(reader.key).get('/api/v1/organisations');
  await ctx.as(reader.key).post('/api/v1/organisations', { name: 'Forbidden BV', kind: 'employer' });
  await ctx.as(unknownKey).get('/api/v1/programmes');
  await admin.get('/api/v1/api-keys');
  await admin.delete(`/api/v1/api-keys/${reader.id}`);
  await ctx.as(reader.key).get('/api/v1/organisations');

  const lines = ctx.logLines;
  t.ok(lines.length > 0, 'the app logs');
  for (const [name, secret] of [
    ['ADMIN_API_KEY', ADMIN_KEY],
    ['the secretariat key', secretariat.key],
    ['the reader key', reader.key],
    ['an unknown key', unknownKey],
  ] as const) {
    const leaking = lines.filter((line) => line.includes(secret));
    t.same(leaking, [], `no log line contains ${name}`);
  }
  t.ok(
    lines.some((line) => line.includes('[redacted]')),
    'the authorization header is logged as [redacted]',
  );
  const withAuthorization = lines.filter((line) => /"authorization"/i.test(line));
  t.ok(withAuthorization.length > 0, 'request logs carry the headers');
  for (const line of withAuthorization) t.match(line, /"authorization":"\[redacted\]"/);
});
