import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { amsterdamDateOf, fixedClock } from '../../../src/domain/clock.js';
import type { Grant360, PopoloVoteEvent } from '../../../src/domain/open-data.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { OpenDataGrant, OpenDataGrantPackage, PopoloVoteEvent as PopoloVoteEventSchema, PopoloVoteEvents } from '../../../src/http/open-data/schemas.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { expectStatus, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme } from '../../helpers/factories.js';

/**
 * Open data: the 360Giving package lists exactly the binding decisions (adopted, ratified,
 * settled) with their amounts in euros, and never a draft, pending, rejected, withdrawn or
 * superseded one; the vote events list exactly the ended ratifications. Both validate against
 * the schemas the OpenAPI document shows, are public by default, and are cacheable.
 * Superseded and settled decisions are set directly in the database (amendments and settlement
 * are other routes); today is pinned to 2026-03-01.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin, app } = ctx;
const anonymous = ctx.as(undefined);
const db = ctx.db.database.db;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
ajv.addSchema([OpenDataGrant, PopoloVoteEventSchema]);
const validPackage = ajv.compile(OpenDataGrantPackage);
const validVoteEvents = ajv.compile(PopoloVoteEvents);

interface Package {
  version: string;
  publisher: { identifier: string; name: string };
  grants: Grant360[];
}

async function grants(client: Client = anonymous): Promise<Package> {
  const res = await client.get('/api/v1/open-data/360giving.json');
  expectStatus(res, 200, '360giving');
  const body = res.json<Package>();
  if (!validPackage(body)) throw new Error(`not a valid package: ${JSON.stringify(validPackage.errors)}`);
  return body;
}

async function voteEvents(): Promise<PopoloVoteEvent[]> {
  const res = await anonymous.get('/api/v1/open-data/vote-events.json');
  expectStatus(res, 200, 'vote events');
  const body = res.json<{ vote_events: PopoloVoteEvent[] }>();
  if (!validVoteEvents(body)) throw new Error(`not valid vote events: ${JSON.stringify(validVoteEvents.errors)}`);
  return body.vote_events;
}

// Read before any decision exists; every subtest is declared after the set-up (tap ends the file when its subtests are done).
const emptyPackage = await grants();
const emptyVoteEvents = await voteEvents();

const eszl = await createOrganisation(admin, { name: 'Stichting ESZL', kind: 'foundation', kvkNumber: '14090089' });
const applicant = await createOrganisation(admin, { name: 'Stichting WTMR', kind: 'applicant', kvkNumber: '61234567' });
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const colleges = [heerlen.id, sittardGeleen.id, maastricht.id];
const wtmr = await createProgramme(admin, { code: 'WTMR', name: 'Welcome to Maastricht Region', ownerOrganisationId: eszl.id });

function draft(title: string, amounts: number[], applicantOrganisationId: string | null = null): Promise<Decision> {
  return createDecision(admin, {
    reference: `PB-${randomUUID().slice(0, 8)}`,
    title,
    summary: title === 'Adopted' ? null : `Summary of ${title}`,
    boardMeetingDate: '2026-02-10',
    applicantOrganisationId,
    commitments: amounts.map((amountCents, i) => ({ programmeId: wtmr.id, year: 2026 + i, amountCents })),
  });
}

async function votes(id: string, outcomes: ('approve' | 'reject')[]): Promise<void> {
  for (const [i, outcome] of outcomes.entries()) {
    expectStatus(await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId: colleges[i], outcome, decidedOn: `2026-02-2${i}` }), 201, 'vote');
  }
}

const drafted = await draft('Draft', [1_000_000]);
const adopted = await adopt(admin, (await draft('Adopted', [2_500_050], applicant.id)).id, 'adopted');
const pending = await draft('Pending', [14_000_000]);
await adopt(admin, pending.id, 'pending_ratification');
const ratified = await draft('Ratified', [14_000_000, 25_000_000]);
await adopt(admin, ratified.id, 'pending_ratification');
await votes(ratified.id, ['approve', 'approve', 'approve']);
const rejected = await draft('Rejected', [20_000_000]);
await adopt(admin, rejected.id, 'pending_ratification');
await votes(rejected.id, ['approve', 'reject']);
const withdrawnDraft = await draft('Withdrawn draft', [1_000_000]);
expectStatus(await admin.post(`/api/v1/decisions/${withdrawnDraft.id}/withdraw`, { reason: 'No longer needed' }), 200, 'withdraw');
const withdrawnPending = await draft('Withdrawn pending', [30_000_000]);
await adopt(admin, withdrawnPending.id, 'pending_ratification');
expectStatus(await admin.post(`/api/v1/decisions/${withdrawnPending.id}/withdraw`, { reason: 'Replaced' }), 200, 'withdraw');
const superseded = await draft('Superseded', [3_000_000]);
await adopt(admin, superseded.id, 'adopted');
await db.execute(sql`update decisions set status = 'superseded', superseded_at = now() where id = ${superseded.id}`);
const settled = await draft('Settled', [9_000_000]);
await adopt(admin, settled.id, 'adopted');
await db.execute(sql`update decisions set status = 'settled', settled_on = '2026-02-28', settled_at = now(), settlement_reference = 'VS-1' where id = ${settled.id}`);
await db.execute(sql`update decision_commitments set final_amount_cents = 8000000, disbursed_cents = 6000025 where decision_id = ${settled.id}`);
await db.execute(sql`insert into disbursements (decision_id, commitment_id, amount_cents, paid_on, reference)
                     select decision_id, id, 6000025, '2026-02-25', 'BET-2026-001' from decision_commitments where decision_id = ${settled.id}`);

t.test('with no binding decision the package has grants: []', async (t) => {
  t.same(emptyPackage.grants, []);
  t.equal(emptyPackage.version, '1.4');
  t.same(emptyVoteEvents, []);
});

t.test('the package lists exactly the adopted, ratified and settled decisions, amounts in euros', async (t) => {
  const body = await grants();
  const byId = new Map(body.grants.map((grant) => [grant.id, grant]));
  t.same([...byId.keys()].sort(), [adopted.id, ratified.id, settled.id].map((id) => `360G-ESZL-${id}`).sort());
  for (const never of [drafted, pending, rejected, withdrawnDraft, withdrawnPending, superseded]) {
    t.notOk(JSON.stringify(body).includes(never.id), `${never.title} never appears`);
  }
  t.same(body.publisher, { identifier: 'NL-KVK-14090089', name: 'Stichting ESZL' });

  const a = byId.get(`360G-ESZL-${adopted.id}`)!;
  t.match(a, { amountAwarded: 25_000.5, currency: 'EUR', description: 'Adopted', amountDisbursed: 0 });
  t.equal(a.awardDate, amsterdamDateOf(new Date(adopted.adoptedAt!)), 'awarded on its adoption day');
  t.same(a.recipientOrganization, [{ id: 'NL-KVK-61234567', name: 'Stichting WTMR' }]);
  t.same(a.fundingOrganization, [{ id: 'NL-KVK-14090089', name: 'Stichting ESZL' }]);

  const r = byId.get(`360G-ESZL-${ratified.id}`)!;
  t.match(r, { amountAwarded: 390_000, awardDate: '2026-02-22', description: 'Summary of Ratified' });
  t.same(r.recipientOrganization, [{ id: 'NL-KVK-14090089', name: 'Stichting ESZL' }], 'no applicant: the programme\'s owner');
  t.same(r.plannedDates, [{ startDate: '2026-01-01', endDate: '2027-12-31' }]);
  t.same(r.grantProgramme, [{ code: 'WTMR', title: 'Welcome to Maastricht Region' }]);

  const s = byId.get(`360G-ESZL-${settled.id}`)!;
  t.match(s, { amountAwarded: 80_000, amountDisbursed: 60_000.25 });
  t.match(s.disbursementTransaction, [{ transactionDate: '2026-02-25', value: 60_000.25, currency: 'EUR', description: 'BET-2026-001' }]);
});

t.test('the vote events are the ended ratifications, one vote per college', async (t) => {
  const events = await voteEvents();
  t.same(events.map((e) => e.id).sort(), [ratified.id, rejected.id].sort());
  const pass = events.find((e) => e.id === ratified.id)!;
  t.equal(pass.result, 'pass');
  t.same(pass.counts, [{ option: 'yes', value: 3 }, { option: 'no', value: 0 }]);
  t.equal(pass.votes.length, 3);
  const fail = events.find((e) => e.id === rejected.id)!;
  t.equal(fail.result, 'fail');
  t.same(fail.votes.map((v) => v.option).sort(), ['no', 'not voting', 'yes']);
});

t.test('public data: no key needed, cacheable by anyone, open to every origin, 304 until the register changes', async (t) => {
  const res = await anonymous.get('/api/v1/open-data/360giving.json', { origin: 'https://data.example.org' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'public, max-age=300');
  t.equal(res.headers['access-control-allow-origin'], '*');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  const etag = String(res.headers.etag);
  const again = await anonymous.get('/api/v1/open-data/360giving.json', { 'if-none-match': etag });
  t.equal(again.statusCode, 304);
  t.equal(again.headers['cache-control'], 'public, max-age=300');
  await createOrganisation(admin);
  const changed = await anonymous.get('/api/v1/open-data/360giving.json', { 'if-none-match': etag });
  t.equal(changed.statusCode, 200, 'a change of the register changes the ETag');
  t.not(changed.headers.etag, etag);
  t.not((await anonymous.get('/api/v1/open-data/vote-events.json')).headers.etag, changed.headers.etag, 'each document has its own tag');
});

t.test('OPEN_DATA=auth wants any key (cached privately); OPEN_DATA=off answers 404 to everyone', async (t) => {
  const auth = await startTestApp(t, { database: ctx.db, env: { OPEN_DATA: 'auth' } });
  problemOf(t, await auth.as(undefined).get('/api/v1/open-data/360giving.json'), 401, 'UNAUTHENTICATED');
  const reader = auth.as((await createKey(admin, 'reader')).key);
  const res = await reader.get('/api/v1/open-data/vote-events.json');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'private, max-age=300');
  const off = await startTestApp(t, { database: ctx.db, env: { OPEN_DATA: 'off' } });
  for (const url of ['/api/v1/open-data/360giving.json', '/api/v1/open-data/vote-events.json']) {
    problemOf(t, await off.as(undefined).get(url), 404, 'ROUTE_NOT_FOUND');
    const withKey = problemOf(t, await off.admin.get(url), 404, 'ROUTE_NOT_FOUND');
    t.equal(withKey.status, 404);
  }
  t.ok(app, 'the public app still serves');
});
