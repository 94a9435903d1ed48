import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectStatus, problemOf } from '../../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme, listAll } from '../../../helpers/factories.js';

/**
 * The back-office filters of GET /decisions: what awaits a municipality's vote, what requires
 * it, by applicant, reference, board meeting dates, suspected splitting and overdue ratification,
 * combinable and paged by keyset. Today (Europe/Amsterdam) is 2026-03-01.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const [applicantA, applicantB] = [await createOrganisation(admin, { kind: 'applicant' }), await createOrganisation(admin, { kind: 'applicant' })];
const college = ctx.as((await createKey(admin, 'college', heerlen.id)).key);

async function decision(boardMeetingDate: string, amountCents: number, applicantOrganisationId?: string): Promise<Decision> {
  return createDecision(admin, {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate,
    ...(applicantOrganisationId && { applicantOrganisationId }),
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
}

async function vote(id: string, municipalityId: string): Promise<void> {
  expectStatus(await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-25' }), 201, 'vote');
}

// The splitting verdict and the ratification due date are frozen at adoption by the statute
// rules in force; here they are set directly, as adoption under such a rule would leave them.
async function freeze(id: string, values: { splittingSuspected?: boolean; ratificationDueDate?: string }): Promise<void> {
  await ctx.db.database.db.execute(
    sql`update decisions set splitting_suspected = coalesce(${values.splittingSuspected ?? null}::boolean, splitting_suspected),
                             ratification_due_date = coalesce(${values.ratificationDueDate ?? null}::date, ratification_due_date)
         where id = ${id}::uuid`,
  );
}

const heerlenVoted = await adopt(admin, (await decision('2026-01-10', 20_000_000, applicantA.id)).id, 'pending_ratification');
await vote(heerlenVoted.id, heerlen.id);
const overdue = await adopt(admin, (await decision('2026-02-10', 20_000_000, applicantB.id)).id, 'pending_ratification');
await freeze(overdue.id, { ratificationDueDate: '2026-02-28' });
const dueLater = await adopt(admin, (await decision('2026-02-20', 20_000_000)).id, 'pending_ratification');
await freeze(dueLater.id, { ratificationDueDate: '2026-03-01' });
const suspected = await adopt(admin, (await decision('2026-02-10', 5_000_000, applicantB.id)).id, 'adopted');
await freeze(suspected.id, { splittingSuspected: true });
const draft = await decision('2026-02-28', 20_000_000);
const ratified = await adopt(admin, (await decision('2026-01-05', 20_000_000)).id, 'pending_ratification');
for (const id of [heerlen.id, sittardGeleen.id, maastricht.id]) await vote(ratified.id, id);

const names = new Map(
  Object.entries({ heerlenVoted, overdue, dueLater, suspected, draft, ratified }).map(([name, d]) => [d.id, name]),
);

/** The names of the decisions a query lists, in list order, following every page. */
async function listed(query: string, limit = 200): Promise<string[]> {
  const items = await listAll<Decision>(college, `/api/v1/decisions?${query}`, limit);
  return items.map((d) => names.get(d.id) ?? d.id);
}

t.test('awaitingVoteOf lists the pending decisions that require the municipality and that it has not voted on', async (t) => {
  t.same(await listed(`awaitingVoteOf=${heerlen.id}`), ['overdue', 'dueLater'], 'Heerlen voted on one; one is ratified, one adopted, one a draft');
  t.same(await listed(`awaitingVoteOf=${maastricht.id}`), ['heerlenVoted', 'overdue', 'dueLater']);
  t.same(await listed(`awaitingVoteOf=${heerlen.id.toUpperCase()}`), ['overdue', 'dueLater'], 'the id in any letter case');
  t.same(await listed(`awaitingVoteOf=${maastricht.id}`, 1), ['heerlenVoted', 'overdue', 'dueLater'], 'one a page: each once, in order');
  t.same(await listed(`awaitingVoteOf=${randomUUID()}`), [], 'an id that matches nothing: an empty page');
});

t.test('municipalityId lists the decisions that require the municipality, whatever their state', async (t) => {
  t.same(await listed(`municipalityId=${sittardGeleen.id}`), ['heerlenVoted', 'overdue', 'dueLater', 'ratified']);
  t.same(await listed(`municipalityId=${applicantA.id}`), []);
});

t.test('applicantOrganisationId, reference (exact) and the board meeting dates (inclusive)', async (t) => {
  t.same(await listed(`applicantOrganisationId=${applicantB.id}`), ['overdue', 'suspected']);
  t.same(await listed(`reference=${encodeURIComponent(dueLater.reference)}`), ['dueLater']);
  t.same(await listed(`reference=${encodeURIComponent(dueLater.reference.slice(0, -1))}`), [], 'no prefix match');
  t.same(await listed('boardMeetingDateFrom=2026-02-10&boardMeetingDateTo=2026-02-20'), ['overdue', 'dueLater', 'suspected']);
  t.same(await listed('boardMeetingDateFrom=2026-02-20'), ['dueLater', 'draft']);
  t.same(await listed('boardMeetingDateTo=2026-01-10'), ['heerlenVoted', 'ratified']);
  t.same(await listed('boardMeetingDateFrom=2026-02-28&boardMeetingDateTo=2026-02-28'), ['draft']);
});

t.test('splittingSuspected and ratificationOverdue, true and false', async (t) => {
  t.same(await listed('splittingSuspected=true'), ['suspected']);
  t.same(await listed('splittingSuspected=false'), ['heerlenVoted', 'overdue', 'dueLater', 'draft', 'ratified'], 'drafts are not suspected');
  t.same(await listed('ratificationOverdue=true'), ['overdue'], 'pending after its due date; not on the due date itself');
  t.same(await listed('ratificationOverdue=false'), ['heerlenVoted', 'dueLater', 'suspected', 'draft', 'ratified']);
  const shown = (await listAll<Decision>(admin, '/api/v1/decisions?ratificationOverdue=true'))[0]!;
  t.equal(shown.ratification.overdue, true, 'the decision shows ratification.overdue as the filter selects it');
});

t.test('filters combine: all must hold', async (t) => {
  t.same(await listed(`awaitingVoteOf=${heerlen.id}&ratificationOverdue=true`), ['overdue']);
  t.same(await listed(`awaitingVoteOf=${heerlen.id}&applicantOrganisationId=${applicantA.id}`), []);
  t.same(await listed(`status=pending_ratification&municipalityId=${heerlen.id}&boardMeetingDateFrom=2026-02-01`), ['overdue', 'dueLater']);
  t.same(await listed(`programmeId=${programme.id}&year=2026&splittingSuspected=true`), ['suspected']);
});

t.test('malformed filter values answer 400 naming each; an empty date range is invalid too', async (t) => {
  const cases: [string, string[]][] = [
    ['awaitingVoteOf=Heerlen', ['query.awaitingVoteOf']],
    ['municipalityId=1&applicantOrganisationId=x', ['query.applicantOrganisationId', 'query.municipalityId']],
    ['boardMeetingDateFrom=2026-02-30', ['query.boardMeetingDateFrom']],
    ['boardMeetingDateFrom=0000-01-01&boardMeetingDateTo=0000-12-31', ['query.boardMeetingDateFrom', 'query.boardMeetingDateTo']],
    ['boardMeetingDateFrom=2026-03-01&boardMeetingDateTo=2026-02-01', ['query.boardMeetingDateFrom']],
    ['splittingSuspected=maybe', ['query.splittingSuspected']],
    ['ratificationOverdue=2', ['query.ratificationOverdue']],
    [`reference=${'x'.repeat(101)}`, ['query.reference']],
    ['awaitingVote=x', ['query.awaitingVote']],
  ];
  for (const [query, paths] of cases) t.same(problemOf(t, await admin.get(`/api/v1/decisions?${query}`), 400, 'VALIDATION_FAILED').paths.sort(), paths, query);
});

t.test('awaitingVoteOf leaves out a decision whose board meeting lies after today: it cannot be voted on yet', async (t) => {
  const ahead = await adopt(admin, (await decision('2026-03-02', 20_000_000)).id, 'pending_ratification');
  const today = await adopt(admin, (await decision('2026-03-01', 20_000_000)).id, 'pending_ratification');
  const ids = async (query: string) => (await listAll<Decision>(college, `/api/v1/decisions?${query}`)).map((d) => d.id);
  t.same(await ids(`awaitingVoteOf=${heerlen.id}&boardMeetingDateFrom=2026-03-01`), [today.id], 'the meeting of today awaits the vote; tomorrow\'s does not');
  t.same((await ids(`municipalityId=${heerlen.id}&status=pending_ratification&boardMeetingDateFrom=2026-03-01`)).sort(), [today.id, ahead.id].sort(), 'both require Heerlen');
});
