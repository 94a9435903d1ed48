import t from 'tap';
import { decideAdoption } from '../../../src/domain/adoption.js';
import type { DecisionStatus } from '../../../src/domain/decision-lifecycle.js';
import type { SplittingScope, StatuteRule } from '../../../src/domain/records.js';
import { assessSplitting, relatedDecisions, type SplittingCandidate, type SplittingSubject } from '../../../src/domain/splitting.js';

/**
 * Splitting, as the contract words it, table by table: the threshold boundary (threshold - 1,
 * threshold, threshold + 1 cents together), each scope, which statuses count, the lineage, and
 * related decisions that were themselves at or above their frozen threshold.
 */
const THRESHOLD = 10_000_000;
const rule = (scope: SplittingScope, thresholdCents = THRESHOLD): Pick<StatuteRule, 'thresholdCents' | 'splitting'> => ({
  thresholdCents,
  splitting: { scope, action: 'flag' },
});

const WTMR = 'prog-wtmr';
const AMKB = 'prog-amkb';

function subject(overrides: Partial<SplittingSubject> = {}): SplittingSubject {
  return { id: 'dec-new', applicantOrganisationId: 'org-a', totalAmountCents: 6_000_000, commitments: [{ programmeId: WTMR, year: 2026 }], ...overrides };
}

function other(id: string, overrides: Partial<SplittingCandidate> = {}): SplittingCandidate {
  return {
    id,
    applicantOrganisationId: 'org-a',
    totalAmountCents: 4_000_000,
    commitments: [{ programmeId: WTMR, year: 2026 }],
    status: 'adopted',
    thresholdCents: THRESHOLD,
    ...overrides,
  };
}

t.test('at the threshold boundary: together threshold - 1 is not suspected, threshold and threshold + 1 are', async (t) => {
  const cases: [string, number, boolean][] = [
    ['threshold - 1', THRESHOLD - 1, false],
    ['threshold', THRESHOLD, true],
    ['threshold + 1', THRESHOLD + 1, true],
  ];
  for (const scope of ['applicant_year', 'programme_year'] as const) {
    for (const [label, together, suspected] of cases) {
      const decision = subject({ totalAmountCents: 6_000_000 });
      const verdict = assessSplitting({ decision, lineageIds: [], candidates: [other('dec-b', { totalAmountCents: together - 6_000_000 })], rule: rule(scope) });
      t.same(
        verdict,
        suspected ? { suspected: true, cumulativeCents: together, relatedDecisionIds: ['dec-b'] } : { suspected: false, cumulativeCents: null, relatedDecisionIds: [] },
        `${scope}, ${label} together: ${suspected ? 'suspected' : 'not suspected'}`,
      );
    }
  }
});

t.test('a decision that reaches the threshold on its own is never suspected: the threshold itself applies', async (t) => {
  for (const total of [THRESHOLD, THRESHOLD + 1]) {
    const verdict = assessSplitting({ decision: subject({ totalAmountCents: total }), lineageIds: [], candidates: [other('dec-b')], rule: rule('applicant_year') });
    t.equal(verdict.suspected, false, `own total ${total}`);
  }
  const justUnder = assessSplitting({ decision: subject({ totalAmountCents: THRESHOLD - 1 }), lineageIds: [], candidates: [other('dec-b', { totalAmountCents: 1 })], rule: rule('applicant_year') });
  t.same(justUnder, { suspected: true, cumulativeCents: THRESHOLD, relatedDecisionIds: ['dec-b'] }, 'threshold - 1 plus 1 cent is suspected');
});

t.test('scope none never suspects', async (t) => {
  const verdict = assessSplitting({ decision: subject(), lineageIds: [], candidates: [other('dec-b', { totalAmountCents: 9_000_000 })], rule: rule('none') });
  t.equal(verdict.suspected, false);
});

t.test('applicant_year relates the same non-null applicant with a commitment in a year this decision also has', async (t) => {
  const decision = subject({ commitments: [{ programmeId: WTMR, year: 2026 }, { programmeId: WTMR, year: 2027 }] });
  const cases: [string, Partial<SplittingCandidate>, boolean][] = [
    ['same applicant, same year, same programme', {}, true],
    ['same applicant, same year, another programme', { commitments: [{ programmeId: AMKB, year: 2026 }] }, true],
    ['same applicant, the other shared year', { commitments: [{ programmeId: AMKB, year: 2027 }] }, true],
    ['same applicant, another year only', { commitments: [{ programmeId: WTMR, year: 2028 }] }, false],
    ['another applicant, same programme and year', { applicantOrganisationId: 'org-b' }, false],
    ['no applicant', { applicantOrganisationId: null }, false],
  ];
  for (const [label, overrides, related] of cases) {
    const found = relatedDecisions({ decision, lineageIds: [], candidates: [other('dec-b', overrides)], rule: rule('applicant_year') });
    t.equal(found.length === 1, related, label);
  }
  const withoutApplicant = subject({ applicantOrganisationId: null });
  t.same(
    relatedDecisions({ decision: withoutApplicant, lineageIds: [], candidates: [other('dec-b', { applicantOrganisationId: null })], rule: rule('applicant_year') }),
    [],
    'a decision without applicant has no related decisions by applicant (null is no applicant)',
  );
});

t.test('programme_year relates a commitment with the same programme and year, whoever the applicant', async (t) => {
  const decision = subject({ applicantOrganisationId: null, commitments: [{ programmeId: WTMR, year: 2026 }] });
  const cases: [string, Partial<SplittingCandidate>, boolean][] = [
    ['same programme and year, another applicant', { applicantOrganisationId: 'org-z' }, true],
    ['same programme and year, no applicant', { applicantOrganisationId: null }, true],
    ['same programme, another year', { commitments: [{ programmeId: WTMR, year: 2027 }] }, false],
    ['another programme, same year', { commitments: [{ programmeId: AMKB, year: 2026 }] }, false],
    ['one of several commitments matches', { commitments: [{ programmeId: AMKB, year: 2026 }, { programmeId: WTMR, year: 2026 }] }, true],
  ];
  for (const [label, overrides, related] of cases) {
    const found = relatedDecisions({ decision, lineageIds: [], candidates: [other('dec-b', overrides)], rule: rule('programme_year') });
    t.equal(found.length === 1, related, label);
  }
});

t.test('only adopted, pending, ratified and settled decisions count', async (t) => {
  const expected: Record<DecisionStatus, boolean> = {
    draft: false,
    pending_ratification: true,
    adopted: true,
    ratified: true,
    rejected: false,
    withdrawn: false,
    superseded: false,
    settled: true,
  };
  for (const [status, counts] of Object.entries(expected) as [DecisionStatus, boolean][]) {
    const found = relatedDecisions({ decision: subject(), lineageIds: [], candidates: [other('dec-b', { status })], rule: rule('applicant_year') });
    t.equal(found.length === 1, counts, `${status}: ${counts ? 'counts' : 'does not count'}`);
  }
});

t.test('a related decision must have been under the threshold frozen into it, not the current one', async (t) => {
  const candidates = [
    other('dec-under-own', { totalAmountCents: 7_000_000, thresholdCents: 8_000_000 }),
    other('dec-at-own', { totalAmountCents: 8_000_000, thresholdCents: 8_000_000 }),
    other('dec-under-v1', { totalAmountCents: 9_000_000, thresholdCents: THRESHOLD }),
  ];
  const found = relatedDecisions({ decision: subject({ totalAmountCents: 1_000_000 }), lineageIds: [], candidates, rule: rule('applicant_year', 5_000_000) });
  t.same(found.map((d) => d.id), ['dec-under-own', 'dec-under-v1'], 'the one at its own frozen threshold is not related');
});

t.test('the decision itself and its lineage (the decision it amends and its predecessors) are never related', async (t) => {
  const candidates = [other('dec-new'), other('dec-amended'), other('dec-original'), other('dec-sibling')];
  const verdict = assessSplitting({ decision: subject({ totalAmountCents: 6_000_000 }), lineageIds: ['dec-amended', 'dec-original'], candidates, rule: rule('applicant_year') });
  t.same(verdict, { suspected: true, cumulativeCents: 10_000_000, relatedDecisionIds: ['dec-sibling'] });
});

t.test('several related decisions add up; their ids come sorted', async (t) => {
  const candidates = [other('dec-c', { totalAmountCents: 2_000_000 }), other('dec-a', { totalAmountCents: 1_000_000 }), other('dec-b', { totalAmountCents: 1_000_000 })];
  const verdict = assessSplitting({ decision: subject({ totalAmountCents: 6_000_000 }), lineageIds: [], candidates, rule: rule('programme_year') });
  t.same(verdict, { suspected: true, cumulativeCents: 10_000_000, relatedDecisionIds: ['dec-a', 'dec-b', 'dec-c'] });
});

t.test('adoption: a suspected decision is adopted with flag and awaits the colleges with require_ratification (reason splitting)', async (t) => {
  const suspected = { suspected: true, cumulativeCents: 12_000_000, relatedDecisionIds: ['dec-b'] };
  const base = {
    status: 'draft' as const,
    totalAmountCents: 6_000_000,
    centreMunicipalityIds: ['gm-b', 'gm-a'],
    adoptedOn: '2026-03-01',
    splitting: suspected,
    fundCoverage: null,
  };
  const rule = (action: 'flag' | 'require_ratification', ratificationPeriodDays: number | null = null) => ({
    version: 2,
    thresholdCents: THRESHOLD,
    splitting: { scope: 'applicant_year' as const, action },
    ratificationPeriodDays,
    fundCheck: 'flag' as const,
  });
  const flagged = decideAdoption({ ...base, rule: rule('flag') });
  t.match(flagged, { status: 'adopted', reason: null, requiredMunicipalityIds: [], splitting: suspected, dueDate: null });
  const sent = decideAdoption({ ...base, rule: rule('require_ratification', 30) });
  t.match(sent, { status: 'pending_ratification', reason: 'splitting', requiredMunicipalityIds: ['gm-a', 'gm-b'], dueDate: '2026-03-31' });
  const over = decideAdoption({ ...base, totalAmountCents: THRESHOLD, splitting: { suspected: false, cumulativeCents: null, relatedDecisionIds: [] }, rule: rule('require_ratification') });
  t.equal(over.reason, 'threshold', 'a decision at the threshold needs ratification for the threshold');
});
