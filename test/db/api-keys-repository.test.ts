import t from 'tap';
import {
  countActiveKeys,
  findActiveKeyByHash,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  upsertApiKey,
} from '../../src/db/api-keys-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { checkKeysetPages, lockedElsewhere, organisation, POSTGRES_ONLY, repositoryDatabase } from '../helpers/register-rows.js';

/** API keys: found by hash only while active, counted per role, locked, paged, revoked, and upserted from ADMIN_API_KEY. */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const hash = (n: number) => n.toString(16).padStart(64, '0');
const admin = await insertApiKey(db, { name: 'Jane', role: 'admin', keyHash: hash(1) });
const college = await insertApiKey(db, { name: 'Heerlen', role: 'college', organisationId: heerlen, keyHash: hash(2) });
const reader = await insertApiKey(db, { name: 'Reader', role: 'reader', keyHash: hash(3) });
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

t.test('a key is found by its hash while active, never once revoked', async (t) => {
  t.same(await findActiveKeyByHash(db, hash(2)), { id: college.id, name: 'Heerlen', role: 'college', organisationId: heerlen, createdAt: college.createdAt });
  t.equal(await findActiveKeyByHash(db, hash(99)), undefined);
  await revokeApiKey(db, reader.id);
  t.equal(await findActiveKeyByHash(db, hash(3)), undefined, 'revoked acts at once');
  t.type((await findApiKey(db, reader.id))?.revokedAt, Date, 'the row stays, with its revocation');
});

t.test('active keys are counted per role; a role without any counts 0', async (t) => {
  t.equal(await countActiveKeys(db, 'admin'), 1);
  t.equal(await countActiveKeys(db, 'reader'), 0, 'the reader key is revoked');
  t.equal(await countActiveKeys(db, 'auditor'), 0);
});

t.test('a key is found by id (locked when asked); an unknown id finds nothing', async (t) => {
  t.same(await findApiKey(db, admin.id), admin);
  t.equal(await findApiKey(db, UNKNOWN), undefined);
});

t.test('found for update, the key stays locked until the transaction ends', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (tx) => {
    await findApiKey(tx, admin.id, true);
    t.equal(await lockedElsewhere(database, 'api_keys', admin.id), true);
  });
  await inTransaction(database, async (tx) => {
    await findApiKey(tx, admin.id);
    t.equal(await lockedElsewhere(database, 'api_keys', admin.id), false, 'not when found plainly');
  });
});

t.test('the keys are paged in (createdAt, id) order, revoked ones included', async (t) => {
  const expected = [admin, college, reader].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)).map((k) => k.id);
  await checkKeysetPages(t, expected, (after, limit) => listApiKeys(db, after, limit));
});

t.test('the key of ADMIN_API_KEY is upserted: created, left alone while unchanged, replaced or revived otherwise', async (t) => {
  const id = '00000000-0000-4000-8000-00000000000a';
  const first = await upsertApiKey(db, { id, name: 'ADMIN_API_KEY', role: 'admin', keyHash: hash(10) });
  t.match(first, { changed: true, row: { id, keyHash: hash(10), revokedAt: null } }, 'created');
  const again = await upsertApiKey(db, { id, name: 'ADMIN_API_KEY', role: 'admin', keyHash: hash(10) });
  t.same(again, { changed: false, row: first.row }, 'unchanged: the same row, nothing written');
  const rotated = await upsertApiKey(db, { id, name: 'ADMIN_API_KEY', role: 'admin', keyHash: hash(11) });
  t.match(rotated, { changed: true, row: { id, keyHash: hash(11) } }, 'a new key replaces the hash');
  await revokeApiKey(db, id);
  const revived = await upsertApiKey(db, { id, name: 'ADMIN_API_KEY', role: 'admin', keyHash: hash(11) });
  t.match(revived, { changed: true, row: { id, keyHash: hash(11), revokedAt: null } }, 'a revoked one is revived');
  t.equal((await findActiveKeyByHash(db, hash(11)))?.id, id);
});
