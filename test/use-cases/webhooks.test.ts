import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Subscription } from '../../src/use-cases/webhooks.js';
import { startTestApp } from '../helpers/app.js';
import { okJson, problemOf } from '../helpers/assertions.js';
import { createCentreMunicipalities, createKey, listAll } from '../helpers/factories.js';

/**
 * College webhook subscriptions: a college key subscribes its own municipality's system to the
 * decisions it must ratify, and manages only those subscriptions; an admin manages all.
 */
const HOST = 'hooks.example.test';
const ctx = await startTestApp(t, { env: { WEBHOOK_SIGNING_KEY: 'college-webhooks-signing-key-0123456789abcdef', WEBHOOK_ALLOWED_HOSTS: HOST } });
const { admin } = ctx;
const { heerlen, maastricht } = await createCentreMunicipalities(admin);
const heerlenCollege = ctx.as((await createKey(admin, 'college', heerlen.id)).key);
const maastrichtCollege = ctx.as((await createKey(admin, 'college', maastricht.id)).key);
const callback = (name: string) => ({ callbackUrl: `https://${HOST}/${name}`, eventTypes: ['decision.adopted', 'vote.cast'] });

t.test('a college key subscribes for its own municipality only: set when absent, 403 for another (before 400)', async (t) => {
  const own = okJson<Subscription & { secret: string }>(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', callback('a')), 201);
  t.equal(own.municipalityId, heerlen.id, 'municipalityId is set to its municipality');
  t.type(own.secret, 'string');
  t.equal(okJson<Subscription>(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', { ...callback('b'), municipalityId: null }), 201).municipalityId, heerlen.id, 'also when sent as null');
  t.equal(okJson<Subscription>(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', { ...callback('c'), municipalityId: heerlen.id.toUpperCase() }), 201).municipalityId, heerlen.id, 'naming its own');
  problemOf(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', { ...callback('d'), municipalityId: maastricht.id }), 403, 'FORBIDDEN');
  problemOf(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', { municipalityId: maastricht.id, eventTypes: 'nonsense' }), 403, 'FORBIDDEN');
  problemOf(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', { ...callback('e'), eventTypes: ['decision.exploded'] }), 400, 'VALIDATION_FAILED');
  t.equal(okJson<Subscription>(t, await admin.post('/api/v1/webhook-subscriptions', callback('admin')), 201).municipalityId, null, 'an admin subscription stays unfiltered');
});

t.test('a college sees and manages its own subscriptions only; an admin all of them', async (t) => {
  const { secret: _secret, ...mine } = okJson<Subscription & { secret: string }>(t, await heerlenCollege.post('/api/v1/webhook-subscriptions', callback('mine')), 201);
  const theirs = okJson<Subscription>(t, await maastrichtCollege.post('/api/v1/webhook-subscriptions', callback('theirs')), 201);
  const everyone = okJson<Subscription>(t, await admin.post('/api/v1/webhook-subscriptions', callback('everyone')), 201);

  const listed = await listAll<Subscription>(heerlenCollege, '/api/v1/webhook-subscriptions', 2);
  t.ok(listed.length >= 1 && listed.every((s) => s.municipalityId === heerlen.id), 'its list shows only its own');
  t.ok(listed.some((s) => s.id === mine.id));
  const all = (await listAll<Subscription>(admin, '/api/v1/webhook-subscriptions')).map((s) => s.id);
  t.ok([mine.id, theirs.id, everyone.id].every((id) => all.includes(id)), "the admin's list shows every one");

  for (const other of [theirs, everyone]) {
    problemOf(t, await heerlenCollege.get(`/api/v1/webhook-subscriptions/${other.id}`), 403, 'FORBIDDEN');
    problemOf(t, await heerlenCollege.get(`/api/v1/webhook-subscriptions/${other.id}/deliveries`), 403, 'FORBIDDEN');
    problemOf(t, await heerlenCollege.post(`/api/v1/webhook-subscriptions/${other.id}/deliveries/${randomUUID()}/redeliver`), 403, 'FORBIDDEN');
    problemOf(t, await heerlenCollege.delete(`/api/v1/webhook-subscriptions/${other.id}`), 403, 'FORBIDDEN');
    t.equal(okJson<Subscription>(t, await admin.get(`/api/v1/webhook-subscriptions/${other.id}`)).active, true, 'the refused DELETE left it active');
  }
  problemOf(t, await heerlenCollege.get(`/api/v1/webhook-subscriptions/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');

  t.same(okJson<Subscription>(t, await heerlenCollege.get(`/api/v1/webhook-subscriptions/${mine.id}`)), mine, 'its own: readable');
  t.same(okJson<{ items: unknown[] }>(t, await heerlenCollege.get(`/api/v1/webhook-subscriptions/${mine.id}/deliveries`)).items, [], 'its deliveries: readable');
  t.equal((await heerlenCollege.delete(`/api/v1/webhook-subscriptions/${mine.id}`)).statusCode, 204, 'its own: deletable');
  t.equal(okJson<Subscription>(t, await admin.get(`/api/v1/webhook-subscriptions/${mine.id}`)).active, false);
});
