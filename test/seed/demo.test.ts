import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { seedDemo } from '../../src/seed/demo.js';
import type { CollegeDecision } from '../../src/use-cases/college-decisions.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import type { FeedPage } from '../../src/use-cases/event-feed.js';
import { startTestApp } from '../helpers/app.js';
import { okJson, problemOf } from '../helpers/assertions.js';
import { createKey } from '../helpers/factories.js';

/**
 * The demo story, tried as a college's back office would: Maastricht's college decision of
 * 3 February 2026 approved WTMR and AMKB at once; Heerlen asks what awaits its vote, waits on
 * the event feed, and records one college decision approving both.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const ctx = await startTestApp(t, { clock });
const { admin, app } = ctx;
const demo = await seedDemo({ database: ctx.db.database, clock });

t.test('the seed: WTMR names its applicant; one college decision of Maastricht approves both decisions', async (t) => {
  const wtmr = okJson<Decision>(t, await admin.get(`/api/v1/decisions/${demo.decisionIds.wtmr}`));
  t.equal(wtmr.applicantOrganisationId, demo.applicantIds.wtmr);
  t.match(okJson(t, await admin.get(`/api/v1/organisations/${demo.applicantIds.wtmr}`)), { name: 'Welcome to Maastricht Region', kind: 'applicant' });
  t.same(wtmr.relatedDecisions, [{ decisionId: null, externalReference: '2023.048225', relation: 'continues' }]);

  const page = okJson<{ items: CollegeDecision[] }>(t, await admin.get(`/api/v1/college-decisions?municipalityId=${demo.municipalityIds.maastricht}`));
  t.equal(page.items.length, 1, 'one college decision');
  const [maastricht] = page.items as [CollegeDecision];
  t.match(maastricht, { decidedOn: '2026-02-03', documents: [{ kind: 'college_decision' }] });
  t.same(
    maastricht.votes.map((v) => [v.decisionId, v.outcome, v.note, v.decidedOn]),
    [
      [demo.decisionIds.wtmr, 'approve', 'Conform', '2026-02-03'],
      [demo.decisionIds.amkb, 'approve', 'Conform', '2026-02-03'],
    ],
  );
  for (const id of Object.values(demo.decisionIds)) {
    const decision = okJson<Decision>(t, await admin.get(`/api/v1/decisions/${id}`));
    t.equal(decision.status, 'pending_ratification', 'Heerlen and Sittard-Geleen have not voted yet');
    t.same(decision.ratification.votes.map((v) => v.collegeDecisionId), [maastricht.id]);
  }
});

t.test("Heerlen's back office: what awaits its vote, one college decision on both, seen by a waiting poller", async (t) => {
  const { heerlen, sittardGeleen } = demo.municipalityIds;
  const college = ctx.as((await createKey(admin, 'college', heerlen)).key);
  const awaiting = okJson<{ items: Decision[] }>(t, await college.get(`/api/v1/decisions?awaitingVoteOf=${heerlen}`));
  t.same(awaiting.items.map((d) => d.id), [demo.decisionIds.wtmr, demo.decisionIds.amkb], 'exactly the two decisions it has not voted on');

  const head = okJson<FeedPage>(t, await college.get(`/api/v1/events?municipalityId=${heerlen}&types=condition.overdue`)).lastSeq;
  const polled = college.get(`/api/v1/events?afterSeq=${head}&municipalityId=${heerlen}&waitSeconds=30`);
  while (app.eventFeed.waiting < 1) await new Promise((resolve) => setTimeout(resolve, 5));

  const invalid = await ctx.as((await createKey(admin, 'college', sittardGeleen)).key).post('/api/v1/college-decisions', {
    municipalityId: sittardGeleen,
    decidedOn: '2026-02-24',
    reference: 'Collegebesluit Sittard-Geleen 2026-02-24',
    votes: [
      { decisionId: demo.decisionIds.wtmr, outcome: 'approve' },
      { decisionId: randomUUID(), outcome: 'approve' },
    ],
  });
  t.same(problemOf(t, invalid, 404, 'RESOURCE_NOT_FOUND').paths, ['/votes/1/decisionId'], 'a second vote that is invalid names /votes/1/...');
  t.equal(okJson<Decision>(t, await admin.get(`/api/v1/decisions/${demo.decisionIds.wtmr}`)).ratification.votes.length, 1, 'and records nothing');

  const recorded = okJson<CollegeDecision>(
    t,
    await college.post('/api/v1/college-decisions', {
      municipalityId: heerlen,
      decidedOn: '2026-02-24',
      reference: 'Collegebesluit Heerlen 2026-02-24',
      votes: [
        { decisionId: demo.decisionIds.wtmr, outcome: 'approve' },
        { decisionId: demo.decisionIds.amkb, outcome: 'approve' },
      ],
    }),
    201,
  );
  const page = okJson<FeedPage>(t, await polled);
  t.same(
    page.items.map((item) => [item.type, item.decisionId]),
    [
      ['vote.cast', demo.decisionIds.wtmr],
      ['vote.cast', demo.decisionIds.amkb],
      ['college_decision.recorded', null],
    ],
    'the waiting poller gets both votes and the college decision',
  );
  t.ok(page.items.every((item, i) => i === 0 || item.seq === page.items[i - 1]!.seq + 1), 'in seq order');
  t.equal((page.items[2]!.data as { collegeDecision: { id: string } }).collegeDecision.id, recorded.id);
  t.same(okJson<{ items: Decision[] }>(t, await college.get(`/api/v1/decisions?awaitingVoteOf=${heerlen}`)).items, [], 'nothing awaits Heerlen any more');
});
