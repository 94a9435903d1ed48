import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { amsterdamDateOf } from '../../../src/domain/clock.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../../helpers/app.js';
import { runOfflineVerifier } from '../../helpers/audit-verifier.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister } from '../../helpers/factories.js';

/**
 * A decision's history and its state as of a past moment, both read from the audit trail: the
 * WTMR story (created, edited, adopted, one college's vote, ...) with `GET /decisions/{id}`
 * recorded after each step, then asked back with `asOf`. The real clock runs: `asOf` compares
 * with the moments the trail recorded.
 */
const ctx = await startTestApp(t);
const { admin } = ctx;
const reader = ctx.as((await createKey(admin, 'reader')).key);
const { heerlen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);
const programme = await createProgramme(admin, { code: 'WTMR' });
const day = (offset: number) => amsterdamDateOf(new Date(Date.now() + offset * 86_400_000));

interface Served {
  at: string;
  etag: string;
  body: Decision;
}

/** GET /decisions/{id} as a client saw it, and the moment after the answer came. */
async function serve(id: string): Promise<Served> {
  const res = await reader.get(`/api/v1/decisions/${id}`);
  expectStatus(res, 200, 'GET decision');
  const at = new Date();
  // The next change is recorded at a later millisecond than this moment.
  while (Date.now() <= at.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
  return { at: at.toISOString(), etag: String(res.headers.etag), body: res.json<Decision>() };
}

const beforeAnything = new Date().toISOString();
await new Promise((resolve) => setTimeout(resolve, 2));
const draft = await createDecision(admin, {
  reference: `ESZL-PB-${randomUUID().slice(0, 8)}`,
  title: 'Principebesluit WTMR',
  boardMeetingDate: day(-30),
  commitments: [
    { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
    { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
  ],
  conditions: [{ description: 'Result criteria', dueDate: day(-1) }],
});
const id = draft.id;
const served: Served[] = [await serve(id)];
expectStatus(await admin.patch(`/api/v1/decisions/${id}`, { summary: 'Regional talent attraction' }), 200, 'patch');
served.push(await serve(id));
await adopt(admin, id, 'pending_ratification');
served.push(await serve(id));
expectStatus(await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId: maastricht.id, outcome: 'approve', decidedOn: day(-2) }), 201, 'vote');
served.push(await serve(id));
expectStatus(
  await admin.post(`/api/v1/decisions/${id}/conditions/${draft.conditions[0]!.id}/fulfil`, { fulfilledOn: day(0), evidence: 'Criteria' }),
  200,
  'fulfil',
);
served.push(await serve(id));
expectStatus(await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId: heerlen.id, outcome: 'reject', decidedOn: day(0) }), 201, 'reject');
served.push(await serve(id));

t.test('asOf at each moment a client read the decision answers exactly what it was served, ETag included', async (t) => {
  for (const [i, then] of served.entries()) {
    const res = await reader.get(`/api/v1/decisions/${id}?asOf=${then.at}`);
    t.equal(res.statusCode, 200, `moment ${i}`);
    t.same(res.json(), then.body, `moment ${i}: ${then.body.status}, ${then.body.ratification.votes.length} votes`);
    t.equal(res.headers.etag, then.etag, `moment ${i}: the same ETag`);
    t.equal(res.headers['cache-control'], 'no-store');
  }
  t.same(served.map((s) => s.body.status), ['draft', 'draft', 'pending_ratification', 'pending_ratification', 'pending_ratification', 'rejected']);
  t.equal(served[0]!.body.conditions[0]!.status, 'overdue', 'the condition was overdue (its due date was yesterday)');
});

t.test('the offline verifier rebuilds the decision as of each moment from an export alone, as the service does', async (t) => {
  const auditor = ctx.as((await createKey(admin, 'auditor')).key);
  const dir = mkdtempSync(join(tmpdir(), 'eszl-as-of-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'export.ndjson');
  writeFileSync(file, (await auditor.get('/api/v1/exports/audit-events')).body);
  for (const then of [served[0]!, served[3]!, served[served.length - 1]!]) {
    const offline = await runOfflineVerifier(file, '--decision', id, '--as-of', then.at);
    t.equal(offline.status, 0, offline.stderr);
    t.same(JSON.parse(offline.fields.decision!), then.body, `as of ${then.at}: ${then.body.status}`);
  }
  const before = await runOfflineVerifier(file, '--decision', id, '--as-of', beforeAnything);
  t.match(before.fields.decision, /^none/, 'before it existed: none');
});

t.test('asOf before the decision existed is 404; a date stands for the end of that day; the future for now', async (t) => {
  problemOf(t, await reader.get(`/api/v1/decisions/${id}?asOf=${beforeAnything}`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await reader.get(`/api/v1/decisions/${randomUUID()}?asOf=${served[0]!.at}`), 404, 'RESOURCE_NOT_FOUND');
  const today = okJson<Decision>(t, await reader.get(`/api/v1/decisions/${id}?asOf=${day(0)}`));
  t.same(today, served[served.length - 1]!.body, 'the end of today: the state now');
  problemOf(t, await reader.get(`/api/v1/decisions/${id}?asOf=${day(-60)}`), 404, 'RESOURCE_NOT_FOUND');
  t.same(okJson<Decision>(t, await reader.get(`/api/v1/decisions/${id}?asOf=2999-01-01T00:00:00Z`)), today);
});

t.test('If-None-Match with the ETag of the past representation answers 304', async (t) => {
  const then = served[2]!;
  const res = await reader.get(`/api/v1/decisions/${id}?asOf=${then.at}`, { 'if-none-match': then.etag });
  t.equal(res.statusCode, 304);
});

t.test('an asOf that is not a timestamp or a date answers 400 naming it', async (t) => {
  for (const bad of ['yesterday', '2026-02-30', '2026-02-03T25:00:00Z', '2026-02-03T10:00:00', '1']) {
    const problem = problemOf(t, await reader.get(`/api/v1/decisions/${id}?asOf=${encodeURIComponent(bad)}`), 400, 'VALIDATION_FAILED');
    t.ok(problem.paths.some((path) => path.includes('asOf')), `${bad}: ${problem.paths.join(', ')}`);
  }
});

interface HistoryPage {
  items: { seq: number; occurredAt: string; action: string; actor: { role: string }; decision: Decision }[];
  nextCursor: string | null;
}

t.test('the history lists every change with the decision right after it, in seq order, a page at a time', async (t) => {
  const all = okJson<HistoryPage>(t, await reader.get(`/api/v1/decisions/${id}/history`));
  t.same(all.items.map((item) => item.action), [
    'decision.created',
    'decision.updated',
    'decision.adopted',
    'vote.cast',
    'condition.fulfilled',
    'vote.cast',
    'decision.rejected',
  ]);
  t.equal(all.nextCursor, null);
  t.same(all.items.map((item) => item.decision.status).slice(-2), ['rejected', 'rejected']);
  t.same(all.items[all.items.length - 1]!.decision, served[served.length - 1]!.body);
  t.ok(all.items.every((item, i) => i === 0 || item.seq > all.items[i - 1]!.seq), 'seq order');
  t.equal(all.items[0]!.actor.role, 'admin');

  const first = okJson<HistoryPage>(t, await reader.get(`/api/v1/decisions/${id}/history?limit=3`));
  t.same(first.items, all.items.slice(0, 3));
  const second = okJson<HistoryPage>(t, await reader.get(`/api/v1/decisions/${id}/history?limit=3&cursor=${first.nextCursor}`));
  t.same(second.items, all.items.slice(3, 6));
});

t.test('the history of an unknown decision is 404; a bad cursor or limit is 400', async (t) => {
  problemOf(t, await reader.get(`/api/v1/decisions/${randomUUID()}/history`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await reader.get(`/api/v1/decisions/${id}/history?cursor=nonsense`), 400, 'VALIDATION_FAILED');
  problemOf(t, await reader.get(`/api/v1/decisions/${id}/history?limit=0`), 400, 'VALIDATION_FAILED');
});

t.test('events from before every event carried the decision: left out of the history, still applied by asOf', async (t) => {
  const pending = await createDecision(admin, {
    reference: `ESZL-PB-${randomUUID().slice(0, 8)}`,
    title: 'Older trail',
    boardMeetingDate: day(-30),
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }],
  });
  await adopt(admin, pending.id, 'pending_ratification');
  // An older vote.cast carried only the vote: written into the trail as such a service wrote it.
  const vote = { id: randomUUID(), decisionId: pending.id, municipalityId: heerlen.id, outcome: 'approve', decidedOn: day(0), reference: null, note: null, castAt: new Date().toISOString() };
  await ctx.db.database.db.execute(sql`
    insert into audit_events (seq, occurred_at, actor_key_id, actor_role, actor_organisation_id, action, resource_type, resource_id, data, prev_hash, hash)
    select seq + 1, now(), null, 'admin', null, 'vote.cast', 'decision', ${pending.id}, ${JSON.stringify({ vote })}::jsonb, hash, repeat('0', 64)
    from audit_head`);
  await ctx.db.database.db.execute(sql`update audit_head set seq = seq + 1`);
  const history = okJson<HistoryPage>(t, await reader.get(`/api/v1/decisions/${pending.id}/history`));
  t.same(history.items.map((item) => item.action), ['decision.created', 'decision.adopted']);
  const now = okJson<Decision>(t, await reader.get(`/api/v1/decisions/${pending.id}?asOf=${new Date(Date.now() + 1000).toISOString()}`));
  t.same(now.ratification.votes, [{ ...vote, collegeDecisionId: null }], 'the vote shows as of now');
});
