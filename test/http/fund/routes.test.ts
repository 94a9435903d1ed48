import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { FundContribution } from '../../../src/domain/records.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import type { FundPosition } from '../../../src/use-cases/fund.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { okJson, problemOf, sortedErrorPaths } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme, listAll } from '../../helpers/factories.js';

/**
 * The ESZL fund over HTTP: municipal contributions, the fund's position (contributed, binding,
 * pending, disbursed, uncommitted, per year), the coverage frozen into each decision at adoption
 * with decision.fund_insufficient when the fund falls short, and the `block` fund check. (The
 * co-financing of programmes by others: test/http/programmes/co-financing-routes.test.ts.)
 */
const TODAY = '2026-03-01';
const ctx = await startTestApp(t, { clock: fixedClock(`${TODAY}T12:00:00Z`) });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const wtmr = await createProgramme(admin, { code: 'WTMR' });
const amkb = await createProgramme(admin, { code: 'AMKB' });
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const fund = async (client: Client = admin) => okJson<FundPosition>(t, await client.get('/api/v1/fund'));
const contribute = (organisationId: string, year: number, amountCents: number, client: Client = secretariat) =>
  client.post('/api/v1/fund/contributions', { organisationId, year, amountCents, receivedOn: '2026-01-15', reference: `Bijdrage ${year}` });

async function decision(commitments: [string, number, number][], boardMeetingDate = '2026-02-10'): Promise<Decision> {
  return createDecision(admin, {
    reference: `FUND-${randomUUID()}`,
    title: 'Contribution',
    boardMeetingDate,
    commitments: commitments.map(([programmeId, year, amountCents]) => ({ programmeId, year, amountCents })),
  });
}

async function actionsOf(id: string): Promise<string[]> {
  return okJson<Page<{ action: string }>>(t, await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${id}`)).items.map((e) => e.action);
}

t.test('an empty fund: every amount 0; the first adoption is recorded as not covered', async (t) => {
  t.same(await fund(reader), { contributedCents: 0, bindingCents: 0, pendingCents: 0, disbursedCents: 0, uncommittedCents: 0, years: [] });
  problemOf(t, await reader.get('/api/v1/fund?year=2026'), 400, 'VALIDATION_FAILED');
  const etag = String((await reader.get('/api/v1/fund')).headers.etag);
  t.equal((await reader.get('/api/v1/fund', { 'if-none-match': etag })).statusCode, 304, 'an ETag; 304 while the fund is unchanged');
  const small = await adopt(admin, (await decision([[wtmr.id, 2025, 100_000]])).id, 'adopted');
  t.same(small.fundCoverage, { uncommittedCentsBefore: 0, sufficient: false }, 'no contribution: nothing covers it');
  t.same(await actionsOf(small.id), ['decision.created', 'decision.adopted', 'decision.fund_insufficient']);
  const after = await fund();
  t.match(after, { contributedCents: 0, bindingCents: 100_000, uncommittedCents: -100_000 }, 'the fund is overcommitted: uncommitted may be negative');
  t.equal((await reader.get('/api/v1/fund', { 'if-none-match': etag })).statusCode, 200, 'a new ETag once it changed');
});

t.test('contributions come from municipalities only; bad input lists every problem', async (t) => {
  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  const notMunicipality = problemOf(t, await contribute(applicant.id, 2026, 100), 400, 'VALIDATION_FAILED');
  t.same(notMunicipality.paths, ['/organisationId']);
  problemOf(t, await contribute(randomUUID(), 2026, 100), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  const kerkrade = await createOrganisation(admin, { kind: 'municipality', name: 'Gemeente Kerkrade' });
  t.equal((await contribute(kerkrade.id, 2026, 100)).statusCode, 201, 'a municipality that is not a centre municipality may contribute');
  const bad = problemOf(
    t,
    await secretariat.post('/api/v1/fund/contributions', { organisationId: 'x', year: 1999, amountCents: 0, receivedOn: '2026-02-30', reference: '' }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(sortedErrorPaths(bad), ['/amountCents', '/organisationId', '/receivedOn', '/reference', '/year']);
  problemOf(t, await contribute(heerlen.id, 2026, -5), 400, 'VALIDATION_FAILED');
  problemOf(t, await contribute(heerlen.id, 2026, 100, reader), 403, 'FORBIDDEN');
  problemOf(t, await contribute(heerlen.id, 2026, 100, ctx.as((await createKey(admin, 'college', heerlen.id)).key)), 403, 'FORBIDDEN');
});

t.test('the three municipalities fund 2026 and 2027; the fund shows what binds, what awaits the colleges and what remains', async (t) => {
  const start = await fund();
  for (const municipality of [heerlen, sittardGeleen, maastricht]) {
    const res = await contribute(municipality.id, 2026, 12_000_000);
    const contribution = okJson<FundContribution>(t, res, 201);
    t.match(contribution, { organisationId: municipality.id, year: 2026, amountCents: 12_000_000, receivedOn: '2026-01-15', reference: 'Bijdrage 2026' });
    okJson(t, await contribute(municipality.id, 2027, 10_000_000), 201);
  }
  const listed = await listAll<FundContribution>(reader, `/api/v1/fund/contributions?organisationId=${heerlen.id}`, 1);
  t.same(listed.map((c) => [c.year, c.amountCents]), [[2026, 12_000_000], [2027, 10_000_000]], 'filter by organisation, pages of one');
  t.equal((await listAll<FundContribution>(reader, '/api/v1/fund/contributions?year=2027')).length, 3, 'filter by year');

  const funded = await fund();
  t.equal(funded.contributedCents - start.contributedCents, 66_000_000);
  const before = funded.uncommittedCents;

  // WTMR (EUR 390,000 over two years, needs the colleges) and AMKB (EUR 202,500).
  const wtmrDecision = await adopt(admin, (await decision([[wtmr.id, 2026, 14_000_000], [wtmr.id, 2027, 25_000_000]])).id, 'pending_ratification');
  t.same(wtmrDecision.fundCoverage, { uncommittedCentsBefore: before, sufficient: true });
  const amkbDecision = await adopt(admin, (await decision([[amkb.id, 2026, 9_000_000]])).id, 'adopted');
  t.same(amkbDecision.fundCoverage, { uncommittedCentsBefore: before - 39_000_000, sufficient: true }, 'the next adoption sees what the first committed');
  t.notOk((await actionsOf(amkbDecision.id)).includes('decision.fund_insufficient'));

  const position = await fund(reader);
  const year = (y: number) => position.years.find((entry) => entry.year === y);
  t.match(year(2026), { year: 2026, pendingCents: 14_000_000, bindingCents: 9_000_000, disbursedCents: 0 });
  t.match(year(2027), { year: 2027, contributedCents: 30_000_000, bindingCents: 0, pendingCents: 25_000_000, uncommittedCents: 5_000_000 });
  t.equal(position.uncommittedCents, before - 48_000_000, 'uncommitted = contributed - binding - pending');
  t.equal(position.uncommittedCents, position.contributedCents - position.bindingCents - position.pendingCents);
  t.same(position.years.map((y) => y.year), [...position.years.map((y) => y.year)].sort(), 'years in order');

  // A decision larger than what remains is adopted, flagged.
  const remaining = position.uncommittedCents;
  const tooLarge = await adopt(admin, (await decision([[amkb.id, 2026, remaining + 1]])).id, 'pending_ratification');
  t.same(tooLarge.fundCoverage, { uncommittedCentsBefore: remaining, sufficient: false });
  t.same(await actionsOf(tooLarge.id), ['decision.created', 'decision.adopted', 'decision.fund_insufficient']);
  const frozen = okJson<Decision>(t, await admin.get(`/api/v1/decisions/${amkbDecision.id}`));
  t.same(frozen.fundCoverage, amkbDecision.fundCoverage, 'coverage stays as it was at adoption');

  // A withdrawal of the pending decision frees its money.
  okJson(t, await admin.post(`/api/v1/decisions/${wtmrDecision.id}/withdraw`, { reason: 'Replaced' }));
  t.equal((await fund()).uncommittedCents, remaining - (remaining + 1) + 39_000_000);
});

t.test('with fundCheck block, a decision the fund does not cover is refused with 409 and nothing changes', async (t) => {
  okJson(t, await admin.post('/api/v1/statute-rules', { effectiveFrom: '2026-04-01', thresholdCents: 10_000_000, splitting: { scope: 'none', action: 'flag' }, fundCheck: 'block', reference: 'Statuten, fund check' }), 201);
  const uncommitted = (await fund()).uncommittedCents;
  const gap = uncommitted - 2_000_000;
  if (gap > 0) await adopt(admin, (await decision([[amkb.id, 2027, gap]])).id, gap >= 10_000_000 ? 'pending_ratification' : 'adopted');
  else okJson(t, await contribute(heerlen.id, 2026, -gap), 201);
  t.equal((await fund()).uncommittedCents, 2_000_000, 'EUR 20,000 remains');
  const tooLarge = await decision([[wtmr.id, 2026, 2_000_001]], '2026-04-01');
  const headBefore = okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count;
  problemOf(t, await admin.post(`/api/v1/decisions/${tooLarge.id}/adopt`), 409, 'INSUFFICIENT_FUNDS');
  t.equal(okJson<Decision>(t, await admin.get(`/api/v1/decisions/${tooLarge.id}`)).status, 'draft', 'still a draft');
  t.equal(okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count, headBefore, 'no event written');
  const exact = await adopt(admin, (await decision([[wtmr.id, 2026, 2_000_000]], '2026-04-01')).id, 'adopted');
  t.same(exact.fundCoverage, { uncommittedCentsBefore: 2_000_000, sufficient: true }, 'exactly what remains is covered');
  const underV1 = await adopt(admin, (await decision([[wtmr.id, 2026, 1]], '2026-03-01')).id, 'adopted');
  t.same(underV1.fundCoverage, { uncommittedCentsBefore: 0, sufficient: false }, 'a decision under version 1 (flag) is adopted, flagged');
});
