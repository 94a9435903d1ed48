import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { raiseOverdueRatifications } from '../../src/use-cases/overdue-ratifications.js';
import { startTestApp, type Client } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, getDecision } from '../helpers/factories.js';

/**
 * Ratification deadlines: with `ratificationPeriodDays` in the rule, adoption into
 * pending_ratification sets the due date; after it, the decision shows `overdue` and the check
 * raises `ratification.overdue` once, also when several checks run at once (on PostgreSQL from a
 * pool of their own). Votes after the due date still count. Without a period, nothing is due.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const ADOPTION_DAY = fixedClock('2026-03-01T12:00:00Z');
const NEXT_DAY = fixedClock('2026-03-02T12:00:00Z');
const CHECK_DAY = fixedClock('2026-03-12T12:00:00Z');
const first = await startTestApp(t, { clock: ADOPTION_DAY });
const { admin } = first;
const database = first.db.database;
const nextDay = await startTestApp(t, { clock: NEXT_DAY, database: first.db });
const later = await startTestApp(t, { clock: CHECK_DAY, database: first.db });
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
okJson(
  t,
  await admin.post('/api/v1/statute-rules', {
    effectiveFrom: '2026-03-01',
    thresholdCents: 10_000_000,
    splitting: { scope: 'applicant_year', action: 'flag' },
    ratificationPeriodDays: 10,
    reference: 'Statuten ESZL: the colleges decide within 10 days',
  }),
  201,
);

async function pending(client: Client, boardMeetingDate: string): Promise<Decision> {
  const draft = await createDecision(client, {
    reference: `RAT-${randomUUID()}`,
    title: 'Large contribution',
    boardMeetingDate,
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 14_000_000 }],
  });
  return adopt(client, draft.id, 'pending_ratification');
}

async function overdueEvents(id: string): Promise<{ actor: { role: string }; data: { decision: Decision } }[]> {
  const page = okJson<{ items: { action: string; actor: { role: string }; data: { decision: Decision } }[] }>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${id}`),
  );
  return page.items.filter((e) => e.action === 'ratification.overdue');
}

t.test('the due date is the adoption day plus the period; overdue once it has passed', async (t) => {
  const late = await pending(admin, '2026-03-01');
  const onTime = await pending(nextDay.admin, '2026-03-01');
  const noDeadline = await pending(admin, '2026-02-20');
  const withdrawn = await pending(admin, '2026-03-01');
  const ratifiedLate = await pending(admin, '2026-03-01');
  t.match(late.ratification, { statuteRuleVersion: 2, reason: 'threshold', dueDate: '2026-03-11', overdue: false });
  t.equal(onTime.ratification.dueDate, '2026-03-12');
  t.match(noDeadline.ratification, { statuteRuleVersion: 1, dueDate: null, overdue: false }, 'version 1 sets no deadline');
  okJson(t, await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Withdrawn' }));

  // Votes after the due date still count.
  for (const municipality of [heerlen, sittardGeleen, maastricht]) {
    const college = later.as((await createKey(admin, 'college', municipality.id)).key);
    okJson(t, await college.post(`/api/v1/decisions/${ratifiedLate.id}/votes`, { municipalityId: municipality.id, outcome: 'approve', decidedOn: '2026-03-12' }), 201);
  }
  t.match((await getDecision(later.admin, ratifiedLate.id)).ratification, { dueDate: '2026-03-11', overdue: false }, 'ratified after the due date: not overdue');
  t.equal((await getDecision(later.admin, ratifiedLate.id)).status, 'ratified');

  t.equal((await getDecision(later.admin, late.id)).ratification.overdue, true, 'the day after the due date it is overdue');
  t.equal((await getDecision(later.admin, onTime.id)).ratification.overdue, false, 'on the due date it is not');
  t.equal((await getDecision(admin, late.id)).ratification.overdue, false, 'before the due date it is not');
  const listed = okJson<{ items: Decision[] }>(t, await later.admin.get(`/api/v1/decisions?status=pending_ratification&programmeId=${programme.id}`));
  t.same(listed.items.filter((d) => d.ratification.overdue).map((d) => d.id), [late.id], 'lists show it too');

  t.equal(await raiseOverdueRatifications({ database, clock: ADOPTION_DAY }), 0, 'nothing is overdue on the adoption day');
  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: first.db.url!, dataDir: 'unused', poolSize: 4 });
    t.teardown(() => other.close());
  }
  const raised = await Promise.all([
    raiseOverdueRatifications({ database, clock: CHECK_DAY }),
    raiseOverdueRatifications({ database: other, clock: CHECK_DAY }),
    raiseOverdueRatifications({ database, clock: CHECK_DAY }),
  ]);
  t.equal(raised.reduce((a, b) => a + b, 0), 1, `three concurrent checks raise it once between them (${raised.join(' + ')})`);
  t.same(await Promise.all([raiseOverdueRatifications({ database, clock: CHECK_DAY }), raiseOverdueRatifications({ database: other, clock: CHECK_DAY })]), [0, 0], 'later checks raise nothing more');
  t.equal(await raiseOverdueRatifications({ database, clock: fixedClock('2026-04-30T12:00:00Z') }), 1, 'weeks later only the decision due on 2026-03-12 is raised');

  const events = await overdueEvents(late.id);
  t.equal(events.length, 1, 'one ratification.overdue event');
  t.equal(events[0]?.actor.role, 'system');
  t.match(events[0]?.data.decision, { id: late.id, status: 'pending_ratification', ratification: { dueDate: '2026-03-11', overdue: true } }, 'carrying the overdue decision');
  for (const id of [noDeadline.id, withdrawn.id, ratifiedLate.id]) t.same(await overdueEvents(id), [], 'none for a decision without deadline, withdrawn or ratified');

  // A published event: the outbox holds it for webhooks and the event feed.
  const outbox = (await database.db.execute(
    sql`select count(*)::int as n from outbox_events where event_type = 'ratification.overdue' and resource_id = ${late.id}::uuid`,
  )) as unknown as { rows: { n: number }[] };
  t.equal(outbox.rows[0]?.n, 1, 'published to webhooks and the feed once');
});
