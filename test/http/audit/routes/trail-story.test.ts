import t from 'tap';
import {
  ADMIN_ACTOR,
  expectCatalogueEvents,
  expectTrailWhole,
  startAuditTrail,
  type Actor,
  type AuditEvent,
} from '../../../helpers/audit-trail.js';
import { playWtmrStory, type DecisionJson } from '../../../helpers/audit-world.js';

/**
 * The audit trail over HTTP, told as the WTMR story: every change of a whole ratification,
 * from the municipalities' registration to the third college's approval, is in the export once,
 * in order, with the actor of the key that made it, and no key's secret is. Today
 * (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const trail = await startAuditTrail(t);
const { auditor } = trail;

t.test('the WTMR story played over HTTP leaves every change in the export with the right actor', async (t) => {
  const { world, start, contributions, voteIds } = await playWtmrStory(trail, t);
  const { secretariat, heerlen, sittardGeleen, maastricht, applicant, programme, college, wtmr } = world;

  const exportRes = await auditor.client.get('/api/v1/exports/audit-events');
  t.equal(exportRes.statusCode, 200);
  const exported = exportRes.body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
  const story = exported.filter((event) => event.seq > start);

  const sec = secretariat.actor;
  const expected: [string, string, string, Actor][] = [
    ['apikey.created', 'apikey', secretariat.actor.keyId!, ADMIN_ACTOR],
    ['organisation.created', 'organisation', heerlen.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', sittardGeleen.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', maastricht.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', applicant.id, sec],
    ['programme.created', 'programme', programme.id, sec],
    ...contributions.map((id): [string, string, string, Actor] => ['fund.contribution_recorded', 'fund-contribution', id, sec]),
    ['apikey.created', 'apikey', college.heerlen.actor.keyId!, ADMIN_ACTOR],
    ['apikey.created', 'apikey', college.sittardGeleen.actor.keyId!, ADMIN_ACTOR],
    ['apikey.created', 'apikey', college.maastricht.actor.keyId!, ADMIN_ACTOR],
    ['decision.created', 'decision', wtmr.id, sec],
    ['decision.adopted', 'decision', wtmr.id, sec],
    ['vote.cast', 'decision', wtmr.id, college.heerlen.actor],
    ['vote.cast', 'decision', wtmr.id, college.sittardGeleen.actor],
    ['vote.cast', 'decision', wtmr.id, college.maastricht.actor],
    ['decision.ratified', 'decision', wtmr.id, college.maastricht.actor],
  ];
  t.same(
    story.map((e) => [e.action, e.resourceType, e.resourceId, e.actor]),
    expected,
    'the export holds each change of the story once, in order, with the key that made it',
  );
  t.same(
    story.map((e) => e.seq),
    expected.map((_, i) => start + 1 + i),
    'with consecutive seq numbers',
  );
  t.same(
    story.filter((e) => e.action === 'vote.cast').map((e) => (e.data as { vote: { id: string } }).vote.id),
    voteIds,
    'each vote.cast event carries the vote it records',
  );
  t.same(
    story.filter((e) => e.action === 'vote.cast').map((e) => e.actor.organisationId),
    [heerlen.id, sittardGeleen.id, maastricht.id],
    'each vote is attributed to the college of its own municipality',
  );
  const ratified = story[story.length - 1]!;
  t.same(ratified.data, { decision: wtmr }, 'decision.ratified carries the ratified decision exactly as GET shows it');
  t.equal(
    (story.find((e) => e.action === 'decision.created')!.data as { decision: DecisionJson }).decision.commitments.map((c) => c.amountCents).join('+'),
    '14000000+25000000',
    'decision.created records both commitments in cents',
  );
  const secrets = [secretariat, college.heerlen, college.sittardGeleen, college.maastricht].map((k) => k.secret);
  t.notOk(
    secrets.some((secret) => exportRes.body.includes(secret)),
    'no API key secret appears anywhere in the export',
  );

});

t.test('the trail is still whole and valid at the end of the file, each event with its catalogue payload', async (t) => {
  expectCatalogueEvents(t, await expectTrailWhole(t, trail));
});
