import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import t from 'tap';
import { BOOTSTRAP_KEY_ID } from '../../../../src/use-cases/api-keys.js';
import { mutationCases } from '../../../helpers/audit-mutations.js';
import {
  expectCatalogueEvents,
  expectStatus,
  expectTrailWhole,
  startAuditTrail,
  type AuditEvent,
  type Verdict,
} from '../../../helpers/audit-trail.js';
import { runOfflineVerifier } from '../../../helpers/audit-verifier.js';
import { playWtmrStory, worldTools, type DecisionJson } from '../../../helpers/audit-world.js';

/**
 * Reading the audit trail over HTTP: seq is gap-free from 1 and every hash links, the list
 * filters and pages, verify/export/snapshot agree with each other and with the offline verifier
 * (also while changes are being committed), and only auditors and admins may read any of it.
 * Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const GENESIS = '0000000000000000000000000000000000000000000000000000000000000000';

const trail = await startAuditTrail(t);
const { ctx, admin, adminHolder, auditor, reader, issueKey, verifyTrail, eventsAfter, listAll } = trail;
const { world } = await playWtmrStory(trail);

// A trail worth reading: after the story, one successful request of every mutating operation, so
// that it holds every kind of resource and runs over several pages.
for (const [operationId, mutation] of Object.entries(mutationCases(trail, world, worldTools(trail, world)))) {
  const { request, expect } = await mutation.prepare();
  const res = await request(undefined);
  expectStatus(res, (await expect(res)).status, operationId);
}

const tempDir = mkdtempSync(join(tmpdir(), 'eszl-audit-'));
t.teardown(() => rmSync(tempDir, { recursive: true, force: true }));

t.test('seq starts at 1 and increases by exactly 1; cursor pages of 7 equal one big page', async (t) => {
  const big = await auditor.client.get('/api/v1/audit-events?limit=200');
  t.equal(big.statusCode, 200);
  const all = big.json<{ items: AuditEvent[]; nextCursor: string | null }>();
  t.equal(all.nextCursor, null, `one page of 200 holds the whole trail (${all.items.length} events)`);
  t.ok(all.items.length > 60, 'the trail has grown over this file');
  t.same(all.items.map((e) => e.seq), all.items.map((_, i) => i + 1), 'seq runs 1, 2, 3, ... without gaps');

  const first = all.items[0]!;
  t.match(first, { seq: 1, action: 'apikey.created', resourceType: 'apikey', resourceId: BOOTSTRAP_KEY_ID, prevHash: GENESIS }, 'seq 1 installs the bootstrap admin key on the genesis hash');
  t.same(first.actor, { keyId: null, role: 'system', organisationId: null }, 'by the system itself');

  let expectedPrev = GENESIS;
  let broken = 0;
  for (const event of all.items) {
    const { prevHash, hash, ...body } = event;
    const recomputed = createHash('sha256').update(prevHash + canonicalize(body)).digest('hex');
    if (prevHash !== expectedPrev || hash !== recomputed) broken++;
    expectedPrev = hash;
  }
  t.equal(broken, 0, 'every hash is SHA-256(prevHash + JCS(event without hashes)), recomputed here independently, and links to the one before');

  const paged: AuditEvent[] = [];
  const pageSizes: number[] = [];
  let url = '/api/v1/audit-events?limit=7';
  for (;;) {
    const res = await auditor.client.get(url);
    t.equal(res.statusCode, 200);
    const page = res.json<{ items: AuditEvent[]; nextCursor: string | null }>();
    paged.push(...page.items);
    pageSizes.push(page.items.length);
    if (page.nextCursor === null) break;
    t.type(page.nextCursor, 'string');
    url = `/api/v1/audit-events?limit=7&cursor=${encodeURIComponent(page.nextCursor)}`;
    if (pageSizes.length > 100) break;
  }
  t.same(paged, all.items, 'the pages of 7, followed by nextCursor, are the big page exactly');
  t.ok(pageSizes.slice(0, -1).every((n) => n === 7), 'every page but the last holds 7 events');
  t.ok(pageSizes[pageSizes.length - 1]! >= 1 && pageSizes[pageSizes.length - 1]! <= 7, 'the last page holds 1 to 7');
  for (let i = 1; i < paged.length; i++) {
    if (paged[i]!.seq !== paged[i - 1]!.seq + 1) t.fail(`seq jumps from ${paged[i - 1]!.seq} to ${paged[i]!.seq} across pages`);
  }
});

t.test('the afterSeq, resourceType and resourceId filters select exactly the matching events', async (t) => {
  const all = await eventsAfter(0);
  const { wtmr, heerlen } = world;

  const after = await auditor.client.get('/api/v1/audit-events?afterSeq=10&limit=200');
  t.same(after.json<{ items: AuditEvent[] }>().items, all.filter((e) => e.seq > 10), 'afterSeq=10 starts at seq 11');
  t.equal(after.json<{ items: AuditEvent[] }>().items[0]!.seq, 11);

  const beyond = await auditor.client.get(`/api/v1/audit-events?afterSeq=${all.length}`);
  t.same(beyond.json(), { items: [], nextCursor: null }, 'afterSeq at the head gives an empty page');

  const decisions = await eventsAfter(0, '&resourceType=decision');
  t.same(decisions, all.filter((e) => e.resourceType === 'decision'), 'resourceType=decision');
  t.ok(decisions.length > 10);

  const organisationEvents = await eventsAfter(0, '&resourceType=organisation');
  t.same(organisationEvents, all.filter((e) => e.resourceType === 'organisation'), 'resourceType=organisation');

  const ofWtmr = await eventsAfter(0, `&resourceId=${wtmr.id}`);
  t.same(
    ofWtmr.map((e) => e.action),
    ['decision.created', 'decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'],
    'resourceId of the WTMR decision gives its whole history, votes included',
  );
  t.same(ofWtmr, all.filter((e) => e.resourceId === wtmr.id));

  const ofHeerlen = await eventsAfter(0, `&resourceType=organisation&resourceId=${heerlen.id}`);
  t.same(ofHeerlen.map((e) => e.action), ['organisation.created'], 'resourceType and resourceId combine');
  const mismatch = await eventsAfter(0, `&resourceType=programme&resourceId=${wtmr.id}`);
  t.same(mismatch, [], 'a resourceId under another resourceType matches nothing');

  const combined = await eventsAfter(20, '&resourceType=decision');
  t.same(combined, all.filter((e) => e.seq > 20 && e.resourceType === 'decision'), 'afterSeq combines with resourceType');

  const filteredPages: AuditEvent[] = [];
  let url = `/api/v1/audit-events?resourceType=decision&limit=3`;
  for (let i = 0; i < 200; i++) {
    const page = (await auditor.client.get(url)).json<{ items: AuditEvent[]; nextCursor: string | null }>();
    filteredPages.push(...page.items);
    if (page.nextCursor === null) break;
    url = `/api/v1/audit-events?resourceType=decision&limit=3&cursor=${encodeURIComponent(page.nextCursor)}`;
  }
  t.same(filteredPages, decisions, 'cursor paging keeps the filter');

  for (const query of ['afterSeq=-1', 'limit=0', 'limit=201', 'resourceId=not-a-uuid', 'cursor=bm9wZQ', 'unknown=1']) {
    const res = await auditor.client.get(`/api/v1/audit-events?${query}`);
    t.equal(res.statusCode, 400, `${query} is invalid input: 400`);
  }
  // A cursor is opaque and only nextCursor values are valid (any other is invalid input: 400, as
  // on every other list). These decode to an empty string, which the audit list reads as seq 0.
  for (const cursor of ['!!!', '....', 'c2VxOg']) {
    const res = await auditor.client.get(`/api/v1/audit-events?cursor=${encodeURIComponent(cursor)}`);
    t.equal(res.statusCode, 400, `cursor=${cursor} is not a cursor this API returned: 400 (got ${res.statusCode})`);
    const organisations = await reader.client.get(`/api/v1/organisations?cursor=${encodeURIComponent(cursor)}`);
    t.equal(organisations.statusCode, 400, `as the organisations list answers to cursor=${cursor}`);
  }
});

t.test('verify answers valid with the count and the hash of the last event', async (t) => {
  const all = await eventsAfter(0);
  const res = await auditor.client.get('/api/v1/audit-events/verify');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.same(res.json(), { valid: true, count: all.length, headHash: all[all.length - 1]!.hash, firstInvalidSeq: null });
  t.equal(all[all.length - 1]!.seq, all.length, 'the count is the last seq');
});

t.test('the NDJSON export equals the listed events and passes the offline verifier', async (t) => {
  const all = await eventsAfter(0);
  const verdict = await verifyTrail();
  const res = await auditor.client.get('/api/v1/exports/audit-events');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/x-ndjson/, 'content-type is application/x-ndjson');
  t.ok(res.body.endsWith('\n'), 'every line ends with a newline');
  const lines = res.body.split('\n').slice(0, -1);
  t.equal(lines.length, all.length, 'one line per event');
  t.same(
    lines.map((line) => JSON.parse(line) as AuditEvent),
    all,
    'line by line the export is the listed events, in seq order',
  );
  t.ok(lines.every((line) => !line.includes('\n') && line.startsWith('{"seq":')), 'each line is one JSON object, seq first');

  const file = join(tempDir, 'export.ndjson');
  writeFileSync(file, res.body);
  const offline = await runOfflineVerifier(file);
  t.equal(offline.status, 0, `the offline verifier exits 0 (stdout: ${offline.stdout} stderr: ${offline.stderr.slice(0, 300)})`);
  t.same(
    offline.fields,
    { verdict: 'VALID', count: String(verdict.count), headHash: verdict.headHash, firstInvalidSeq: 'none' },
    'VALID, with the same count and head hash as verify',
  );

  const anchored = await runOfflineVerifier(file, '--head', verdict.headHash);
  t.equal(anchored.status, 0, 'given the right head hash it still exits 0');
  t.equal(anchored.fields.verdict, 'VALID');

  const wrongHead = await runOfflineVerifier(file, '--head', 'f'.repeat(64));
  t.equal(wrongHead.status, 1, 'given another head hash it exits 1');
  t.equal(wrongHead.fields.verdict, 'INVALID');
});

t.test('the snapshot holds everything, whole, at the audit head', async (t) => {
  const verdict = await verifyTrail();
  const res = await auditor.client.get('/api/v1/exports/snapshot');
  t.equal(res.statusCode, 200);
  const snapshot = res.json<{
    generatedAt: string;
    auditHeadSeq: number;
    auditHeadHash: string;
    organisations: { id: string }[];
    programmes: { id: string }[];
    decisions: DecisionJson[];
    statuteRules: { version: number; effectiveFrom: string; thresholdCents: number; reference: string }[];
  }>();
  t.same(
    Object.keys(snapshot).slice(0, 7),
    ['generatedAt', 'auditHeadSeq', 'auditHeadHash', 'organisations', 'programmes', 'decisions', 'statuteRules'],
    'the head and the first four lists come first, as they always did (the other lists: snapshot.test.ts)',
  );
  t.match(snapshot.statuteRules, [{ version: 1, effectiveFrom: '2000-01-01', thresholdCents: 10_000_000, reference: 'Statuten ESZL' }], 'every statute rule');
  t.equal(snapshot.generatedAt, '2026-03-01T12:00:00.000Z', 'generatedAt is the (pinned) time of the request');
  t.equal(snapshot.auditHeadSeq, verdict.count, 'auditHeadSeq is the count of verify');
  t.equal(snapshot.auditHeadHash, verdict.headHash, 'auditHeadHash is the head hash of verify');
  t.same(snapshot.organisations, await listAll('/api/v1/organisations'), 'every organisation, as the API lists them');
  t.same(snapshot.programmes, await listAll('/api/v1/programmes'), 'every programme, as the API lists them');
  t.same(snapshot.decisions, await listAll('/api/v1/decisions'), 'every decision, whole, as the API lists them');

  const { wtmr, heerlen, sittardGeleen, maastricht } = world;
  const story = snapshot.decisions.find((d) => d.id === wtmr.id);
  t.same(story, wtmr, 'the WTMR decision is there whole');
  t.same(story?.commitments.map((c) => [c.year, c.amountCents]), [[2026, 14_000_000], [2027, 25_000_000]], 'with its commitments');
  t.equal(story?.conditions.length, 1, 'its condition');
  t.same(
    story?.ratification.votes.map((v) => v.municipalityId),
    [heerlen.id, sittardGeleen.id, maastricht.id],
    'and its three votes in the order they were cast',
  );
});

t.test('only auditor and admin keys may read the audit trail and exports', async (t) => {
  const { secretariat, college } = world;
  const urls = ['/api/v1/audit-events', '/api/v1/audit-events/verify', '/api/v1/exports/audit-events', '/api/v1/exports/snapshot'];
  const revokedAuditor = await issueKey('auditor');
  expectStatus(await admin.delete(`/api/v1/api-keys/${revokedAuditor.actor.keyId}`), 204, 'revoke');
  for (const url of urls) {
    for (const [role, holder] of [['reader', reader], ['secretariat', secretariat], ['college', college.heerlen]] as const) {
      const res = await holder.client.get(url);
      t.equal(res.statusCode, 403, `${role}: 403 on ${url}`);
      t.match(String(res.headers['content-type']), /^application\/problem\+json/);
      t.equal(res.json<{ code: string }>().code, 'FORBIDDEN');
    }
    for (const [role, holder] of [['auditor', auditor], ['admin', adminHolder]] as const) {
      t.equal((await holder.client.get(url)).statusCode, 200, `${role}: 200 on ${url}`);
    }
    t.equal((await ctx.as(undefined).get(url)).statusCode, 401, `no key: 401 on ${url}`);
    t.equal((await revokedAuditor.client.get(url)).statusCode, 401, `a revoked auditor key: 401 on ${url}`);
  }
});

t.test('verify does not call an untampered trail invalid while changes are being committed', async (t) => {
  // verify reads audit_head and then the rows; a change committed in between adds rows beyond
  // the head it read. Nothing was tampered with, so every verdict must be valid.
  const { secretariat } = world;
  const verdicts: Verdict[] = [];
  const writes = Array.from({ length: 30 }, (_, i) => secretariat.client.post('/api/v1/organisations', { name: `Concurrent ${i}`, kind: 'other' }));
  const reads = Array.from({ length: 30 }, async () => {
    const res = await auditor.client.get('/api/v1/audit-events/verify');
    if (res.statusCode === 200) verdicts.push(res.json<Verdict>());
    else t.fail(`verify answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
  });
  const written = await Promise.all(writes);
  await Promise.all(reads);
  t.same(written.map((res) => res.statusCode), written.map(() => 201), 'every concurrent change succeeded');
  const invalid = verdicts.filter((verdict) => !verdict.valid);
  t.equal(
    invalid.length,
    0,
    `every verdict taken during the writes is valid (${invalid.length} of ${verdicts.length} were not, e.g. ${JSON.stringify(invalid[0] ?? null)})`,
  );
  const after = await verifyTrail();
  t.equal(after.valid, true, 'and the chain itself is intact afterwards');
});

t.test('the trail is still whole and valid at the end of the file, each event with its catalogue payload', async (t) => {
  expectCatalogueEvents(t, await expectTrailWhole(t, trail));
});
