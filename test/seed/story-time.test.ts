import t from 'tap';
import { systemClock } from '../../src/domain/clock.js';
import { StoryTime } from '../../src/seed/story-time.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';

/** Dating a story is refused once it is no longer the seed's own, unsigned, latest part of the trail. */
const ctx = await startTestApp(t);
const service = { database: ctx.db.database, clock: systemClock };
const organisation = (name: string) => createOrganisation(service, SYSTEM_CALLER, { name, kind: 'applicant' });
const verdict = async () => okJson<{ valid: boolean; headHash: string }>(t, await ctx.admin.get('/api/v1/audit-events/verify'));

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
