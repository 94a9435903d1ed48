import t from 'tap';
import { ADMIN_KEY, startTestApp } from '../helpers/app.js';
import { problemOf } from '../helpers/assertions.js';
import { createKey, createProgramme } from '../helpers/factories.js';

/**
 * Limits: the per-API-key request rate (RATE_LIMIT_PER_MINUTE, 429 with Retry-After; 0 switches
 * it off) and bounded input (string lengths, page size, array sizes, body size).
 *
 * Two app instances share one database: `limited` allows 5 requests per key and minute, and
 * `unlimited` (RATE_LIMIT_PER_MINUTE=0) does the set-up and the input checks. Rate counters are
 * per instance, so requests to `unlimited` never count against the budget in `limited`.
 */
const unlimited = await startTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '0' } });
const limited = await startTestApp(t, { env: { RATE_LIMIT_PER_MINUTE: '5' }, database: unlimited.db });
const { admin } = unlimited;
const secretariatKey = (await createKey(admin, 'secretariat')).key;
const readerKey = (await createKey(admin, 'reader')).key;
const programme = await createProgramme(admin);

const MiB = 1024 * 1024;

t.test('the 6th request of one API key within a minute answers 429 with Retry-After', async (t) => {
  const secretariat = limited.as(secretariatKey);
  for (let i = 1; i <= 5; i++) {
    const res = await secretariat.get('/api/v1/organisations');
    t.equal(res.statusCode, 200, `request ${i} of 5 is served`);
  }
  const sixth = await secretariat.get('/api/v1/organisations');
  problemOf(t, sixth, 429, 'RATE_LIMITED');
  const retryAfter = sixth.headers['retry-after'];
  t.type(retryAfter, 'string', 'a Retry-After header is present');
  t.match(String(retryAfter), /^\d+$/, 'Retry-After is a number of seconds');
  t.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After is within the minute (${String(retryAfter)})`);
  t.equal(sixth.headers['api-version'], '1.0.0', 'the 429 still carries API-Version');
  t.type(sixth.headers['x-request-id'], 'string', 'and X-Request-Id');

  const seventh = await secretariat.post('/api/v1/organisations', { name: 'Stichting Te Veel', kind: 'applicant' });
  problemOf(t, seventh, 429, 'RATE_LIMITED');
  const listed = await admin.get('/api/v1/organisations?limit=200');
  t.notOk(
    listed.json<{ items: { name: string }[] }>().items.some((o) => o.name === 'Stichting Te Veel'),
    'a rate-limited POST creates nothing',
  );
});

t.test('another API key has its own budget', async (t) => {
  const reader = limited.as(readerKey);
  for (let i = 1; i <= 5; i++) {
    const res = await reader.get('/api/v1/programmes');
    t.equal(res.statusCode, 200, `request ${i} of 5 of the other key is served`);
  }
  problemOf(t, await reader.get('/api/v1/programmes'), 429, 'RATE_LIMITED');
  // The admin key has not been used on this instance yet: untouched by the other keys' exhaustion.
  const adminOnLimited = limited.as(ADMIN_KEY);
  t.equal((await adminOnLimited.get('/api/v1/organisations')).statusCode, 200, 'a third key is still served');
});

t.test('RATE_LIMIT_PER_MINUTE=0 switches the limit off', async (t) => {
  const secretariat = unlimited.as(secretariatKey);
  const responses = await Promise.all(Array.from({ length: 50 }, () => secretariat.get('/api/v1/organisations')));
  const statuses = responses.map((res) => res.statusCode);
  t.same([...new Set(statuses)], [200], `all 50 requests answer 200 (got ${JSON.stringify(statuses.filter((s) => s !== 200))})`);
  for (let i = 0; i < 10; i++) {
    t.equal((await secretariat.get('/api/v1/programmes')).statusCode, 200, `sequential request ${i + 1} is served`);
  }
});

t.test('a string longer than its maxLength answers 400', async (t) => {
  const tooLong = await admin.post('/api/v1/organisations', { name: 'x'.repeat(201), kind: 'applicant' });
  const body = problemOf(t, tooLong, 400, 'VALIDATION_FAILED');
  t.same(body.errors?.map((e) => e.path), ['/name'], 'the error points at /name');
  const longest = await admin.post('/api/v1/organisations', { name: 'x'.repeat(200), kind: 'applicant' });
  t.equal(longest.statusCode, 201, '200 characters are accepted');
});

t.test('limit above 200 answers 400; 200 is accepted', async (t) => {
  const tooMany = await admin.get('/api/v1/organisations?limit=201');
  const body = problemOf(t, tooMany, 400, 'VALIDATION_FAILED');
  t.same(body.errors?.map((e) => e.path), ['query.limit']);
  problemOf(t, await admin.get('/api/v1/decisions?limit=201'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/organisations?limit=0'), 400, 'VALIDATION_FAILED');
  t.equal((await admin.get('/api/v1/organisations?limit=200')).statusCode, 200, 'limit=200 is accepted');
});

t.test('a commitments array of 101 items answers 400; 100 are accepted', async (t) => {
  const commitments = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ programmeId: programme.id, year: 2000 + i, amountCents: 100_000 }));
  const tooMany = await admin.post('/api/v1/decisions', {
    reference: 'PB-LIMITS-101',
    title: 'Te veel toezeggingen',
    boardMeetingDate: '2026-02-10',
    commitments: commitments(101),
  });
  const body = problemOf(t, tooMany, 400, 'VALIDATION_FAILED');
  t.ok(body.errors?.some((e) => e.path === '/commitments'), 'the error points at /commitments');
  const decisions = await admin.get('/api/v1/decisions?limit=200');
  t.notOk(
    decisions.json<{ items: { reference: string }[] }>().items.some((d) => d.reference === 'PB-LIMITS-101'),
    'nothing was created',
  );
  const hundred = await admin.post('/api/v1/decisions', {
    reference: 'PB-LIMITS-100',
    title: 'Honderd toezeggingen',
    boardMeetingDate: '2026-02-10',
    commitments: commitments(100),
  });
  t.equal(hundred.statusCode, 201, `100 commitments are accepted (body: ${hundred.body.slice(0, 200)})`);
  t.equal(hundred.json<{ commitments: unknown[] }>().commitments.length, 100);
});

t.test('a body over 1 MiB answers 413', async (t) => {
  const huge = JSON.stringify({ name: 'x'.repeat(2 * MiB), kind: 'applicant' });
  t.ok(huge.length > 2 * MiB, 'the body is over 2 MiB');
  const res = await unlimited.app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: huge,
  });
  problemOf(t, res, 413, 'PAYLOAD_TOO_LARGE');
  t.equal(res.headers['api-version'], '1.0.0');

  const justOver = JSON.stringify({ name: 'x'.repeat(MiB), kind: 'applicant' });
  t.ok(justOver.length > MiB && justOver.length < MiB + 64, 'just over 1 MiB');
  const over = await unlimited.app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: justOver,
  });
  problemOf(t, over, 413, 'PAYLOAD_TOO_LARGE');

  const patch = await unlimited.app.inject({
    method: 'PATCH',
    url: `/api/v1/programmes/${programme.id}`,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ description: 'x'.repeat(2 * MiB) }),
  });
  problemOf(t, patch, 413, 'PAYLOAD_TOO_LARGE');
});
