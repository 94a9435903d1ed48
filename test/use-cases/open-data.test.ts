import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { grantPackageChunks, openDataVersion, voteEventChunks } from '../../src/use-cases/open-data.js';
import { startTestApp } from '../helpers/app.js';
import { expectStatus } from '../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../helpers/factories.js';

/**
 * The open data documents are streamed in keyset batches of decisions: with a batch of two and
 * seven published decisions (and unpublished ones between them), the joined chunks are one valid
 * document holding every published decision once, in creation order.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const ctx = await startTestApp(t, { clock });
const service = { database: ctx.db.database, clock };
const { admin } = ctx;
const colleges = Object.values(await createCentreMunicipalities(admin)).map((m) => m.id);
const programme = await createProgramme(admin);
const expectedGrants: string[] = [];
const expectedVotes: string[] = [];
for (let i = 0; i < 7; i++) {
  const big = i % 2 === 1;
  const decision = await createDecision(admin, {
    reference: `B-${randomUUID().slice(0, 8)}`,
    title: `Decision ${i}`,
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: big ? 12_000_000 : 1_000_000 }],
  });
  await createDecision(admin, { reference: `D-${randomUUID().slice(0, 8)}`, title: 'A draft between', boardMeetingDate: '2026-02-10', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 1 }] });
  await adopt(admin, decision.id, big ? 'pending_ratification' : 'adopted');
  if (big) {
    for (const municipalityId of colleges) {
      expectStatus(await admin.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-20' }), 201, 'vote');
    }
    expectedVotes.push(decision.id);
  }
  expectedGrants.push(`360G-ESZL-${decision.id}`);
}

async function joined(chunks: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const chunk of chunks) {
    text += chunk;
    count++;
  }
  return { text, count };
}

t.test('the 360Giving package in batches of two is one document with every binding decision once, in order', async (t) => {
  const { text, count } = await joined(grantPackageChunks(service, await openDataVersion(service, '360giving'), 2));
  t.ok(count >= 5, `streamed in ${count} chunks`);
  const body = JSON.parse(text) as { grants: { id: string }[] };
  t.same(body.grants.map((g) => g.id), expectedGrants);
});

t.test('the vote events in batches of two likewise', async (t) => {
  const { text } = await joined(voteEventChunks(service, 2));
  t.same((JSON.parse(text) as { vote_events: { id: string }[] }).vote_events.map((e) => e.id), expectedVotes);
});

t.test('the version names the audit head; it changes with the register', async (t) => {
  const before = await openDataVersion(service, '360giving');
  t.match(before.etag, /^"360giving-\d+-[0-9a-f]{16}"$/);
  t.match(before.modified, /^\d{4}-\d{2}-\d{2}T/);
  await createProgramme(admin);
  t.not((await openDataVersion(service, '360giving')).etag, before.etag);
});
