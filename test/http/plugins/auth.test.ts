import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import t, { type Test } from 'tap';
import { Type } from 'typebox';
import { ACCESS } from '../../../src/domain/access.js';
import { systemClock } from '../../../src/domain/clock.js';
import authPlugin from '../../../src/http/plugins/auth.js';
import { schemaCompilers } from '../../../src/http/plugins/compilers.js';
import errorsPlugin from '../../../src/http/plugins/errors.js';
import { createApiKey, revokeKey } from '../../../src/use-cases/api-keys.js';
import type { ServiceContext } from '../../../src/use-cases/context.js';
import { createOrganisation } from '../../../src/use-cases/organisations.js';
import { PrincipalCache } from '../../../src/use-cases/principal-cache.js';
import { SYSTEM_CALLER } from '../../../src/use-cases/unit-of-work.js';
import { problemOf } from '../../helpers/assertions.js';
import { createTestDatabase } from '../../helpers/database.js';

/**
 * The auth plugin on its own: a small app with the errors plugin (which turns its errors into
 * problem+json) and three routes that declare their access as the API's routes do. 401 for a
 * missing, malformed, unknown or revoked key; 403 for a role the route does not admit; and, for
 * a college key acting for another municipality, 403 before the body is validated (400).
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const seedCtx: ServiceContext = { database: db.database, clock: systemClock };

const municipality = (name: string) => createOrganisation(seedCtx, SYSTEM_CALLER, { name, kind: 'municipality', centreMunicipality: true });
const heerlen = await municipality('Gemeente Heerlen');
const maastricht = await municipality('Gemeente Maastricht');
const issue = async (role: 'admin' | 'secretariat' | 'college' | 'reader', organisationId?: string) =>
  createApiKey(seedCtx, SYSTEM_CALLER, { name: `${role} key ${Math.random().toString(36).slice(2, 8)}`, role, organisationId });
const secretariat = await issue('secretariat');
const reader = await issue('reader');
const collegeHeerlen = await issue('college', heerlen.id);

const VoteBody = Type.Object(
  { municipalityId: Type.String({ format: 'uuid' }), vote: Type.Union([Type.Literal('yes'), Type.Literal('no')]) },
  { additionalProperties: false },
);

/** The plugin in an app of its own; `principals`, when given, is the instance's cache of keys (live). */
async function appWith(t: Test, principals?: PrincipalCache): Promise<FastifyInstance> {
  const ctx: ServiceContext = { database: db.database, clock: systemClock, ...(principals && { principals }) };
  const app = Fastify({ schemaController: { compilersFactory: schemaCompilers().factory as never } });
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  await app.register(authPlugin, { ctx });
  app.get('/open', async (request) => ({ principal: request.principal }));
  app.get('/register', { config: { access: { roles: ACCESS.manageRegister } } }, async (request) => ({
    keyId: request.principal.keyId,
    role: request.principal.role,
  }));
  app.post(
    '/votes',
    {
      config: {
        access: {
          roles: ACCESS.castVote,
          municipalityOf: (request: FastifyRequest) => (request.body as { municipalityId?: unknown } | undefined)?.municipalityId,
        },
      },
      schema: { body: VoteBody },
    },
    async (request) => ({ role: request.principal.role, municipalityId: (request.body as { municipalityId: string }).municipalityId }),
  );
  await app.ready();
  return app;
}

const get = (app: FastifyInstance, url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });
const post = (app: FastifyInstance, url: string, payload: object | undefined, authorization?: string) =>
  app.inject({
    method: 'POST',
    url,
    headers: { ...(authorization !== undefined && { authorization }), 'content-type': 'application/json' },
    ...(payload !== undefined && { payload }),
  });
const bearer = (key: string) => `Bearer ${key}`;

const WHERE_KEYS_COME_FROM = /POST \/api\/v1\/api-keys.*npm run api-key -- create --role admin/;

t.test('a route that declares no access is served without a key, and an Authorization header is not even looked at', async (t) => {
  const app = await appWith(t);
  for (const authorization of [undefined, 'Bearer not-a-key-anyone-issued', 'Basic dXNlcjpwYXNz', 'Bearer two words']) {
    const res = await get(app, '/open', authorization);
    t.equal(res.statusCode, 200, `Authorization ${String(authorization)}: 200`);
    t.same(res.json(), { principal: null }, 'no principal is set');
  }
});

t.test('answers 401 UNAUTHENTICATED when the header is missing or is not "Bearer <key>"', async (t) => {
  const app = await appWith(t);
  const malformed = [
    undefined,
    '',
    'Basic dXNlcjpwYXNz',
    'Bearer',
    'Bearer ',
    `Bearer  ${secretariat.key}`,
    `Bearer ${secretariat.key} extra`,
    `bearer${secretariat.key}`,
    `Token ${secretariat.key}`,
    `Bearer ${'k'.repeat(513)}`,
  ];
  for (const authorization of malformed) {
    const name = authorization === undefined ? 'no header' : JSON.stringify(authorization.slice(0, 40));
    const body = problemOf(t, await get(app, '/register', authorization), 401, 'UNAUTHENTICATED');
    t.match(body.detail, /^Send an API key as "Authorization: Bearer <key>"\./, `${name}: says how to send a key`);
    t.match(body.detail, WHERE_KEYS_COME_FROM, `${name}: says where keys come from`);
  }
});

t.test('answers 401 for a well-formed key nobody issued, saying it is unknown or revoked', async (t) => {
  const app = await appWith(t);
  // 512 printable characters is the longest key the format takes: it is looked up, and not found.
  for (const key of ['eszl_never-issued', 'k'.repeat(512), '!#$%&*+-.^_`|~']) {
    const body = problemOf(t, await get(app, '/register', bearer(key)), 401, 'UNAUTHENTICATED');
    t.match(body.detail, /^The API key is unknown or revoked\./, `a key of ${key.length} characters is looked up and refused`);
    t.match(body.detail, WHERE_KEYS_COME_FROM);
  }
});

t.test('admits a key whose role the route lists, and sets it as the request principal', async (t) => {
  const app = await appWith(t);
  const res = await get(app, '/register', bearer(secretariat.key));
  t.equal(res.statusCode, 200);
  t.same(res.json(), { keyId: secretariat.id, role: 'secretariat' });
});

t.test('answers 403 FORBIDDEN, naming the role, for a key whose role the route does not admit', async (t) => {
  const app = await appWith(t);
  for (const [key, role] of [[reader.key, 'reader'], [collegeHeerlen.key, 'college']] as const) {
    const body = problemOf(t, await get(app, '/register', bearer(key)), 403, 'FORBIDDEN');
    t.equal(body.detail, `An API key with role '${role}' may not do this.`);
  }
  // The role is checked before the body is read: an invalid body changes nothing.
  problemOf(t, await post(app, '/votes', { municipalityId: 'not-a-uuid' }, bearer(reader.key)), 403, 'FORBIDDEN');
  problemOf(t, await post(app, '/votes', { municipalityId: 'not-a-uuid' }), 401, 'UNAUTHENTICATED');
});

t.test('answers 401 for a revoked key', async (t) => {
  const app = await appWith(t);
  const key = await issue('secretariat');
  t.equal((await get(app, '/register', bearer(key.key))).statusCode, 200, 'served while active');
  await revokeKey(seedCtx, SYSTEM_CALLER, key.id);
  const body = problemOf(t, await get(app, '/register', bearer(key.key)), 401, 'UNAUTHENTICATED');
  t.match(body.detail, /unknown or revoked/);
});

t.test('a college key acting for another municipality answers 403 before its body is validated', async (t) => {
  const app = await appWith(t);
  const college = bearer(collegeHeerlen.key);

  const elsewhere = problemOf(t, await post(app, '/votes', { municipalityId: maastricht.id, vote: 'maybe', extra: 1 }, college), 403, 'FORBIDDEN');
  t.equal(elsewhere.detail, 'A college key may only act for its own municipality.');
  problemOf(t, await post(app, '/votes', { municipalityId: maastricht.id, vote: 'yes' }, college), 403, 'FORBIDDEN');

  const own = problemOf(t, await post(app, '/votes', { municipalityId: heerlen.id, vote: 'maybe', extra: 1 }, college), 400, 'VALIDATION_FAILED');
  t.same(own.paths.sort(), ['/extra', '/vote'], 'its own municipality: the body is validated');
  const served = await post(app, '/votes', { municipalityId: heerlen.id, vote: 'yes' }, college);
  t.equal(served.statusCode, 200);
  t.same(served.json(), { role: 'college', municipalityId: heerlen.id });
});

t.test('the early check reads only a municipality given as a string, and holds college keys only', async (t) => {
  const app = await appWith(t);
  const college = bearer(collegeHeerlen.key);
  // No municipality, or one that is not a string: nothing to check early, so validation answers.
  const missing = problemOf(t, await post(app, '/votes', { vote: 'yes' }, college), 400, 'VALIDATION_FAILED');
  t.same(missing.paths, ['/municipalityId']);
  const numeric = problemOf(t, await post(app, '/votes', { municipalityId: 42, vote: 'yes' }, college), 400, 'VALIDATION_FAILED');
  t.same(numeric.paths, ['/municipalityId']);
  problemOf(t, await post(app, '/votes', undefined, college), 400, 'VALIDATION_FAILED');

  // Any other admitted role acts for any municipality: an admin key gets the body validated.
  const admin = await issue('admin');
  const adminElsewhere = problemOf(t, await post(app, '/votes', { municipalityId: maastricht.id, vote: 'maybe' }, bearer(admin.key)), 400, 'VALIDATION_FAILED');
  t.same(adminElsewhere.paths, ['/vote']);
  const adminServed = await post(app, '/votes', { municipalityId: maastricht.id, vote: 'no' }, bearer(admin.key));
  t.equal(adminServed.statusCode, 200);
  t.same(adminServed.json(), { role: 'admin', municipalityId: maastricht.id });
});

t.test('a cached principal is admitted without a lookup; an unknown key is never cached', async (t) => {
  const principals = new PrincipalCache({ ttlMs: 60_000, maxEntries: 100 });
  principals.ready();
  const cached = await appWith(t, principals);
  const uncached = await appWith(t);
  const key = await issue('secretariat');

  t.equal(principals.size, 0, 'the cache starts empty');
  problemOf(t, await get(cached, '/register', bearer('eszl_unknown-key')), 401, 'UNAUTHENTICATED');
  t.equal(principals.size, 0, 'an unknown key is not cached');
  const first = await get(cached, '/register', bearer(key.key));
  t.equal(first.statusCode, 200, 'the first request looks the key up');
  t.equal(principals.size, 1, 'and caches its principal');

  // Revoked behind the cache's back (this app does not listen for key changes): only the app
  // that looks every key up notices, which shows the other answers from its cache.
  await revokeKey(seedCtx, SYSTEM_CALLER, key.id);
  const fromCache = await get(cached, '/register', bearer(key.key));
  t.equal(fromCache.statusCode, 200, 'the cached principal is admitted');
  t.same(fromCache.json(), { keyId: key.id, role: 'secretariat' }, 'and set as the request principal');
  problemOf(t, await get(uncached, '/register', bearer(key.key)), 401, 'UNAUTHENTICATED');

  principals.invalidate();
  problemOf(t, await get(cached, '/register', bearer(key.key)), 401, 'UNAUTHENTICATED');
  t.equal(principals.size, 0, 'once forgotten, the revoked key is looked up, refused, and not cached');
});

t.test('a cached principal is held to the route roles and the early municipality check like a looked-up one', async (t) => {
  const principals = new PrincipalCache({ ttlMs: 60_000, maxEntries: 100 });
  principals.ready();
  const app = await appWith(t, principals);
  const college = bearer(collegeHeerlen.key);
  for (const round of ['looked up', 'cached']) {
    const role = problemOf(t, await get(app, '/register', college), 403, 'FORBIDDEN');
    t.equal(role.detail, "An API key with role 'college' may not do this.", `${round}: the role is refused`);
    problemOf(t, await post(app, '/votes', { municipalityId: maastricht.id, vote: 'maybe' }, college), 403, 'FORBIDDEN');
    t.equal(principals.size, 1, `${round}: the refused key's principal is cached all the same`);
  }
  t.equal((await post(app, '/votes', { municipalityId: heerlen.id, vote: 'yes' }, college)).statusCode, 200, 'and served where it may act');
});

t.test('a key lookup that fails answers 503 through the error handler, never hangs', async (t) => {
  const broken = await createTestDatabase();
  const ctx: ServiceContext = { database: broken.database, clock: systemClock };
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  await app.register(authPlugin, { ctx });
  app.get('/register', { config: { access: { roles: ACCESS.manageRegister } } }, async () => ({ served: true }));
  await app.ready();
  await broken.close();

  const res = await get(app, '/register', bearer(secretariat.key));
  problemOf(t, res, 503, 'SERVICE_UNAVAILABLE');
  t.equal(res.headers['retry-after'], '5');
  t.notMatch(res.body, /served/, 'the handler did not run');
});
