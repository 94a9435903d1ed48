import t from 'tap';
import fc from 'fast-check';
import { DECISION_STATUSES, type DecisionStatus } from '../../../src/domain/decision-lifecycle.js';
import type { Splitting, SplittingScope } from '../../../src/domain/records.js';
import { assessSplitting, type SplittingCandidate, type SplittingSubject } from '../../../src/domain/splitting.js';

/*
 * Property: for any register of a few decisions over few applicants, programmes and years, any
 * scope, threshold and lineage, `assessSplitting` gives the verdict of a reference model written
 * below from the contract's sentence alone, by brute force over every pair of commitments.
 */
const SEED = Number(process.env.FC_SEED ?? 20260312);
const NUM_RUNS = 500;

const COUNTING: DecisionStatus[] = ['adopted', 'pending_ratification', 'ratified', 'settled'];

function referenceVerdict(
  decision: SplittingSubject,
  others: readonly SplittingCandidate[],
  lineage: readonly string[],
  scope: SplittingScope,
  threshold: number,
): Splitting {
  const none: Splitting = { suspected: false, cumulativeCents: null, relatedDecisionIds: [] };
  if (scope === 'none' || decision.totalAmountCents >= threshold) return none;
  const related: SplittingCandidate[] = [];
  for (const o of others) {
    if (o.id === decision.id || lineage.includes(o.id) || !COUNTING.includes(o.status) || !(o.totalAmountCents < o.thresholdCents)) continue;
    let shares = false;
    for (const mine of decision.commitments) {
      for (const theirs of o.commitments) {
        if (scope === 'applicant_year' && decision.applicantOrganisationId !== null && decision.applicantOrganisationId === o.applicantOrganisationId && mine.year === theirs.year) shares = true;
        if (scope === 'programme_year' && mine.programmeId === theirs.programmeId && mine.year === theirs.year) shares = true;
      }
    }
    if (shares) related.push(o);
  }
  let sum = decision.totalAmountCents;
  for (const r of related) sum += r.totalAmountCents;
  if (sum < threshold) return none;
  return { suspected: true, cumulativeCents: sum, relatedDecisionIds: related.map((r) => r.id).sort() };
}

const applicant = fc.constantFrom<string | null>(null, 'org-a', 'org-b');
const commitment = fc.record({ programmeId: fc.constantFrom('p1', 'p2'), year: fc.constantFrom(2026, 2027) });
const commitments = fc.array(commitment, { minLength: 1, maxLength: 3 });
const amount = fc.integer({ min: 1, max: 6_000 });

const register = fc
  .record({
    threshold: fc.integer({ min: 3_000, max: 10_000 }),
    scope: fc.constantFrom<SplittingScope>('none', 'applicant_year', 'programme_year'),
    decision: fc.record({ applicantOrganisationId: applicant, totalAmountCents: amount, commitments }),
    others: fc.array(
      fc.record({
        applicantOrganisationId: applicant,
        totalAmountCents: amount,
        commitments,
        status: fc.constantFrom(...DECISION_STATUSES),
        thresholdCents: fc.integer({ min: 3_000, max: 10_000 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    lineageMask: fc.array(fc.integer({ min: 0, max: 4 }).map((n) => n === 0), { minLength: 8, maxLength: 8 }),
  })
  .map(({ threshold, scope, decision, others, lineageMask }) => {
    const candidates = others.map((o, i) => ({ ...o, id: `dec-${String(i).padStart(2, '0')}` }));
    return {
      threshold,
      scope,
      decision: { ...decision, id: 'dec-new' },
      candidates,
      lineage: candidates.filter((_, i) => lineageMask[i]).map((c) => c.id),
    };
  });

t.test('assessSplitting agrees with a brute-force reference model', async (t) => {
  let suspected = 0;
  fc.assert(
    fc.property(register, ({ threshold, scope, decision, candidates, lineage }) => {
      const actual = assessSplitting({ decision, lineageIds: lineage, candidates, rule: { thresholdCents: threshold, splitting: { scope, action: 'flag' } } });
      const expected = referenceVerdict(decision, candidates, lineage, scope, threshold);
      if (actual.suspected) suspected++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`got ${JSON.stringify(actual)}, model says ${JSON.stringify(expected)}`);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
  t.ok(suspected > NUM_RUNS / 20, `the generator reaches suspected verdicts (${suspected} of ${NUM_RUNS})`);
});
