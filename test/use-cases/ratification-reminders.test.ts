import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { fixedClock } from '../../src/domain/clock.js';
import type { Database } from '../../src/db/client.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { raiseRatificationReminders } from '../../src/use-cases/ratification-reminders.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { expectStatus, okJson } from '../helpers/assertions.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister } from '../helpers/factories.js';
import { rowsOf, startTwoInstances } from '../helpers/instances.js';

/**
 * `ratification.due_soon`: for each reminder day (here 14 and 3) a college that has not voted is
 * reminded once, by the smallest reminder day at or above the days left, raised by two instances
 * on one database at the same time and still once; none after the vote, none past the due date.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const at = (day: string) => fixedClock(`${day}T12:00:00Z`);
let a: TestApp;
let databases: [Database, Database];
if (onPostgres) {
  const { apps, database } = await startTwoInstances(t, { clock: at('2026-03-01'), poolSize: 4 });
  a = apps[0];
  databases = [database, apps[1].db.database];
} else {
  a = await startTestApp(t, { clock: at('2026-03-01') });
  const b = await startTestApp(t, { clock: at('2026-03-01'), database: a.db });
  databases = [a.db.database, b.db.database];
}
const { admin } = a;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const programme = await createProgramme(admin);
expectStatus(await admin.post('/api/v1/statute-rules', {
  effectiveFrom: '2026-03-01',
  thresholdCents: 10_000_000,
  splitting: { scope: 'none', action: 'flag' },
  ratificationPeriodDays: 30,
  reference: 'Statuten ESZL: the colleges decide within 30 days',
}), 201, 'statute rule');
const draft = await createDecision(admin, { reference: `REM-${randomUUID()}`, title: 'Large', boardMeetingDate: '2026-03-01', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }] });
const pending = await adopt(admin, draft.id, 'pending_ratification');
const DAYS = [14, 3];

/** Both instances run the check at once, twice each; the number each run raised. */
async function bothInstances(day: string): Promise<number> {
  const runs = await Promise.all([...databases, ...databases].map((database) => raiseRatificationReminders({ database, clock: at(day) }, DAYS)));
  return runs.reduce((sum, n) => sum + n, 0);
}

interface DueSoon {
  actor: { role: string };
  data: { decision: Decision; municipalityId: string; dueDate: string; daysLeft: number };
}
async function reminders(): Promise<DueSoon[]> {
  const page = okJson<{ items: ({ action: string } & DueSoon)[] }>(t, await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${pending.id}&limit=200`));
  return page.items.filter((e) => e.action === 'ratification.due_soon');
}

t.test('each college that has not voted is reminded once per reminder day, by two instances at once', async (t) => {
  t.equal(pending.ratification.dueDate, '2026-03-31');
  t.equal(await bothInstances('2026-03-16'), 0, '15 days before: nothing yet');
  t.equal(await bothInstances('2026-03-17'), 3, '14 days before: the three colleges, once each');
  t.equal(await bothInstances('2026-03-20'), 0, 'and not again on a later day');
  const voting = await startTestApp(t, { clock: at('2026-03-20'), database: a.db });
  okJson(t, await voting.as((await createKey(admin, 'college', maastricht.id)).key).post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: maastricht.id, outcome: 'approve', decidedOn: '2026-03-20' }), 201);
  t.equal(await bothInstances('2026-03-29'), 2, '2 days before: the reminder of 3 days, to the two colleges that have not voted');
  t.equal(await bothInstances('2026-03-31'), 0, 'on the due date: nothing more');
  t.equal(await bothInstances('2026-04-02'), 0, 'past it: overdue has its own event');

  const events = await reminders();
  t.same(
    events.map((e) => [e.data.municipalityId, e.data.daysLeft]).sort(),
    [[heerlen.id, 14], [sittardGeleen.id, 14], [maastricht.id, 14], [heerlen.id, 2], [sittardGeleen.id, 2]].sort(),
  );
  t.ok(events.every((e) => e.actor.role === 'system' && e.data.dueDate === '2026-03-31' && e.data.decision.id === pending.id));
  const outbox = await rowsOf<{ colleges: number; college: string; programmes: number; programme: string }>(
    a.db.database,
    sql`select cardinality(municipality_ids) as colleges, municipality_ids[1]::text as college, cardinality(programme_ids) as programmes,
          programme_ids[1]::text as programme
        from outbox_events where event_type = 'ratification.due_soon' and resource_id = ${pending.id}::uuid order by seq`,
  );
  t.equal(outbox.length, 5, 'each published once');
  t.same(outbox.map((row) => [Number(row.colleges), row.college]).sort(), events.map((e) => [1, e.data.municipalityId]).sort(), 'to the one college it reminds');
  t.ok(outbox.every((row) => Number(row.programmes) === 1 && row.programme === programme.id), "and to the decision's programme");
});

t.test('no reminder days: nothing is raised', async (t) => {
  t.equal(await raiseRatificationReminders({ database: databases[0], clock: at('2026-03-30') }, []), 0);
});
