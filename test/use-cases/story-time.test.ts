import t from 'tap';
import { systemClock } from '../../src/domain/clock.js';
import { seedDemo } from '../../src/seed/demo.js';
import { StoryTime } from '../../src/use-cases/story-time.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';

/**
 * The demo story as a new user tries it: dated as it happened, the WTMR decision as of 2026-02-02
 * shows no vote and as of 2026-02-04 Maastricht's, and the trail still verifies. And dating a
 * story is refused once it is no longer the seed's own, unsigned, latest part of the trail.
 */
const ctx = await startTestApp(t);
const service = { database: ctx.db.database, clock: systemClock };
const lines: string[] = [];
const demo = await seedDemo(service, (line) => lines.push(line));
const wtmr = demo.decisionIds.wtmr;
const organisation = (name: string) => createOrganisation(service, SYSTEM_CALLER, { name, kind: 'applicant' });
const verdict = async () => okJson<{ valid: boolean; headHash: string }>(t, await ctx.admin.get('/api/v1/audit-events/verify'));

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
    ['indicator.defined', '2025-11-17'],
    ['decision.adopted', '2025-11-19'],
    ['vote.cast', '2026-02-03'],
  ]);
  t.match(okJson(t, await ctx.admin.get('/api/v1/audit-events/verify')), { valid: true, firstInvalidSeq: null });
  const now = okJson<Decision>(t, await ctx.admin.get(`/api/v1/decisions/${wtmr}`));
  t.equal(now.createdAt, '2025-11-12T09:00:00.000Z', 'the register\'s own timestamps tell the same story');
  t.equal(now.ratification.votes[0]!.castAt, '2026-02-03T15:00:00.000Z');
});

t.test('a story followed by another change, or signed by a checkpoint, keeps today\'s dates', async (t) => {
  const story = new StoryTime(service);
  await story.step('2025-01-01T10:00:00Z', () => organisation('Story'));
  await organisation('Someone else, meanwhile');
  const before = await verdict();
  t.equal(await story.retell(), false, 'another change came after it');
  t.same(await verdict(), before, 'nothing was rewritten');

  const signed = new StoryTime(service);
  await signed.step('2025-01-01T10:00:00Z', () => organisation('Signed story'));
  t.ok(await ctx.app.auditCheckpoints.issue());
  t.equal(await signed.retell(), false, 'a checkpoint signed it');

  const fine = new StoryTime(service);
  await fine.step('2025-01-01T10:00:00Z', () => organisation('Dated story'));
  t.equal(await fine.retell(), true);
  t.equal((await verdict()).valid, true, 'the chain verifies after dating');
});
