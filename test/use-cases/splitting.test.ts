import { randomUUID } from 'node:crypto';
import t from 'tap';
import { inTransaction } from '../../src/db/transaction.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { StatuteRule } from '../../src/domain/records.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { splittingAtAdoption } from '../../src/use-cases/splitting.js';
import { startTestApp } from '../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createOrganisation, createProgramme } from '../helpers/factories.js';

/**
 * The splitting verdict at adoption: no check without a scope or for a decision at the threshold
 * on its own; otherwise the earlier decisions of the same applicant and year that stay under the
 * threshold count with it, and together they reach it or not.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const applicant = await createOrganisation(admin, { kind: 'applicant', name: 'Welcome to Maastricht Region' });
const other = await createOrganisation(admin, { kind: 'applicant', name: 'Ambitieus MKB' });

const APPLICANT_YEAR: Pick<StatuteRule, 'thresholdCents' | 'splitting'> = { thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' } };
const NO_SCOPE: Pick<StatuteRule, 'thresholdCents' | 'splitting'> = { thresholdCents: 10_000_000, splitting: { scope: 'none', action: 'flag' } };

function draft(applicantId: string, amountCents: number): Promise<Decision> {
  return createDecision(admin, {
    reference: `SPLIT-${randomUUID()}`,
    title: 'Contribution',
    boardMeetingDate: '2026-02-10',
    applicantOrganisationId: applicantId,
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
}
const verdict = (decision: Decision, rule: Pick<StatuteRule, 'thresholdCents' | 'splitting'>) =>
  inTransaction(ctx.db.database, (tx) => splittingAtAdoption(tx, decision, rule));

const earlier = await adopt(admin, (await draft(applicant.id, 6_000_000)).id, 'adopted');

t.test('an earlier decision of the same applicant and year under the threshold counts with it', async (t) => {
  const second = await draft(applicant.id, 5_000_000);
  t.match(await verdict(second, APPLICANT_YEAR), { suspected: true, cumulativeCents: 11_000_000, relatedDecisionIds: [earlier.id] });
});

t.test('together under the threshold: not suspected', async (t) => {
  t.match(await verdict(await draft(applicant.id, 3_000_000), APPLICANT_YEAR), { suspected: false });
});

t.test("another applicant's decisions do not count", async (t) => {
  t.match(await verdict(await draft(other.id, 5_000_000), APPLICANT_YEAR), { suspected: false, relatedDecisionIds: [] });
});

t.test('no scope, or the threshold reached alone: not suspected, nothing related', async (t) => {
  t.same(await verdict(await draft(applicant.id, 5_000_000), NO_SCOPE), { suspected: false, cumulativeCents: null, relatedDecisionIds: [] });
  t.same(await verdict(await draft(applicant.id, 10_000_000), APPLICANT_YEAR), { suspected: false, cumulativeCents: null, relatedDecisionIds: [] });
});
