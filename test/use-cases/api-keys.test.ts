import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import {
  authenticate,
  BOOTSTRAP_KEY_ID,
  cachedPrincipal,
  createApiKey,
  currentApiKey,
  hasActiveAdminKey,
  hashApiKey,
  installBootstrapKey,
  listApiKeysPage,
  revokeKey,
} from '../../src/use-cases/api-keys.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { PrincipalCache } from '../../src/use-cases/principal-cache.js';
import { SYSTEM_CALLER, type Caller } from '../../src/use-cases/unit-of-work.js';
import { auditHeadSeq, emittedBy } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * The API keys' use cases called directly, on a database with no key at all (no bootstrap key
 * installed): what a key is bound to, what is stored and recorded when one is created, revoked
 * or installed from ADMIN_API_KEY, and how authentication uses the instance's cache.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const principals = new PrincipalCache({ ttlMs: 60_000, maxEntries: 100 });
principals.ready();
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z'), principals };
const admin: Caller = { principal: { keyId: randomUUID(), role: 'admin', organisationId: null } };
const heerlen = await createOrganisation(ctx, SYSTEM_CALLER, { name: 'Gemeente Heerlen', kind: 'municipality', centreMunicipality: true });
const valkenburg = await createOrganisation(ctx, SYSTEM_CALLER, { name: 'Gemeente Valkenburg aan de Geul', kind: 'municipality' });

const storedHash = async (id: string) =>
  (await queryRows<{ key_hash: string }>(db.database.db, sql`select key_hash from api_keys where id = ${id}`))[0]?.key_hash;

t.test('before any key is installed no admin key is active; the bootstrap key is recorded once, and again only when it changes', async (t) => {
  t.equal(await hasActiveAdminKey(ctx), false);
  const first = await emittedBy(ctx.database, () => installBootstrapKey(ctx, 'bootstrap-key-one-0123456789abcdefghij'));
  t.match(first.events, [{ action: 'apikey.created', resourceId: BOOTSTRAP_KEY_ID, data: { apiKey: { id: BOOTSTRAP_KEY_ID, role: 'admin', revokedAt: null } } }]);
  t.equal(await hasActiveAdminKey(ctx), true);

  const again = await emittedBy(ctx.database, () => installBootstrapKey(ctx, 'bootstrap-key-one-0123456789abcdefghij'));
  t.same(again.events, [], 'the same key on a restart records nothing');

  const changed = await emittedBy(ctx.database, () => installBootstrapKey(ctx, 'bootstrap-key-two-0123456789abcdefghij'));
  t.equal(changed.events.length, 1, 'a new ADMIN_API_KEY is recorded');
  t.equal(await storedHash(BOOTSTRAP_KEY_ID), hashApiKey('bootstrap-key-two-0123456789abcdefghij'), 'the one row now holds the new key');
  t.equal(await authenticate(ctx, 'bootstrap-key-one-0123456789abcdefghij'), undefined, 'the old key no longer authenticates');

  await revokeKey(ctx, admin, BOOTSTRAP_KEY_ID);
  t.equal(await hasActiveAdminKey(ctx), false, 'revoked, it counts no more');
  const reactivated = await emittedBy(ctx.database, () => installBootstrapKey(ctx, 'bootstrap-key-two-0123456789abcdefghij'));
  t.match(reactivated.events, [{ action: 'apikey.created', data: { apiKey: { revokedAt: null } } }], 'the same key installed after a revocation is active again, and recorded');
  t.equal(await hasActiveAdminKey(ctx), true);
});

t.test('a created key is shown once, stored only as its hash, and recorded without its secret', async (t) => {
  const { result: created, events } = await emittedBy(ctx.database, () => createApiKey(ctx, admin, { name: 'Reader of the register', role: 'reader' }));
  t.match(created, { name: 'Reader of the register', role: 'reader', organisationId: null, revokedAt: null });
  t.match(created.key, /^eszl_[A-Za-z0-9_-]{43}$/);
  t.equal(await storedHash(created.id), hashApiKey(created.key));
  const { key: _secret, ...apiKey } = created;
  t.same(events, [{ action: 'apikey.created', resourceType: 'apikey', resourceId: created.id, data: { apiKey } }]);
  t.notMatch(JSON.stringify(events), created.key, 'the secret is in no event');
});

t.test('a college key is bound to an existing centre municipality; any other key to none', async (t) => {
  const college = await createApiKey(ctx, admin, { name: 'College Heerlen', role: 'college', organisationId: heerlen.id });
  t.equal(college.organisationId, heerlen.id);
  const before = await auditHeadSeq(ctx.database);
  for (const organisationId of [null, undefined, valkenburg.id, randomUUID()]) {
    await t.rejects(
      createApiKey(ctx, admin, { name: 'College', role: 'college', organisationId }),
      { code: 'COLLEGE_KEY_NEEDS_CENTRE_MUNICIPALITY', errors: [{ path: '/organisationId' }] },
      `organisationId ${String(organisationId)}`,
    );
  }
  for (const role of ['admin', 'secretariat', 'auditor', 'reader'] as const) {
    await t.rejects(createApiKey(ctx, admin, { name: 'Bound', role, organisationId: heerlen.id }), { code: 'VALIDATION_FAILED', errors: [{ path: '/organisationId' }] }, role);
  }
  t.equal(await auditHeadSeq(ctx.database), before, 'no refused key was recorded');
});

t.test('authenticate: an active key becomes its principal and is cached; an unknown key is neither', async (t) => {
  const created = await createApiKey(ctx, admin, { name: 'Secretariat', role: 'secretariat' });
  principals.invalidate();
  t.equal(cachedPrincipal(ctx, created.key), undefined, 'not cached before its first use');
  const principal = await authenticate(ctx, created.key);
  t.match(principal, { keyId: created.id, role: 'secretariat', organisationId: null, name: 'Secretariat' });
  t.equal(principal?.createdAt.toISOString(), created.createdAt);
  t.equal(cachedPrincipal(ctx, created.key), principal, 'cached after it');
  t.same(currentApiKey(principal!), { id: created.id, name: 'Secretariat', role: 'secretariat', organisationId: null, createdAt: created.createdAt, revokedAt: null });
  t.equal(currentApiKey(principal!), currentApiKey(principal!), 'one view per principal, built once');
  t.ok(Object.isFrozen(currentApiKey(principal!)), 'and never changed by a caller');
  const other = { ...principal!, name: 'Other' };
  t.equal(currentApiKey(other).name, 'Other', 'another principal has its own view');

  const unknown = `eszl_${'x'.repeat(43)}`;
  t.equal(await authenticate(ctx, unknown), undefined);
  t.equal(cachedPrincipal(ctx, unknown), undefined, 'an unknown key is not cached');
  t.equal(await authenticate({ database: db.database, clock: ctx.clock }, created.key).then((p) => p?.keyId), created.id, 'without a cache it is looked up');
});

t.test('revoking: recorded once, forgotten by the cache at once; an unknown key is RESOURCE_NOT_FOUND', async (t) => {
  const created = await createApiKey(ctx, admin, { name: 'To revoke', role: 'auditor' });
  await authenticate(ctx, created.key);
  t.ok(cachedPrincipal(ctx, created.key), 'cached while active');

  const first = await emittedBy(ctx.database, () => revokeKey(ctx, admin, created.id));
  t.match(first.events, [{ action: 'apikey.revoked', resourceId: created.id, data: { apiKey: { id: created.id, revokedAt: /^\d{4}-\d{2}-\d{2}T/ } } }]);
  t.equal(cachedPrincipal(ctx, created.key), undefined, 'this instance forgets without waiting for the notification');
  t.equal(await authenticate(ctx, created.key), undefined, 'a revoked key authenticates no more');

  const second = await emittedBy(ctx.database, () => revokeKey(ctx, admin, created.id));
  t.same(second.events, [], 'revoking again changes and records nothing');
  await t.rejects(revokeKey(ctx, admin, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
});

t.test('the list pages by creation with nextCursor, revoked keys included', async (t) => {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listApiKeysPage(ctx, cursor, 2);
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((key) => key.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  const all = await queryRows<{ id: string }>(db.database.db, sql`select id::text as id from api_keys order by created_at, id`);
  t.same(seen, all.map((row) => row.id), 'every key once, in creation order');
  t.ok(all.length > 4);
  await t.rejects(listApiKeysPage(ctx, 'not-a-cursor', 2), { code: 'VALIDATION_FAILED' });
});
