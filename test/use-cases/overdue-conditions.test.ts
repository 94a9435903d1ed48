import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { raiseOverdueConditions } from '../../src/use-cases/overdue-conditions.js';
import { startTestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../helpers/factories.js';

/**
 * The overdue check of conditions: `condition.overdue` once for each condition past its due date
 * of a binding decision, none for a condition still due, a fulfilled one or one of a draft, and
 * never twice, also when several checks run at once (on PostgreSQL each on a connection of its
 * own). Adopted on 2026-03-01, checked on 2026-07-01.
 */
const ADOPTION_DAY = fixedClock('2026-03-01T12:00:00Z');
const CHECK_DAY = fixedClock('2026-07-01T12:00:00Z');
const ctx = await startTestApp(t, { clock: ADOPTION_DAY });
const { admin } = ctx;
const checks = { database: ctx.db.database, clock: CHECK_DAY };
await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);

const DUE_PASSED = { description: 'Meetbare resultaatcriteria indienen', dueDate: '2026-06-30' };
const DUE_LATER = { description: 'Eindverslag', dueDate: '2026-12-31' };

function draft(conditions: { description: string; dueDate: string }[]): Promise<Decision> {
  return createDecision(admin, {
    reference: `COND-${randomUUID()}`,
    title: 'Kwartiermaker Ambitieus MKB',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }],
    conditions,
  });
}

async function overdueEvents(t: Test, decisionId: string): Promise<{ data: { condition: { id: string; status: string } } }[]> {
  const page = okJson<{ items: { action: string; data: { condition: { id: string; status: string } } }[] }>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${decisionId}&limit=200`),
  );
  return page.items.filter((event) => event.action === 'condition.overdue');
}

t.test('once for each overdue condition of a binding decision, never for the others, never twice', async (t) => {
  const binding = await adopt(admin, (await draft([DUE_PASSED, DUE_LATER])).id, 'adopted');
  const fulfilled = await adopt(admin, (await draft([DUE_PASSED])).id, 'adopted');
  okJson(
    t,
    await admin.post(`/api/v1/decisions/${fulfilled.id}/conditions/${fulfilled.conditions[0]!.id}/fulfil`, {
      fulfilledOn: '2026-03-01',
      evidence: 'Brief van 1 maart 2026',
    }),
  );
  const stillDraft = await draft([DUE_PASSED]);

  const raised = await Promise.all([raiseOverdueConditions(checks), raiseOverdueConditions(checks), raiseOverdueConditions(checks)]);
  t.equal(raised.reduce((sum, n) => sum + n, 0), 1, `one condition raised in all, whichever check raised it (${raised.join(', ')})`);
  t.equal(await raiseOverdueConditions(checks), 0, 'a later check raises nothing again');

  const events = await overdueEvents(t, binding.id);
  t.equal(events.length, 1);
  t.equal(events[0]!.data.condition.id, binding.conditions.find((c) => c.dueDate === DUE_PASSED.dueDate)!.id, 'the condition past its due date');
  t.equal(events[0]!.data.condition.status, 'overdue');
  t.same(await overdueEvents(t, fulfilled.id), [], 'a fulfilled condition is not overdue');
  t.same(await overdueEvents(t, stillDraft.id), [], 'a draft binds nothing: its conditions raise nothing');
});

t.test('nothing overdue: nothing raised', async (t) => {
  t.equal(await raiseOverdueConditions({ database: ctx.db.database, clock: ADOPTION_DAY }), 0);
});
