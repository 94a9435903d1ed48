import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { StatuteRule } from '../../../src/domain/records.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { okJson, problemOf, sortedErrorPaths } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme, getDecision } from '../../helpers/factories.js';

/**
 * Statute rules as versioned data, tried as a new user would: version 1 from the migration, a
 * rule added by an admin effective today (EUR 50,000, programme_year, require_ratification, 30
 * days), decisions before today following version 1 and saying so, decisions of today following
 * the new rule, the EUR 60,000 + EUR 60,000 pair flagged with its partner named, and decisions
 * adopted before the change keeping their threshold.
 */
const TODAY = '2026-03-01';
const ctx = await startTestApp(t, { clock: fixedClock(`${TODAY}T12:00:00Z`) });
const { admin } = ctx;
await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const rules = async (query = '', client: Client = admin) => okJson<Page<StatuteRule>>(t, await client.get(`/api/v1/statute-rules${query}`));

function draftBody(boardMeetingDate: string, amountCents: number, extra: Record<string, unknown> = {}) {
  return {
    reference: `SR-${randomUUID()}`,
    title: 'Contribution',
    boardMeetingDate,
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    ...extra,
  };
}

const RULE_V2 = {
  effectiveFrom: TODAY,
  thresholdCents: 5_000_000,
  splitting: { scope: 'programme_year', action: 'require_ratification' },
  ratificationPeriodDays: 30,
  reference: 'Statuten ESZL, art. 9 (wijziging 2026)',
  note: 'Threshold EUR 50,000; splitting per programme and year needs ratification.',
};

// Adopted under version 1 before any other rule exists.
const adoptedBefore = await adopt(admin, (await createDecision(admin, draftBody('2026-02-10', 6_000_000))).id, 'adopted');

t.test('version 1 comes from the migration and is readable by every role, with an ETag', async (t) => {
  const page = await rules();
  t.equal(page.items.length, 1);
  const v1 = page.items[0]!;
  t.match(v1, {
    version: 1,
    effectiveFrom: '2000-01-01',
    thresholdCents: 10_000_000,
    splitting: { scope: 'applicant_year', action: 'flag' },
    ratificationPeriodDays: null,
    fundCheck: 'flag',
    reference: 'Statuten ESZL',
  });
  for (const role of ['reader', 'college', 'auditor', 'secretariat']) {
    const organisation = role === 'college' ? (await createOrganisation(admin, { kind: 'municipality', centreMunicipality: true })).id : undefined;
    const client = ctx.as((await createKey(admin, role, organisation)).key);
    t.equal((await client.get(`/api/v1/statute-rules/${v1.id}`)).statusCode, 200, `${role} reads a rule`);
    t.equal((await rules('', client)).items.length, 1, `${role} lists the rules`);
  }
  const one = await admin.get(`/api/v1/statute-rules/${v1.id}`);
  t.same(okJson(t, one), v1);
  const etag = String(one.headers.etag);
  t.match(etag, /^"[^"]+"$/, 'a strong ETag');
  t.equal((await admin.get(`/api/v1/statute-rules/${v1.id}`, { 'if-none-match': etag })).statusCode, 304);
  problemOf(t, await admin.get(`/api/v1/statute-rules/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
});

t.test('only an admin adds a rule', async (t) => {
  problemOf(t, await secretariat.post('/api/v1/statute-rules', RULE_V2), 403, 'FORBIDDEN');
  problemOf(t, await ctx.as((await createKey(admin, 'auditor')).key).post('/api/v1/statute-rules', RULE_V2), 403, 'FORBIDDEN');
  t.equal((await rules()).items.length, 1, 'nothing was added');
});

t.test('bad input: every schema problem at once; effectiveFrom before today names the field', async (t) => {
  const bad = problemOf(
    t,
    await admin.post('/api/v1/statute-rules', {
      effectiveFrom: '2026-02-30',
      thresholdCents: -5,
      splitting: { scope: 'programme', action: 'warn' },
      ratificationPeriodDays: 366,
      fundCheck: 'stop',
      reference: 'x',
    }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(sortedErrorPaths(bad), ['/effectiveFrom', '/fundCheck', '/ratificationPeriodDays', '/splitting/action', '/splitting/scope', '/thresholdCents']);
  for (const [field, value] of [['thresholdCents', 1.5], ['thresholdCents', 0], ['ratificationPeriodDays', 0]] as const) {
    const problem = problemOf(t, await admin.post('/api/v1/statute-rules', { ...RULE_V2, [field]: value }), 400, 'VALIDATION_FAILED');
    t.same(problem.paths, [`/${field}`], `${field} ${value}`);
  }
  const past = problemOf(t, await admin.post('/api/v1/statute-rules', { ...RULE_V2, effectiveFrom: '2026-02-28' }), 400, 'VALIDATION_FAILED');
  t.same(past.paths, ['/effectiveFrom']);
  t.equal((await rules()).items.length, 1, 'nothing was added');
});

t.test('an admin adds version 2 effective today; it is never before or equal to the latest rule', async (t) => {
  const res = await admin.post('/api/v1/statute-rules', RULE_V2);
  const v2 = okJson<StatuteRule>(t, res, 201);
  t.match(v2, { version: 2, effectiveFrom: TODAY, thresholdCents: 5_000_000, splitting: RULE_V2.splitting, ratificationPeriodDays: 30, fundCheck: 'flag' });
  const audit = okJson<Page<{ action: string; resourceType: string; resourceId: string; data: { statuteRule: StatuteRule } }>>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=statute-rule&resourceId=${v2.id}`),
  );
  t.same(audit.items.map((e) => e.action), ['statute_rule.created']);
  t.same(audit.items[0]?.data.statuteRule, v2, 'the event carries the rule');

  problemOf(t, await admin.post('/api/v1/statute-rules', RULE_V2), 409, 'STATUTE_RULE_NOT_LATEST');
  const later = await admin.post('/api/v1/statute-rules', { ...RULE_V2, effectiveFrom: '2026-09-01', thresholdCents: 8_000_000, fundCheck: 'block' });
  const v3 = okJson<StatuteRule>(t, later, 201);
  t.equal(v3.version, 3);
  problemOf(t, await admin.post('/api/v1/statute-rules', { ...RULE_V2, effectiveFrom: '2026-08-31' }), 409, 'STATUTE_RULE_NOT_LATEST');

  t.same((await rules()).items.map((r) => r.version), [1, 2, 3], 'listed in version order');
  const pages = [await rules('?limit=2')];
  t.equal(pages[0]!.items.length, 2);
  pages.push(await rules(`?limit=2&cursor=${encodeURIComponent(pages[0]!.nextCursor!)}`));
  t.same(pages.flatMap((p) => p.items.map((r) => r.version)), [1, 2, 3], 'keyset pages');
  t.equal(pages[1]!.nextCursor, null);
  for (const [day, version] of [['2026-02-28', 1], [TODAY, 2], ['2026-08-31', 2], ['2026-09-01', 3], ['2100-01-01', 3]] as const) {
    t.same((await rules(`?effectiveOn=${day}`)).items.map((r) => r.version), [version], `in force on ${day}: version ${version}`);
  }
  t.same((await rules('?effectiveOn=1999-12-31')).items, [], 'before any rule');
  const afterV2 = encodeURIComponent(pages[0]!.nextCursor!);
  t.same((await rules(`?effectiveOn=2026-08-31&cursor=${afterV2}`)).items, [], 'the rule in force is not after version 2');
  t.same((await rules(`?effectiveOn=2026-09-01&cursor=${afterV2}`)).items.map((r) => r.version), [3], 'version 3 is');
  problemOf(t, await admin.get('/api/v1/statute-rules?effectiveOn=2026-13-01'), 400, 'VALIDATION_FAILED');
});

t.test('a decision whose board met before today follows version 1, and says so; one of today follows version 2', async (t) => {
  const before = await createDecision(admin, draftBody('2026-02-20', 6_000_000));
  t.match(before.ratification, { statuteRuleVersion: 1, thresholdCents: 10_000_000, required: false, reason: null, dueDate: null, overdue: false });
  const today = await createDecision(admin, draftBody(TODAY, 6_000_000));
  t.match(today.ratification, { statuteRuleVersion: 2, thresholdCents: 5_000_000, required: true });
  t.same(today.splitting, { suspected: false, cumulativeCents: null, relatedDecisionIds: [] }, 'a draft is never suspected');
  t.equal(today.fundCoverage, null, 'a draft has no fund coverage');

  const adoptedV1 = await adopt(admin, before.id, 'adopted');
  t.match(adoptedV1.ratification, { statuteRuleVersion: 1, thresholdCents: 10_000_000, required: false, reason: null });
  const pending = await adopt(admin, today.id, 'pending_ratification');
  t.match(pending.ratification, { statuteRuleVersion: 2, thresholdCents: 5_000_000, required: true, reason: 'threshold', dueDate: '2026-03-31', overdue: false });
});

t.test('decisions adopted before the change keep their original threshold', async (t) => {
  const now = await getDecision(admin, adoptedBefore.id);
  t.match(now.ratification, { statuteRuleVersion: 1, thresholdCents: 10_000_000, required: false });
  t.same(now, { ...adoptedBefore, fundCoverage: now.fundCoverage }, 'the view is unchanged');
});

t.test('the EUR 60,000 + EUR 60,000 pair of one applicant and year is flagged under version 1 and names its partner', async (t) => {
  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  const body = (amount: number) => draftBody('2026-02-20', amount, { applicantOrganisationId: applicant.id });
  const first = await adopt(admin, (await createDecision(admin, body(6_000_000))).id, 'adopted');
  t.same(first.splitting, { suspected: false, cumulativeCents: null, relatedDecisionIds: [] }, 'the first alone is under the threshold');
  const second = await adopt(admin, (await createDecision(admin, body(6_000_000))).id, 'adopted');
  t.same(second.splitting, { suspected: true, cumulativeCents: 12_000_000, relatedDecisionIds: [first.id] }, 'the second is suspected, naming the first');
  t.match(second.ratification, { statuteRuleVersion: 1, required: false, reason: null }, 'version 1 only flags');
  const events = okJson<Page<{ action: string }>>(t, await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${second.id}`));
  t.ok(events.items.some((e) => e.action === 'decision.splitting_suspected'), 'decision.splitting_suspected is raised');
  t.notOk(
    okJson<Page<{ action: string }>>(t, await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${first.id}`)).items.some(
      (e) => e.action === 'decision.splitting_suspected',
    ),
    'not on the first',
  );
  t.same((await getDecision(admin, second.id)).splitting, second.splitting, 'frozen on the decision');
});

t.test('under version 2, the pair in one programme and year goes to the colleges with reason splitting', async (t) => {
  const own = await createProgramme(admin);
  const body = (amount: number) => ({ ...draftBody(TODAY, amount), commitments: [{ programmeId: own.id, year: 2026, amountCents: amount }] });
  const first: Decision = await adopt(admin, (await createDecision(admin, body(3_000_000))).id, 'adopted');
  const second = await adopt(admin, (await createDecision(admin, body(2_000_000))).id, 'pending_ratification');
  t.same(second.splitting, { suspected: true, cumulativeCents: 5_000_000, relatedDecisionIds: [first.id] });
  t.match(second.ratification, { statuteRuleVersion: 2, required: true, reason: 'splitting', dueDate: '2026-03-31' });
  const centre = okJson<Page<{ id: string }>>(t, await admin.get('/api/v1/organisations?centreMunicipality=true'));
  t.same(second.ratification.requiredMunicipalityIds, centre.items.map((o) => o.id).sort(), 'every centre municipality is asked');
  const listed = okJson<Page<Decision>>(t, await admin.get(`/api/v1/decisions?status=pending_ratification&programmeId=${own.id}`));
  t.same(listed.items.map((d) => d.id), [second.id]);
});

t.test('rules added at the same moment keep versions gap-free and effectiveFrom increasing (201 or 409, never 5xx)', async (t) => {
  const before = (await rules('?limit=200')).items;
  const days = Array.from({ length: 12 }, (_, i) => `2027-${String((i % 12) + 1).padStart(2, '0')}-${String(10 + ((i * 7) % 15)).padStart(2, '0')}`);
  const answers = await Promise.all(days.map((effectiveFrom) => admin.post('/api/v1/statute-rules', { ...RULE_V2, effectiveFrom })));
  const statuses = answers.map((res) => (res.statusCode === 201 ? '201' : `${res.statusCode} ${res.json<{ code: string }>().code}`));
  t.ok(statuses.every((s) => s === '201' || s === '409 STATUTE_RULE_NOT_LATEST'), `answers: ${statuses.join(', ')}`);
  const after = (await rules('?limit=200')).items;
  t.equal(after.length - before.length, statuses.filter((s) => s === '201').length, 'one rule per 201');
  t.same(after.map((r) => r.version), after.map((_, i) => i + 1), 'versions 1, 2, 3... without gaps');
  t.ok(after.every((r, i) => i === 0 || r.effectiveFrom > after[i - 1]!.effectiveFrom), 'each version takes effect after the one before');
});
