import t, { type Test as TapTest } from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { LightMyRequestResponse } from 'fastify';
import { ADMIN_KEY, startTestApp } from '../../helpers/app.js';
import { errorPaths, problemOf } from '../../helpers/assertions.js';
import { createTestDatabase } from '../../helpers/database.js';

/** The conventions of the public contract: paths, errors, lists, headers, OpenAPI, health. */
// Load shedding (503 when the event loop lags) is not under test here; in-process PGlite and a
// busy machine can stall the loop past its threshold, so it is switched off for this file.
const env = { MAX_EVENT_LOOP_DELAY_MS: '0' };
const ctx = await startTestApp(t, { env });
const { admin, app } = ctx;

/** Lines of a JavaScript stack trace, e.g. "    at Object.<anonymous> (/src/app.ts:1:1)". */
const STACK_LINE = /\bat [^\s]+ \(|\n\s+at |\.ts:\d+:\d+|\.js:\d+:\d+/;
const SQL_TEXT = /\b(select|insert|update|delete)\b.+\b(from|into|set)\b|sqlstate|violates/i;

t.test('serves the API under the base path /api/v1 only', async (t) => {
  const res = await admin.get('/api/v1/organisations');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.same(Object.keys(res.json()).sort(), ['items', 'nextCursor']);

  problemOf(t, await admin.get('/organisations'), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await admin.get('/api/v2/organisations'), 404, 'ROUTE_NOT_FOUND');
});

t.test('answers 404 problem+json with code ROUTE_NOT_FOUND for an unknown path', async (t) => {
  problemOf(t, await admin.get('/api/v1/no-such-resource'), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await ctx.as(undefined).get('/no/such/path'), 404, 'ROUTE_NOT_FOUND');
});

t.test('answers 404 for a trailing slash', async (t) => {
  problemOf(t, await admin.get('/api/v1/organisations/'), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await admin.post('/api/v1/organisations/', { name: 'Slash', kind: 'other' }), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await admin.get('/api/v1/programmes/'), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await admin.get('/api/v1/api-keys/'), 404, 'ROUTE_NOT_FOUND');
  problemOf(t, await admin.delete('/api/v1/api-keys/'), 404, 'ROUTE_NOT_FOUND');
});

t.test('lists every problem of an invalid body at once and rejects unknown properties', async (t) => {
  const res = await admin.post('/api/v1/organisations', { name: 'x'.repeat(201), kind: 'castle', extra: true });
  const body = problemOf(t, res, 400, 'VALIDATION_FAILED');
  const found = errorPaths(body);
  t.ok(found.includes('/extra'), `errors name /extra (got ${found.join(', ')})`);
  t.ok(found.includes('/name'), `errors name /name (got ${found.join(', ')})`);
  t.ok(found.includes('/kind'), `errors name /kind (got ${found.join(', ')})`);
  for (const error of body.errors ?? []) t.type(error.message, 'string', `message for ${error.path}`);

  const list = await admin.get('/api/v1/organisations?limit=200');
  const names = list.json<{ items: { name: string }[] }>().items.map((item) => item.name);
  t.notOk(names.includes('x'.repeat(201)), 'nothing was created');
});

t.test('rejects an unknown property on its own instead of stripping it', async (t) => {
  const body = problemOf(t, await admin.post('/api/v1/organisations', { name: 'Stripped?', kind: 'other', colour: 'red' }), 400, 'VALIDATION_FAILED');
  t.same(errorPaths(body), ['/colour']);
});

t.test('does not coerce JSON types in bodies', async (t) => {
  const body = problemOf(t, await admin.post('/api/v1/organisations', { name: 5, kind: 'other' }), 400, 'VALIDATION_FAILED');
  t.same(errorPaths(body), ['/name']);
  const boolAsString = problemOf(
    t,
    await admin.post('/api/v1/organisations', { name: 'Gemeente', kind: 'municipality', centreMunicipality: 'true' }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(errorPaths(boolAsString), ['/centreMunicipality']);
});

t.test('reads numbers from the query string (?limit=10)', async (t) => {
  const res = await admin.get('/api/v1/organisations?limit=10');
  t.equal(res.statusCode, 200);
  t.same(Object.keys(res.json()).sort(), ['items', 'nextCursor']);
});

t.test('answers 400 for a limit outside 1..200 with path query.limit', async (t) => {
  for (const limit of ['0', '201', '-1', 'ten', '1.5']) {
    const body = problemOf(t, await admin.get(`/api/v1/organisations?limit=${limit}`), 400, 'VALIDATION_FAILED');
    t.ok(errorPaths(body).includes('query.limit'), `limit=${limit} names query.limit (got ${errorPaths(body).join(', ')})`);
  }
  t.equal((await admin.get('/api/v1/organisations?limit=1')).statusCode, 200, 'limit=1 is allowed');
  t.equal((await admin.get('/api/v1/organisations?limit=200')).statusCode, 200, 'limit=200 is allowed');
});

t.test('answers 400 for an unknown query parameter', async (t) => {
  const body = problemOf(t, await admin.get('/api/v1/organisations?colour=red'), 400, 'VALIDATION_FAILED');
  t.same(errorPaths(body), ['query.colour']);
  problemOf(t, await admin.get('/api/v1/programmes?kind=municipality'), 400, 'VALIDATION_FAILED');
});

t.test('answers 400 problem+json for malformed JSON', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload: '{"name": "Half", "kind":',
  });
  const body = problemOf(t, res, 400, 'VALIDATION_FAILED');
  t.notMatch(body.detail, STACK_LINE, 'detail has no stack trace');
});

t.test('answers 415 problem+json for a body that is not JSON', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
    payload: 'name=Plain&kind=other',
  });
  problemOf(t, res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=Form&kind=other',
  });
  problemOf(t, form, 415, 'UNSUPPORTED_MEDIA_TYPE');
});

t.test('answers 413 problem+json with code PAYLOAD_TOO_LARGE for a body over 1 MiB', async (t) => {
  const payload = JSON.stringify({ name: 'Big', kind: 'other', padding: 'x'.repeat(1024 * 1024 + 16) });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload,
  });
  problemOf(t, res, 413, 'PAYLOAD_TOO_LARGE');
});

t.test('accepts a body just under 1 MiB up to validation', async (t) => {
  // A 1,000,000-byte body is within the limit: it reaches validation (400), it is not a 413.
  const payload = JSON.stringify({ name: 'Big', kind: 'other', padding: 'x'.repeat(999_950) });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    payload,
  });
  const body = problemOf(t, res, 400, 'VALIDATION_FAILED');
  t.same(errorPaths(body), ['/padding']);
});

t.test('answers 400 for a cursor the API did not issue', async (t) => {
  for (const cursor of ['not-a-cursor', Buffer.from('["yesterday","nope"]').toString('base64url'), 'W10']) {
    const body = problemOf(t, await admin.get(`/api/v1/organisations?cursor=${cursor}`), 400, 'VALIDATION_FAILED');
    t.ok(errorPaths(body).includes('query.cursor'), `cursor ${cursor} names query.cursor`);
  }
  problemOf(t, await admin.get('/api/v1/programmes?cursor=%7B%7D'), 400, 'VALIDATION_FAILED');
});

t.test('answers 400, not 500, for a string with a NUL character', async (t) => {
  problemOf(t, await admin.post('/api/v1/organisations', { name: 'a\u0000b', kind: 'other' }), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/organisations?cursor=a%00b'), 400, 'VALIDATION_FAILED');
});

t.test('sends API-Version 1.0.0 and X-Request-Id on every response', async (t) => {
  const responses: [string, LightMyRequestResponse][] = [
    ['a success', await admin.get('/api/v1/organisations')],
    ['a 201', await admin.post('/api/v1/organisations', { name: 'Headers BV', kind: 'employer' })],
    ['a 400', await admin.post('/api/v1/organisations', {})],
    ['a 401', await ctx.as(undefined).get('/api/v1/organisations')],
    ['a 404', await admin.get('/api/v1/nothing-here')],
    ['a 413', await admin.post('/api/v1/organisations', { pad: 'x'.repeat(1_100_000) })],
    ['/health/live', await ctx.as(undefined).get('/health/live')],
    ['/health/ready', await ctx.as(undefined).get('/health/ready')],
    ['the OpenAPI document', await ctx.as(undefined).get('/api/v1/openapi.json')],
  ];
  const ids = new Set<string>();
  for (const [name, res] of responses) {
    t.equal(res.headers['api-version'], '1.0.0', `${name} carries API-Version`);
    const id = res.headers['x-request-id'];
    t.match(String(id), /^[A-Za-z0-9._:-]{8,128}$/, `${name} carries X-Request-Id`);
    ids.add(String(id));
  }
  t.equal(ids.size, responses.length, 'every request gets an id of its own');
});

t.test('echoes a sent X-Request-Id', async (t) => {
  const ok = await admin.get('/api/v1/organisations', { 'x-request-id': 'abc-123' });
  t.equal(ok.headers['x-request-id'], 'abc-123');
  const notFound = await admin.get('/api/v1/nope', { 'x-request-id': 'abc-123' });
  t.equal(notFound.headers['x-request-id'], 'abc-123');
  const bad = await admin.post('/api/v1/organisations', { name: 5 }, { 'x-request-id': 'abc-123' });
  t.equal(bad.statusCode, 400);
  t.equal(bad.headers['x-request-id'], 'abc-123');
});

t.test('replaces a sent X-Request-Id that is not a plain token', async (t) => {
  for (const sent of ['a b<script>', 'x'.repeat(500), 'line\tbreak']) {
    const res = await admin.get('/api/v1/organisations', { 'x-request-id': sent });
    t.equal(res.statusCode, 200);
    t.not(res.headers['x-request-id'], sent, 'not echoed');
    t.match(String(res.headers['x-request-id']), /^[A-Za-z0-9._:-]{8,128}$/, 'an id of its own instead');
  }
});

/** The security headers every response carries: one definition (src/http/response-headers.ts). */
function assertSecurityHeaders(t: TapTest, name: string, res: LightMyRequestResponse, https: boolean): void {
  // On every response, as the contract promises; browsers ignore it over plain HTTP (RFC 6797 8.1).
  t.match(String(res.headers['strict-transport-security']), /^max-age=31536000; includeSubDomains$/, `${name}: Strict-Transport-Security`);
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: X-Content-Type-Options`);
  t.equal(res.headers['x-frame-options'], 'DENY', `${name}: X-Frame-Options`);
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${name}: Referrer-Policy`);
  t.equal(res.headers['cross-origin-resource-policy'], 'same-site', `${name}: Cross-Origin-Resource-Policy`);
  t.equal(res.headers['cross-origin-opener-policy'], https ? 'same-origin' : undefined, `${name}: Cross-Origin-Opener-Policy only over HTTPS`);
  t.equal(res.headers['origin-agent-cluster'], https ? '?1' : undefined, `${name}: Origin-Agent-Cluster only over HTTPS`);
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /frame-ancestors 'none'/, `${name}: CSP forbids framing`);
  t.match(csp, /base-uri '(none|self)'/, `${name}: CSP base-uri`);
  t.match(csp, /form-action '(none|self)'/, `${name}: CSP form-action`);
  t.equal(csp.includes('upgrade-insecure-requests'), https, `${name}: upgrade-insecure-requests only over HTTPS`);
}

/** Responses of every kind: success, the error handler, the router's own errors, health, the document. */
async function responsesOfEveryKind(headers: Record<string, string> = {}): Promise<[string, LightMyRequestResponse][]> {
  const anonymous = (url: string) => app.inject({ method: 'GET', url, headers });
  const withKey = (url: string) => admin.get(url, headers);
  return [
    ['an API success', await withKey('/api/v1/organisations')],
    ['a 400', await withKey('/api/v1/organisations?limit=0')],
    ['a 404', await withKey('/api/v1/organisations/')],
    ['an unknown path', await anonymous('/no/such/path')],
    ['a 401', await anonymous('/api/v1/programmes')],
    ['a 413', await admin.post('/api/v1/organisations', { pad: 'x'.repeat(1_100_000) }, headers)],
    ['a malformed percent-encoding (raised by the router)', await withKey('/api/v1/organisations/%E0%A4%A')],
    ['an over-long path parameter (raised by the router)', await withKey(`/api/v1/organisations/${'a'.repeat(300)}`)],
    ['/health/live', await anonymous('/health/live')],
    ['/health/ready', await anonymous('/health/ready')],
    ['the OpenAPI document', await anonymous('/api/v1/openapi.json')],
  ];
}

t.test('sends the security headers on API, error, router-error and health responses', async (t) => {
  const responses = await responsesOfEveryKind();
  t.equal(responses.find(([name]) => name.startsWith('a malformed'))?.[1].statusCode, 400, 'the router answers a malformed path itself');
  for (const [name, res] of responses) {
    assertSecurityHeaders(t, name, res, false);
    t.equal(res.headers['cache-control'], 'no-store', `${name}: Cache-Control`);
    t.equal(res.headers['api-version'], '1.0.0', `${name}: API-Version`);
    t.match(String(res.headers['content-security-policy']), /^default-src 'none'/, `${name}: the API's Content-Security-Policy`);
  }
});

t.test('behind a TLS proxy named in TRUST_PROXY, every response adds HSTS and upgrade-insecure-requests', async (t) => {
  const proxied = await startTestApp(t, { env: { ...env, TRUST_PROXY: '127.0.0.1' } });
  const https = { 'x-forwarded-proto': 'https' };
  for (const [name, res] of [
    ['an API success', await proxied.admin.get('/api/v1/organisations', https)],
    ['a 401', await proxied.app.inject({ method: 'GET', url: '/api/v1/programmes', headers: https })],
    ['a router error', await proxied.admin.get('/api/v1/organisations/%E0%A4%A', https)],
    ['the Swagger UI', await proxied.app.inject({ method: 'GET', url: '/docs/', headers: https })],
  ] as const) {
    assertSecurityHeaders(t, name, res, true);
  }
  // Without TRUST_PROXY the header is anybody's to send: it changes nothing.
  assertSecurityHeaders(t, 'X-Forwarded-Proto from an untrusted peer', await admin.get('/api/v1/organisations', https), false);
});

t.test('sends the security headers with the Swagger UI too, with a policy that lets it run from its own origin only', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(res.statusCode, 200);
  assertSecurityHeaders(t, 'the Swagger UI', res, false);
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /default-src 'self'/, 'a Content-Security-Policy with a restrictive default');
  t.match(csp, /object-src 'none'/);
  t.notMatch(csp, /unsafe-eval|unsafe-inline|default-src \*|https:/, 'no unsafe or third-party sources');
  const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  t.equal(asset.statusCode, 200);
  t.equal(asset.headers['content-security-policy'], csp, 'its assets carry the same policy');
});

t.test('answers 400 for JSON that tries to poison prototypes', async (t) => {
  for (const payload of [
    '{"__proto__": {"isAdmin": true}, "name": "Poison", "kind": "other"}',
    '{"constructor": {"prototype": {"isAdmin": true}}, "name": "Poison", "kind": "other"}',
  ]) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload,
    });
    problemOf(t, res, 400, 'VALIDATION_FAILED');
  }
  t.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype is untouched');
});

t.test('accepts application/json with a charset parameter', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json; charset=utf-8' },
    payload: JSON.stringify({ name: 'Gemeente Kerkrade', kind: 'municipality' }),
  });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { name: 'Gemeente Kerkrade', kind: 'municipality' });
});

t.test('answers 400 for a JSON body that is not an object', async (t) => {
  for (const payload of ['null', '[]', '"organisation"', '42']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      payload,
    });
    problemOf(t, res, 400, 'VALIDATION_FAILED');
  }
});

t.test('serves the OpenAPI 3.1 document without a key and open to every origin', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: { origin: 'https://portal.example.org' } });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.equal(res.headers['access-control-allow-origin'], '*');

  const document = res.json<{
    openapi: string;
    servers: { url: string }[];
    info: { version: string; contact: { name?: string; email?: string; url?: string } };
    paths: Record<string, unknown>;
  }>();
  t.match(document.openapi, /^3\.1\.\d+$/);
  t.equal(document.servers[0]?.url, '/api/v1');
  t.type(document.info.contact.name, 'string');
  t.match(String(document.info.contact.email), /^[^@\s]+@[^@\s]+\.[a-z]+$/);
  t.match(String(document.info.contact.url), /^https?:\/\//);
  t.match(document.info.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/);
  t.equal(document.info.version, res.headers['api-version'], 'info.version is the API-Version');
  for (const path of ['/organisations', '/organisations/{id}', '/programmes', '/programmes/{id}', '/api-keys', '/api-keys/{id}']) {
    t.ok(path in document.paths, `documents ${path} relative to the server URL`);
  }
  t.notOk(Object.keys(document.paths).some((path) => path.startsWith('/api/v1')), 'no path repeats the base path');

  const validation = await new Validator().validate(document as Record<string, unknown>);
  t.same(validation.errors, undefined, 'valid against the OpenAPI 3.1 schema');
  t.equal(validation.valid, true);
});

t.test('answers the CORS preflight for the OpenAPI document from any origin', async (t) => {
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/openapi.json',
    headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'GET' },
  });
  t.ok(res.statusCode === 204 || res.statusCode === 200, `preflight answered (${res.statusCode})`);
  t.equal(res.headers['access-control-allow-origin'], '*');
});

t.test('does not open the API itself to an unknown origin', async (t) => {
  const res = await admin.get('/api/v1/organisations', { origin: 'https://evil.example' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['access-control-allow-origin'], undefined);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/organisations',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  t.equal(preflight.headers['access-control-allow-origin'], undefined);
});

t.test('answers /health/live and /health/ready with 200 without a key', async (t) => {
  const anonymous = ctx.as(undefined);
  const live = await anonymous.get('/health/live');
  t.equal(live.statusCode, 200);
  t.match(live.json(), { status: 'ok' });
  const ready = await anonymous.get('/health/ready');
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { status: 'ok' });
});

t.test('answers /health/ready with 503 problem+json when the database is unreachable', async (t) => {
  const db = await createTestDatabase();
  // The database is closed below by the test itself; make a second close (the teardown's) a no-op
  // so the throw-away PostgreSQL database is still dropped.
  const closeDatabase = db.database.close.bind(db.database);
  let closing: Promise<void> | undefined;
  db.database.close = () => (closing ??= closeDatabase());
  const broken = await startTestApp(t, { database: db, env });
  t.teardown(() => db.close());

  t.equal((await broken.as(undefined).get('/health/ready')).statusCode, 200, 'ready while the database is up');
  await db.database.close();

  const ready = await broken.as(undefined).get('/health/ready');
  const body = problemOf(t, ready, 503, 'SERVICE_UNAVAILABLE');
  t.notMatch(ready.body, STACK_LINE, 'no stack trace');
  t.equal(ready.headers['api-version'], '1.0.0');
  t.ok(ready.headers['x-request-id']);
  t.notMatch(body.detail, /pglite|pool|ECONN/i, 'no driver detail');

  const live = await broken.as(undefined).get('/health/live');
  t.equal(live.statusCode, 200, 'still live');

  // An API request now fails on the server side: the body must say nothing internal.
  const api = await broken.admin.get('/api/v1/organisations');
  t.ok(api.statusCode >= 500 && api.statusCode < 600, `a 5xx (${api.statusCode})`);
  t.match(String(api.headers['content-type']), /^application\/problem\+json/);
  t.notMatch(api.body, STACK_LINE, 'no stack trace in a 5xx body');
  t.notMatch(api.body, SQL_TEXT, 'no SQL in a 5xx body');
  t.notMatch(api.body, /pglite|Cannot use a pool|closed/i, 'no driver message in a 5xx body');
});

t.test('serves the Swagger UI at /docs as HTML', async (t) => {
  let res = await app.inject({ method: 'GET', url: '/docs' });
  for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
    const location = String(res.headers.location);
    res = await app.inject({ method: 'GET', url: new URL(location, 'http://localhost/docs').pathname });
  }
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^text\/html/);
  t.match(res.body, /swagger/i);
});

t.test('with PUBLIC_BASE_URL the served document names the absolute server URL, and the Swagger UI may call it', async (t) => {
  const published = await startTestApp(t, { env: { ...env, PUBLIC_BASE_URL: 'https://api.eszl.example/' } });
  for (const url of ['/api/v1/openapi.json', '/docs/json']) {
    const res = await published.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.same(res.json<{ servers: { url: string }[] }>().servers.map((server) => server.url), ['https://api.eszl.example/api/v1'], `${url}: absolute server URL`);
  }
  const docs = await published.app.inject({ method: 'GET', url: '/docs/' });
  t.match(String(docs.headers['content-security-policy']), /connect-src 'self' https:\/\/api\.eszl\.example(;|$)/, 'the UI may call the published origin');
  const relative = await app.inject({ method: 'GET', url: '/docs/json' });
  t.same(relative.json<{ servers: { url: string }[] }>().servers.map((server) => server.url), ['/api/v1'], 'without it the URL stays relative');
});

t.test('opens the public documents to every origin and the API to the configured portal only, preflights included', async (t) => {
  const portalOrigin = 'https://portal.example.org';
  const portal = await startTestApp(t, { env: { ...env, CORS_ORIGINS: portalOrigin } });
  const preflight = (url: string, origin: string, method = 'GET') =>
    portal.app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'if-none-match' } });
  const publicDocuments = ['/api/v1/openapi.json', '/api/v1/open-data/360giving.json', '/api/v1/open-data/vote-events.json', '/api/v1/audit-checkpoints/public-key'];
  for (const url of publicDocuments) {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await portal.app.inject({ method, url, headers: { origin: 'https://data.example.org' } });
      t.equal(res.headers['access-control-allow-origin'], '*', `${method} ${url}: any origin may read it`);
      t.notMatch(String(res.headers.vary ?? ''), /origin/i, `${method} ${url}: the same answer for every origin, no Vary: Origin`);
    }
    const pre = await preflight(url, 'https://data.example.org');
    t.equal(pre.statusCode, 204, `OPTIONS ${url}: preflight answered`);
    t.equal(pre.headers['access-control-allow-origin'], '*', `OPTIONS ${url}: any origin`);
    t.equal(pre.headers['access-control-allow-methods'], 'GET, HEAD', `OPTIONS ${url}: reading only`);
    t.match(String(pre.headers['access-control-allow-headers']), /If-None-Match/, `OPTIONS ${url}: a conditional request may follow`);
  }

  const api = await portal.admin.get('/api/v1/organisations', { origin: portalOrigin });
  t.equal(api.headers['access-control-allow-origin'], portalOrigin, 'the portal reads the API');
  t.match(String(api.headers.vary), /Origin/, 'the answer names the origin it depends on');
  const foreign = await portal.admin.get('/api/v1/organisations', { origin: 'https://evil.example' });
  t.equal(foreign.headers['access-control-allow-origin'], undefined, 'another origin may not read the API');
  const apiPreflight = await preflight('/api/v1/organisations', portalOrigin, 'POST');
  t.equal(apiPreflight.statusCode, 204);
  t.equal(apiPreflight.headers['access-control-allow-origin'], portalOrigin);
  t.equal(apiPreflight.headers['access-control-allow-methods'], 'GET, POST, PATCH, DELETE');
  t.equal(apiPreflight.headers['access-control-max-age'], '600');
  const foreignPreflight = await preflight('/api/v1/organisations', 'https://evil.example', 'POST');
  t.equal(foreignPreflight.headers['access-control-allow-origin'], undefined, 'no preflight for another origin');

  const unknown = await portal.app.inject({ method: 'OPTIONS', url: '/api/v1/openapi.json' });
  t.equal(unknown.statusCode, 400, 'an OPTIONS without Origin is no preflight');
});

t.test('lets a browser client read every response header it needs (Access-Control-Expose-Headers)', async (t) => {
  const origin = 'https://portal.example.org';
  const portal = await startTestApp(t, { env: { ...env, CORS_ORIGINS: origin } });
  const res = await portal.admin.get('/api/v1/organisations', { origin });
  t.equal(res.headers['access-control-allow-origin'], origin);
  const exposed = new Set(String(res.headers['access-control-expose-headers']).split(',').map((name) => name.trim().toLowerCase()));
  // Every header the document promises on a response, and those of the rate limit and retries.
  const document = (await portal.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>> }>();
  const declared = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item)) for (const response of Object.values(op.responses ?? {})) for (const name of Object.keys(response.headers ?? {})) declared.add(name);
  }
  t.ok(declared.has('Idempotent-Replayed') && declared.has('ETag'), `the document declares ${[...declared].join(', ')}`);
  const sent = Object.keys(res.headers).filter((name) => name.startsWith('x-ratelimit-'));
  t.ok(sent.length >= 3, `the rate limit sends ${sent.join(', ')}`);
  for (const name of [...declared, ...sent, 'Retry-After', 'Location', 'Content-Disposition']) {
    t.ok(exposed.has(name.toLowerCase()), `${name} is exposed`);
  }
});
