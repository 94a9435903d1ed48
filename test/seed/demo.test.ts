import t from 'tap';
import { systemClock } from '../../src/domain/clock.js';
import { seedDemo } from '../../src/seed/demo.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';

/**
 * The demo story as a new user tries it: the WTMR decision as of 2026-02-02 shows no vote, as of
 * 2026-02-04 Maastricht's; the trail is dated as the story happened and still verifies.
 */
const ctx = await startTestApp(t);
const lines: string[] = [];
const demo = await seedDemo({ database: ctx.db.database, clock: systemClock }, (line) => lines.push(line));
const wtmr = demo.decisionIds.wtmr;

t.test('WTMR as of 2026-02-02 awaits ratification without a vote; as of 2026-02-04 it has Maastricht\'s', async (t) => {
  const before = okJson<Decision>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}?asOf=2026-02-02`));
  t.equal(before.status, 'pending_ratification');
  t.same(before.ratification.votes, []);
  t.equal(before.conditions[0]!.status, 'open', 'the condition was not due yet');
  const after = okJson<Decision>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}?asOf=2026-02-04T12:00:00Z`));
  t.match(after.ratification.votes, [{ municipalityId: demo.municipalityIds.maastricht, outcome: 'approve', decidedOn: '2026-02-03' }]);
  const december = okJson<Decision>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}?asOf=2025-12-01`));
  t.equal(december.adoptedAt, '2025-11-19T14:00:00.000Z', 'adopted at the board meeting');
  t.equal((await ctx.admin.get(`/api/v1/decisions/${wtmr}?asOf=2025-11-01`)).statusCode, 404, 'not yet registered');
});

t.test('the trail is dated as the story happened and verifies', async (t) => {
  t.ok(lines.some((line) => line.includes('dates each step as it happened')), lines.join('\n'));
  const history = okJson<{ items: { occurredAt: string; action: string }[] }>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}/history`));
  t.same(history.items.map((item) => [item.action, item.occurredAt.slice(0, 10)]), [
    ['decision.created', '2025-11-12'],
    ['decision.adopted', '2025-11-19'],
    ['vote.cast', '2026-02-03'],
  ]);
  t.match(okJson(t, await ctx.admin.get('/api/v1/audit-events/verify')), { valid: true, firstInvalidSeq: null });
  const now = okJson<Decision>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}`));
  t.equal(now.createdAt, '2025-11-12T09:00:00.000Z', 'the register\'s own timestamps tell the same story');
  t.equal(now.ratification.votes[0]!.castAt, '2026-02-03T15:00:00.000Z');
});
