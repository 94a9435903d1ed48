import t from 'tap';
import { parseCheckpointText } from '../../../../src/audit/checkpoint.js';
import { openNote, parseVerifierKey } from '../../../../src/audit/note.js';
import { generateSigningKeyPem } from '../../../../src/audit/signing-key.js';
import type { AuditCheckpoint } from '../../../../src/use-cases/audit-checkpoints.js';
import { startTestApp } from '../../../helpers/app.js';
import { okJson, problemOf } from '../../../helpers/assertions.js';
import { createKey, createOrganisation } from '../../../helpers/factories.js';

/**
 * The checkpoint endpoints: the newest checkpoint as a signed note (text) or JSON, the list
 * newest first, and the public verifier key without authentication; and 503 on a service that
 * has no signing key.
 */
const ctx = await startTestApp(t);
const { admin, app } = ctx;
const reader = ctx.as((await createKey(admin, 'reader')).key);
const college = ctx.as((await createKey(admin, 'college', (await createOrganisation(admin, { kind: 'municipality', centreMunicipality: true })).id)).key);

t.test('before any checkpoint: latest is 404, the list is empty, the key is there', async (t) => {
  problemOf(t, await reader.get('/api/v1/audit-checkpoints/latest'), 404, 'RESOURCE_NOT_FOUND');
  t.same(okJson(t, await reader.get('/api/v1/audit-checkpoints')), { items: [], nextCursor: null });
  const key = await app.inject({ method: 'GET', url: '/api/v1/audit-checkpoints/public-key' });
  t.equal(key.statusCode, 200);
  t.match(key.body, /^eszl-decisions\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  t.match(String(key.headers['content-type']), /^text\/plain/);
});

t.test('a checkpoint signs the head; the note verifies with the public key; text by default, JSON on request', async (t) => {
  await createOrganisation(admin);
  const verify = okJson<{ count: number; headHash: string }>(t, await admin.get('/api/v1/audit-events/verify'));
  const issued = await app.auditCheckpoints.issue();
  t.match(issued, { seq: verify.count, headHash: verify.headHash, origin: 'eszl-decisions/audit', keyName: 'eszl-decisions/audit' });

  const text = await reader.get('/api/v1/audit-checkpoints/latest');
  t.equal(text.statusCode, 200);
  t.match(String(text.headers['content-type']), /^text\/plain/);
  t.equal(text.body, issued!.note);
  t.equal(text.headers.vary, 'Accept');
  const key = (await app.inject({ method: 'GET', url: '/api/v1/audit-checkpoints/public-key' })).body;
  const opened = openNote(text.body, parseVerifierKey(key));
  t.ok(opened.ok, 'the signature verifies with the public key');
  if (opened.ok) t.same(parseCheckpointText(opened.text), { origin: 'eszl-decisions/audit', size: verify.count, hash: verify.headHash });

  const json = okJson<AuditCheckpoint>(t, await college.get('/api/v1/audit-checkpoints/latest', { accept: 'application/json' }));
  t.same(json, issued, 'JSON with Accept: application/json, for every role that reads the register');
  t.not(text.headers.etag, undefined);
  t.equal((await reader.get('/api/v1/audit-checkpoints/latest', { 'if-none-match': String(text.headers.etag) })).statusCode, 304);
});

t.test('no new checkpoint while the head stays; a new one when it moved; none within the interval', async (t) => {
  t.equal(await app.auditCheckpoints.issue(), undefined, 'the head did not move');
  await createOrganisation(admin);
  t.equal(await app.auditCheckpoints.issue(3_600), undefined, 'one was issued less than an hour ago');
  const second = await app.auditCheckpoints.issue();
  t.ok(second, 'without an interval: issued');
  await createOrganisation(admin);
  await app.auditCheckpoints.issue();
  const page1 = okJson<{ items: AuditCheckpoint[]; nextCursor: string }>(t, await reader.get('/api/v1/audit-checkpoints?limit=2'));
  t.equal(page1.items.length, 2);
  t.ok(page1.items[0]!.seq > page1.items[1]!.seq, 'newest first');
  const page2 = okJson<{ items: AuditCheckpoint[]; nextCursor: string | null }>(t, await reader.get(`/api/v1/audit-checkpoints?limit=2&cursor=${page1.nextCursor}`));
  t.equal(page2.items.length, 1);
  t.equal(page2.nextCursor, null);
  t.ok(page2.items[0]!.seq < page1.items[1]!.seq);
});

t.test('issuing a checkpoint writes no audit event', async (t) => {
  await createOrganisation(admin);
  const before = okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count;
  t.ok(await app.auditCheckpoints.issue());
  t.equal(okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count, before);
});

t.test('the list and the latest need a key; the public key does not', async (t) => {
  problemOf(t, await ctx.as(undefined).get('/api/v1/audit-checkpoints'), 401, 'UNAUTHENTICATED');
  problemOf(t, await ctx.as(undefined).get('/api/v1/audit-checkpoints/latest'), 401, 'UNAUTHENTICATED');
  t.equal((await ctx.as('not-a-key').get('/api/v1/audit-checkpoints/public-key')).statusCode, 200);
});

t.test('a service without a signing key (PostgreSQL without AUDIT_SIGNING_KEY) starts, and every checkpoint endpoint answers 503', async (t) => {
  // The service decides by the kind of database: this one says it is PostgreSQL.
  const keyless = await startTestApp(t, { database: { ...ctx.db, database: { ...ctx.db.database, kind: 'postgres' } }, env: { AUDIT_SIGNING_KEY: '' } });
  t.equal(keyless.app.auditCheckpoints.settings.signer, undefined);
  t.ok(keyless.logLines.some((line) => line.includes('AUDIT_SIGNING_KEY is not set')), 'it says so at start');
  for (const url of ['/api/v1/audit-checkpoints', '/api/v1/audit-checkpoints/latest', '/api/v1/audit-checkpoints/public-key']) {
    const problem = problemOf(t, await keyless.admin.get(url), 503, 'AUDIT_SIGNING_KEY_MISSING');
    t.match(problem.detail, /AUDIT_SIGNING_KEY/, url);
  }
  await t.rejects(keyless.app.auditCheckpoints.issue(), /AUDIT_SIGNING_KEY/);
});

t.test('with AUDIT_SIGNING_KEY every instance signs with that key', async (t) => {
  const pem = generateSigningKeyPem();
  const one = await startTestApp(t, { database: ctx.db, env: { AUDIT_SIGNING_KEY: pem, AUDIT_CHECKPOINT_ORIGIN: 'example.org/eszl' } });
  const two = await startTestApp(t, { database: ctx.db, env: { AUDIT_SIGNING_KEY: pem, AUDIT_CHECKPOINT_ORIGIN: 'example.org/eszl' } });
  const keyOf = async (app: typeof one.app) => (await app.inject({ method: 'GET', url: '/api/v1/audit-checkpoints/public-key' })).body;
  t.equal(await keyOf(one.app), await keyOf(two.app));
  t.match(await keyOf(one.app), /^example\.org\/eszl\+/);
});
