import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import { DomainError } from '../../../src/domain/errors.js';
import { readAuditHead } from '../../../src/db/audit-repository.js';
import type { ServiceContext } from '../../../src/use-cases/context.js';
import { adoptDecision, createDecision, getDecision } from '../../../src/use-cases/decisions.js';
import { createOrganisation } from '../../../src/use-cases/organisations.js';
import { createProgramme } from '../../../src/use-cases/programmes.js';
import { SYSTEM_CALLER, type Caller } from '../../../src/use-cases/unit-of-work.js';
import { castVote } from '../../../src/use-cases/votes.js';
import { createTestDatabase } from '../../helpers/database.js';

/**
 * "A college key may only vote for its own municipality" is a rule of the use case, not only of
 * the HTTP edge: any caller of castVote (a batch job, a college decision) is held to it.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z') };

const centre = async (name: string) => createOrganisation(ctx, SYSTEM_CALLER, { name, kind: 'municipality', centreMunicipality: true });
const heerlen = await centre('Gemeente Heerlen');
const maastricht = await centre('Gemeente Maastricht');
const programme = await createProgramme(ctx, SYSTEM_CALLER, { code: 'WTMR', name: 'Welcome to Maastricht Region' });
const draft = await createDecision(ctx, SYSTEM_CALLER, {
  reference: 'PB-WTMR',
  title: 'Principebesluit WTMR',
  boardMeetingDate: '2026-02-02',
  commitments: [{ programmeId: programme.id, year: 2026, amountCents: 14_000_000 }],
});
const pending = await adoptDecision(ctx, SYSTEM_CALLER, draft.id);

const collegeOf = (municipalityId: string): Caller => ({
  principal: { keyId: '00000000-0000-4000-8000-00000000c011', role: 'college', organisationId: municipalityId },
});
const vote = (municipalityId: string) => ({ municipalityId, outcome: 'approve' as const, decidedOn: '2026-02-20' });

t.test('a college casting the vote of another municipality is refused with 403 and nothing is recorded', async (t) => {
  const head = await readAuditHead(db.database.db);
  const error = await castVote(ctx, collegeOf(heerlen.id), pending.id, vote(maastricht.id)).catch((e: unknown) => e);
  t.ok(error instanceof DomainError, 'a domain error');
  t.match(error, { code: 'FORBIDDEN', status: 403 });
  t.same((await getDecision(ctx, pending.id)).ratification.votes, [], 'no vote');
  t.same(await readAuditHead(db.database.db), head, 'no event');
});

t.test('the 403 comes before every other check, even for a decision that does not exist', async (t) => {
  const error = await castVote(ctx, collegeOf(heerlen.id), '00000000-0000-4000-8000-000000000404', vote(maastricht.id)).catch((e: unknown) => e);
  t.match(error, { code: 'FORBIDDEN' });
});

t.test('a college casts its own municipality\'s vote', async (t) => {
  const cast = await castVote(ctx, collegeOf(heerlen.id), pending.id, vote(heerlen.id));
  t.equal(cast.municipalityId, heerlen.id);
  t.equal(cast.collegeDecisionId, null, 'cast alone');
});

t.test('the system and admins act for any municipality', async (t) => {
  const cast = await castVote(ctx, SYSTEM_CALLER, pending.id, vote(maastricht.id));
  t.equal(cast.municipalityId, maastricht.id);
});
