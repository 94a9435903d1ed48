import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { splittingFacts } from '../../src/db/splitting-repository.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp } from '../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createOrganisation, createProgramme } from '../helpers/factories.js';

/**
 * The splitting read: a decision's lineage follows `amends` through every predecessor, and the
 * candidates are the counting decisions under their own frozen threshold that share the scope,
 * never the decision itself or its lineage.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const db = ctx.db.database.db;
await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const otherProgramme = await createProgramme(admin);
const applicant = await createOrganisation(admin, { kind: 'applicant' });

const draft = (amountCents: number, programmeId = programme.id, year = 2026, applicantOrganisationId: string | null = applicant.id) =>
  createDecision(admin, {
    reference: `SPL-${randomUUID()}`,
    title: 'Decision',
    boardMeetingDate: '2026-02-10',
    ...(applicantOrganisationId && { applicantOrganisationId }),
    commitments: [{ programmeId, year, amountCents }],
  });
const amends = (id: string, amended: string) => db.execute(sql`update decisions set amends = ${amended}::uuid where id = ${id}::uuid`);
const subject = (d: Decision) => ({ id: d.id, applicantOrganisationId: d.applicantOrganisationId, commitments: d.commitments });

t.test('the lineage runs through every predecessor; neither it nor the decision itself is a candidate', async (t) => {
  const original = await adopt(admin, (await draft(1_000_000)).id, 'adopted');
  const firstAmendment = await adopt(admin, (await draft(2_000_000)).id, 'adopted');
  await amends(firstAmendment.id, original.id);
  const sibling = await adopt(admin, (await draft(3_000_000)).id, 'adopted');
  const secondAmendment = await draft(4_000_000);
  await amends(secondAmendment.id, firstAmendment.id);

  const facts = await splittingFacts(db, subject(secondAmendment), 'applicant_year');
  t.same([...facts.lineageIds].sort(), [firstAmendment.id, original.id].sort(), 'the amended decision and its predecessor');
  t.same(facts.candidates.map((c) => c.id), [sibling.id], 'only the decision outside the lineage');
  t.match(facts.candidates[0], { applicantOrganisationId: applicant.id, totalAmountCents: 3_000_000, thresholdCents: 10_000_000, status: 'adopted', commitments: [{ programmeId: programme.id, year: 2026 }] });
  t.same((await splittingFacts(db, subject(original), 'applicant_year')).lineageIds, [], 'an original has no lineage');
});

t.test('candidates share the scope, count, and were under their own threshold', async (t) => {
  const applicantB = await createOrganisation(admin, { kind: 'applicant' });
  const mine = await draft(1_000_000, otherProgramme.id, 2028, applicantB.id);
  const sameApplicantYear = await adopt(admin, (await draft(1_000_000, programme.id, 2028, applicantB.id)).id, 'adopted');
  const sameProgrammeYear = await adopt(admin, (await draft(1_000_000, otherProgramme.id, 2028, null)).id, 'adopted');
  await adopt(admin, (await draft(1_000_000, otherProgramme.id, 2029, applicantB.id)).id, 'adopted');
  await adopt(admin, (await draft(20_000_000, otherProgramme.id, 2028, applicantB.id)).id, 'pending_ratification');
  await draft(1_000_000, otherProgramme.id, 2028, applicantB.id);
  t.same((await splittingFacts(db, subject(mine), 'applicant_year')).candidates.map((c) => c.id), [sameApplicantYear.id], 'applicant_year');
  t.same((await splittingFacts(db, subject(mine), 'programme_year')).candidates.map((c) => c.id), [sameProgrammeYear.id], 'programme_year');
  t.same((await splittingFacts(db, subject(mine), 'none')).candidates, [], 'none');
  t.same((await splittingFacts(db, { ...subject(mine), applicantOrganisationId: null }, 'applicant_year')).candidates, [], 'no applicant, no candidates');
});
