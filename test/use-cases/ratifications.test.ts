import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Principal } from '../../src/domain/access.js';
import { fixedClock } from '../../src/domain/clock.js';
import { listRatificationsPage } from '../../src/use-cases/ratifications.js';
import { startTestApp } from '../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, fundTheRegister } from '../helpers/factories.js';

/** listRatificationsPage called directly: a college's scope, the filters, the cursor. */
const clock = fixedClock('2026-02-10T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx = { database: db.database, clock };
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const programme = await createProgramme(admin);
const draft = await createDecision(admin, { reference: `PB-${randomUUID()}`, title: 'Large', boardMeetingDate: '2026-02-01', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }] });
const pending = await adopt(admin, draft.id, 'pending_ratification');
const college = (organisationId: string): Principal => ({ keyId: randomUUID(), role: 'college', organisationId });
const reader: Principal = { keyId: randomUUID(), role: 'reader', organisationId: null };
const query = { limit: 10 };

t.test('a college sees its own municipality; other roles every one, or the one they name', async (t) => {
  const own = await listRatificationsPage(ctx, college(heerlen.id), [14, 3], query);
  t.same(own.items.map((i) => [i.decisionId, i.municipality.id, i.state, i.dueDate, i.daysLeft, i.vote, i.votes]), [[pending.id, heerlen.id, 'awaiting', null, null, null, []]]);
  await t.rejects(listRatificationsPage(ctx, college(heerlen.id), [14, 3], { ...query, municipalityId: maastricht.id }), { code: 'FORBIDDEN' });
  t.equal((await listRatificationsPage(ctx, reader, [14, 3], query)).items.length, 3);
  t.same((await listRatificationsPage(ctx, reader, [14, 3], { ...query, municipalityId: sittardGeleen.id })).items.map((i) => i.municipality.id), [sittardGeleen.id]);
  t.same((await listRatificationsPage(ctx, reader, [14, 3], { ...query, state: 'voted' })).items, []);
});

t.test('pages of one continue with nextCursor; a foreign cursor is 400', async (t) => {
  const first = await listRatificationsPage(ctx, reader, [14, 3], { limit: 1 });
  t.equal(first.items.length, 1);
  t.type(first.nextCursor, 'string');
  const second = await listRatificationsPage(ctx, reader, [14, 3], { limit: 2, cursor: first.nextCursor! });
  t.equal(second.items.length, 2);
  t.equal(second.nextCursor, null);
  t.notSame(second.items.map((i) => i.municipality.id), [first.items[0]!.municipality.id]);
  await t.rejects(listRatificationsPage(ctx, reader, [14, 3], { limit: 1, cursor: Buffer.from('[1]').toString('base64url') }), { code: 'VALIDATION_FAILED' });
});
